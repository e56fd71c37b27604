// Whole renderings, reviewed by hand once and pinned: every backup object
// and file (the clusters', the host's, the management VM's, the plan's
// coverage) for a fixed input. A change to any of them shows up here as a
// diff to review, and regenerating the files is a deliberate act.
import * as fs from "fs";
import * as path from "path";
import { goldenFiles } from "./golden.render";

const expected = (name: string) => fs.readFileSync(path.join(__dirname, "../fixtures/expected/backup", name), "utf8");

// Rendered inside each test, so mutation testing sees which test runs which code.
const names = ["cloud-velero.yaml", "cloud-entries.yaml", "cloud-drills.yaml", "cloud-restores.yaml", "host-files.yaml", "host-step.sh", "vm-workload.yaml", "vm-omni-stopped.sh", "coverage.yaml"];

describe("the backup renderings, whole", () => {
  it("are the files listed here", () => {
    expect(Object.keys(goldenFiles()).sort()).toEqual([...names].sort());
  });
  it.each(names)("%s", (name) => {
    expect(goldenFiles()[name]).toBe(expected(name));
  });
});
