// Whole renderings, reviewed by hand once and pinned: every backup object
// and file (the clusters', the host's, the management VM's, the plan's
// coverage) for a fixed input. A change to any of them shows up here as a
// diff to review, and regenerating the files is a deliberate act.
import * as fs from "fs";
import * as path from "path";
import { goldenFiles } from "./golden.render";

const expected = (name: string) => fs.readFileSync(path.join(__dirname, "../fixtures/expected/backup", name), "utf8");

describe("the backup renderings, whole", () => {
  const files = goldenFiles();
  it.each(Object.keys(files))("%s", (name) => {
    expect(files[name]).toBe(expected(name));
  });
});
