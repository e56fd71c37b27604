// `npm run preview|up -- --stack X`: the offline plan first, then the Pulumi
// CLI with the policy pack and the stack's freshly written policy config.
// A stand-in `pulumi` records the command line it is given.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { deploy, parseDeployArgs, pulumiArgs } from "../../plan/deploy";
import { projectRoot } from "../../plan/stackFiles";

function fakePulumi(exitCode = 0): { bin: string; argv: () => string[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fake-pulumi-"));
  const log = path.join(dir, "argv");
  const bin = path.join(dir, "pulumi");
  fs.writeFileSync(bin, `#!/bin/sh\nprintf '%s\\n' "$@" > '${log}'\nexit ${exitCode}\n`, { mode: 0o755 });
  return { bin, argv: () => fs.readFileSync(log, "utf8").trim().split("\n") };
}

describe("parseDeployArgs", () => {
  test("takes the operation, the stack in every form pulumi accepts, and passes the rest through", () => {
    expect(parseDeployArgs(["preview", "--stack", "prod", "--diff"])).toEqual({ operation: "preview", stack: "prod", passThrough: ["--diff"] });
    expect(parseDeployArgs(["up", "-s", "dev", "--yes"])).toEqual({ operation: "up", stack: "dev", passThrough: ["--yes"] });
    expect(parseDeployArgs(["up", "--stack=cloud"])).toEqual({ operation: "up", stack: "cloud", passThrough: [] });
  });

  test("refuses a missing or unknown stack, an unknown operation, and policy flags it sets itself", () => {
    expect(() => parseDeployArgs(["preview"])).toThrow("--stack (missing): expected one of dev, prod, cloud, e.g. npm run preview -- --stack prod");
    expect(() => parseDeployArgs(["up", "--stack", "staging"])).toThrow("--stack staging: expected one of dev, prod, cloud");
    expect(() => parseDeployArgs(["destroy", "--stack", "dev"])).toThrow("expected preview or up, got destroy");
    expect(() => parseDeployArgs(["up", "--stack", "dev", "--policy-pack", "x"])).toThrow("--policy-pack is set by this command; leave it out");
    expect(() => parseDeployArgs(["up", "--stack", "dev", "--policy-pack-config=y"])).toThrow("--policy-pack-config is set by this command; leave it out");
  });
});

describe("deploy", () => {
  test("plans the stack, writes its policy config, then runs pulumi with the pack and that config", async () => {
    const fake = fakePulumi();
    const policyConfig = path.join(projectRoot, "out", "dev", "policy-config.json");
    fs.rmSync(policyConfig, { force: true });
    expect(await deploy(parseDeployArgs(["preview", "--stack", "dev", "--diff"]), projectRoot, fake.bin)).toBe(0);
    expect(fake.argv()).toEqual(["preview", "--stack", "dev", "--policy-pack", path.join(projectRoot, "policies"), "--policy-pack-config", policyConfig, "--diff"]);
    expect(Object.keys(JSON.parse(fs.readFileSync(policyConfig, "utf8")))).toContain("sync-waves-declared");
  });

  test("returns pulumi's exit code", async () => {
    const fake = fakePulumi(3);
    expect(await deploy(parseDeployArgs(["up", "--stack", "dev"]), projectRoot, fake.bin)).toBe(3);
    expect(fake.argv().slice(0, 3)).toEqual(["up", "--stack", "dev"]);
  });

  test("says so when pulumi cannot be run", async () => {
    const errors: string[] = [];
    const spy = jest.spyOn(console, "error").mockImplementation((m: string) => void errors.push(m));
    try {
      expect(await deploy(parseDeployArgs(["up", "--stack", "dev"]), projectRoot, "/nonexistent/pulumi")).toBe(1);
    } finally {
      spy.mockRestore();
    }
    expect(errors.join("\n")).toContain("could not run /nonexistent/pulumi");
  });

  test("the command line names the pack folder and the stack's config file", () => {
    expect(pulumiArgs({ operation: "up", stack: "cloud", passThrough: ["--yes"] }, "/repo")).toEqual([
      "up", "--stack", "cloud", "--policy-pack", "/repo/policies", "--policy-pack-config", "/repo/out/cloud/policy-config.json", "--yes",
    ]);
  });
});
