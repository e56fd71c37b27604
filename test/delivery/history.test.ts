import * as fs from "fs";
import * as path from "path";
import { StackUpdate, currentDeployment, parseHistory } from "../../delivery/history";

// The shape `pulumi stack history --json` prints (v3.248.0: newest first, git.head and git.dirty in each environment).
const fixture = fs.readFileSync(path.join(__dirname, "..", "fixtures", "delivery", "stack-history.json"), "utf8");
const b = "5f2c1e0d9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d";
const a = "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567";

const update = (head: string, end: string, over: Partial<StackUpdate> = {}, env: Record<string, string> = {}): StackUpdate => ({
  kind: "update",
  result: "succeeded",
  startTime: end,
  endTime: end,
  environment: { "git.head": head, "git.dirty": "false", ...env },
  ...over,
});

describe("stack history", () => {
  it("reads the CLI's JSON", () => {
    const h = parseHistory(fixture);
    expect(h).toHaveLength(5);
    expect(h[0]).toMatchObject({ kind: "update", result: "succeeded", endTime: "2026-11-21T09:04:10.000Z" });
    expect(h[0].environment["git.head"]).toBe(b);
  });

  it("runs the commit of the newest update since the first of its unbroken run (refreshes do not break it, a failure does)", () => {
    expect(currentDeployment(parseHistory(fixture))).toEqual({ deployment: { commit: b, since: new Date("2026-11-20T08:06:30.000Z") } });
  });

  it("a run started by another commit's update ends there", () => {
    const d = currentDeployment([update(b, "2026-11-21T00:00:00Z"), update(b, "2026-11-20T00:00:00Z"), update(a, "2026-11-19T00:00:00Z"), update(b, "2026-11-18T00:00:00Z")]);
    expect(d.deployment?.since.toISOString()).toBe("2026-11-20T00:00:00.000Z");
  });

  it("an update without an end counts from its start", () => {
    expect(currentDeployment([update(b, "x", { endTime: undefined, startTime: "2026-11-20T01:02:03.000Z" })]).deployment?.since.toISOString()).toBe("2026-11-20T01:02:03.000Z");
  });

  it.each([
    ["nothing", [], "the stack has never been updated"],
    ["a failed last update", [update(b, "2026-11-21T00:00:00Z", { result: "failed" }), update(b, "2026-11-20T00:00:00Z")], "its last update (2026-11-21T00:00:00.000Z) failed"],
    ["an update still running", [update(b, "2026-11-21T00:00:00Z", { result: "in-progress" })], "is still running"],
    ["a dirty checkout", [update(b, "2026-11-21T00:00:00Z", {}, { "git.dirty": "true" })], `ran from a checkout with local changes, not exactly commit ${b}`],
    ["no commit", [{ kind: "update", result: "succeeded", startTime: "2026-11-21T00:00:00Z", environment: {} }], "did not run from a git checkout"],
    ["a destroy", [update(b, "2026-11-21T00:00:00Z", { kind: "destroy" })], "the stack was destroyed at 2026-11-21T00:00:00.000Z"],
  ])("is not known after %s", (_name, history, reason) => {
    const d = currentDeployment(history as StackUpdate[]);
    expect(d.deployment).toBeUndefined();
    expect(d.reason).toContain(reason);
  });

  it("a dirty update before the clean run is not part of it", () => {
    const d = currentDeployment([update(b, "2026-11-21T00:00:00Z"), update(b, "2026-11-20T00:00:00Z", {}, { "git.dirty": "true" })]);
    expect(d.deployment?.since.toISOString()).toBe("2026-11-21T00:00:00.000Z");
  });

  it.each([
    ["not JSON", "{", "expected the JSON of `pulumi stack history --json`"],
    ["an object", "{}", "expected a JSON array of updates"],
    ["an update without a result", '[{"kind":"update","startTime":"2026-11-21T00:00:00Z"}]', "update 0 has no result; expected a string"],
    ["an environment that is a list", '[{"kind":"update","result":"succeeded","startTime":"x","environment":[]}]', "update 0's environment: expected an object"],
  ])("refuses %s", (_name, text, message) => {
    expect(() => parseHistory(text)).toThrow(message);
  });

  it("reads null (a stack never updated) as no updates", () => {
    expect(parseHistory("null")).toEqual([]);
  });

  it("names a time that is not a date", () => {
    expect(() => currentDeployment([update(b, "yesterday")])).toThrow('time "yesterday" is not a date');
  });
});
