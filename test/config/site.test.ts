// Dev and prod describe one Proxmox host and one LAN. Dev's program checks
// itself against what prod exports (its `site`) before registering anything;
// prod's plan checks the committed dev file the same way. One fixture per
// class of clash.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import { siteIssues, siteOfDev, siteOfProd } from "../../config/site";
import { committedStackConfig, planStack } from "../../plan/plan";
import { projectRoot } from "../../plan/stackFiles";
import { Values, runStack } from "../helpers";

const prodSite = () => {
  const prod = committedStackConfig("prod");
  if (prod.kind !== "prod") throw new Error("prod");
  return siteOfProd(prod.config);
};

/** The lines of the error the dev program throws for a mutated dev config. */
async function devProgramRefuses(mutate: (v: Values) => void): Promise<string[]> {
  let error: unknown;
  await jest.isolateModulesAsync(async () => {
    const helpers: typeof import("../helpers") = await import("../helpers");
    try {
      await helpers.runStack("dev", mutate);
    } catch (err) {
      error = err;
    }
  });
  expect(error).toBeInstanceOf(Error);
  expect((error as Error).name).toBe("ConfigError");
  return (error as Error).message.split("\n").slice(1).map((l) => l.replace(/^ {2}- /, ""));
}

const cases: [string, (v: Values) => void, string | RegExp][] = [
  ["a VM ID prod uses", (v) => (v.cluster.nodes[0].vmId = 201), "homelab:cluster.nodes[0].vmId = 201: expected a VM ID of its own; 201 is prod's cluster.nodes[0].vmId"],
  ["the gaming VM's ID", (v) => (v.cluster.nodes[0].vmId = 300), "homelab:cluster.nodes[0].vmId = 300: expected a VM ID of its own; 300 is prod's gamingVm.vmId"],
  ["an address prod uses", (v) => (v.cluster.nodes[0].ip = "192.168.68.62"), 'homelab:cluster.nodes[0].ip = "192.168.68.62": expected an address of its own; 192.168.68.62 is prod\'s cluster.nodes[1].ip'],
  ["an address in prod's LAN pool", (v) => (v.cluster.nodes[0].ip = "192.168.71.241"), 'homelab:cluster.nodes[0].ip = "192.168.71.241": expected an address outside prod\'s LAN LoadBalancer pool 192.168.71.240/28'],
  [
    "an SMBIOS UUID prod's machine has",
    (v) => (v.cluster.nodes[0].machineUuid = "a869d8f8-48e8-4472-a6e2-23e5a48fc0a2"),
    'homelab:cluster.nodes[0].machineUuid = "a869d8f8-48e8-4472-a6e2-23e5a48fc0a2": expected a machine UUID of its own; Omni knows it as prod\'s cluster.nodes[0].machineUuid',
  ],
  [
    "prod's cluster name (with the GitOps hub elsewhere)",
    (v) => {
      v.cluster.name = "prod";
      v.platform.gitops.hubCluster = "central";
    },
    'homelab:cluster.name = "prod": expected a cluster name of its own; "prod" is prod\'s cluster in Omni',
  ],
  ["other host hardware", (v) => (v.proxmox.hardware.memoryGb = 128), "homelab:proxmox.hardware.memoryGb = 128: expected 64, prod's proxmox.hardware.memoryGb: both stacks describe the same host"],
  ["another API endpoint", (v) => (v.proxmox.endpoint = "https://192.168.68.52:8006"), 'homelab:proxmox.endpoint = "https://192.168.68.52:8006": expected "https://192.168.68.51:8006", prod\'s proxmox.endpoint: both stacks describe the same host'],
  ["a LAN overlapping prod's without being it", (v) => (v.cluster.network.cidr = "192.168.68.0/24"), 'homelab:cluster.network.cidr = "192.168.68.0/24": expected 192.168.68.0/22 (the same LAN) or a network apart from it; it overlaps prod\'s cluster.network.cidr'],
  [
    "more RAM than the host has with prod and gaming on",
    (v) => (v.cluster.nodes[0].memoryGb = 8),
    /^homelab:cluster\.nodes = \[\{"name":"dev-cp-1".*: expected every VM of the host to fit at once: prod 48 GB \+ these 8 GB = 56 GB, over the 52 GB the host gives VMs \(64 GB minus 12 GB reserved\)$/,
  ],
  [
    "more disk than the SSD has with prod's",
    (v) => (v.cluster.nodes[0].diskGb = 800),
    /^homelab:cluster\.nodes = \[\{"name":"dev-cp-1".*: expected the VM disks of both stacks to fit the VM datastore: prod 250 GB \+ these 800 GB = 1050 GB, over 1000 GB$/,
  ],
];

describe("the dev program refuses what clashes with prod on the shared host", () => {
  test.each(cases)("%s", async (_name, mutate, line) => {
    const lines = await devProgramRefuses(mutate);
    if (typeof line === "string") expect(lines).toContain(line);
    else expect(lines.filter((l) => line.test(l))).toHaveLength(1);
  });

  test("registers nothing but the stack references it read when it refuses", async () => {
    const spy = jest.spyOn(MockMonitor.prototype, "registerResource");
    try {
      await expect(runStack("dev", (v) => (v.cluster.nodes[0].vmId = 201))).rejects.toThrow("201 is prod's cluster.nodes[0].vmId");
      expect(spy.mock.calls.map(([req]) => (req as { getType(): string }).getType())).toEqual(["pulumi:pulumi:Stack"]);
    } finally {
      spy.mockRestore();
    }
  });

  test("says to deploy prod first when the host stack does not exist, or has no site", () => {
    // In a child process, as the CLI runs a program: a failed read leaves rejected promises that the runtime reports.
    const attempt = (refs: string) => {
      const script = [
        'const { recordResources } = require("./plan/mockRuntime");',
        'const { homelab } = require("./stacks");',
        'const files = require("./plan/stackFiles");',
        'const run = files.runConfig("dev", files.readStackFile("dev"));',
        `const refs = Object.assign({ "organization/homelab/cloud": files.fakeCloudOutputs }, ${refs});`,
        'recordResources({ stack: "dev", ...run, stackReferences: refs }, homelab).then(() => console.log("ran"), (err) => console.log(err.message));',
      ].join("\n");
      const out = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script], { cwd: projectRoot, encoding: "utf8" });
      return out.stdout.trim().split("\n")[0];
    };
    expect(attempt("{}")).toBe(
      'homelab:hostStack = "organization/homelab/prod": cannot read that stack (failed to read resource #organization/homelab/prod \'host\' [pulumi:pulumi:StackReference]: unknown stack "organization/homelab/prod"); deploy the prod stack (it owns the Proxmox host) first, or correct the stack name (docs/runbooks/first-deploy.md)',
    );
    expect(attempt('{ "organization/homelab/prod": {} }')).toBe(
      'homelab:hostStack = "organization/homelab/prod": that stack has no output "site"; deploy the prod stack (it owns the Proxmox host) first (docs/runbooks/first-deploy.md)',
    );
  });
});

describe("prod's plan checks the committed dev file against itself", () => {
  function rootWithDev(edit: (text: string) => string): string {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-site-"));
    for (const stack of ["prod", "cloud"]) fs.copyFileSync(path.join(projectRoot, `Pulumi.${stack}.yaml`), path.join(root, `Pulumi.${stack}.yaml`));
    fs.writeFileSync(path.join(root, "Pulumi.dev.yaml"), edit(fs.readFileSync(path.join(projectRoot, "Pulumi.dev.yaml"), "utf8")));
    return root;
  }

  test("a dev telemetry address other than prod's fails prod's plan", async () => {
    const root = rootWithDev((t) => t.replace("telemetryAddress: 192.168.71.242", "telemetryAddress: 192.168.71.250"));
    await expect(planStack("prod", root)).rejects.toThrow("homelab:monitoring.telemetryAddress = \"192.168.71.250\": expected 192.168.71.242, prod's platform.lanLoadBalancer.addresses.monitoring/telemetry, where its logs and metrics are received (checked with prod's plan)");
  });

  test("a dev VM ID that prod uses fails prod's plan, naming dev's key", async () => {
    const root = rootWithDev((t) => t.replace("vmId: 101", "vmId: 202"));
    await expect(planStack("prod", root)).rejects.toThrow("Invalid configuration for stack 'dev':\n  - homelab:cluster.nodes[0].vmId = 202: expected a VM ID of its own; 202 is prod's cluster.nodes[1].vmId (checked with prod's plan)");
  });

  test("the committed pair agrees", () => {
    const dev = committedStackConfig("dev");
    if (dev.kind !== "dev") throw new Error("dev");
    expect(siteIssues(prodSite(), "prod", siteOfDev(dev.config))).toEqual([]);
  });
});

describe("siteIssues", () => {
  test("a dev LAN pool over prod's pool or over prod's machines", () => {
    const dev = committedStackConfig("dev");
    if (dev.kind !== "dev") throw new Error("dev");
    const site = { ...siteOfDev(dev.config), lanPool: "192.168.71.240/29" };
    expect(siteIssues(prodSite(), "prod", site).map((i) => i.message)).toEqual(["expected a range apart from prod's LAN LoadBalancer pool 192.168.71.240/28"]);
    expect(siteIssues(prodSite(), "prod", { ...site, lanPool: "192.168.68.56/29" }).map((i) => i.message)).toEqual([
      "expected a range that leaves out 192.168.68.61 (prod's cluster.nodes[0].ip)",
      "expected a range that leaves out 192.168.68.62 (prod's cluster.nodes[1].ip)",
    ]);
  });

  test("a different LAN of its own is fine; the same LAN needs the same gateway; the bridge is the host's", () => {
    const dev = committedStackConfig("dev");
    if (dev.kind !== "dev") throw new Error("dev");
    const site = siteOfDev(dev.config);
    expect(siteIssues(prodSite(), "prod", { ...site, lan: { ...site.lan, cidr: "10.20.0.0/24", gateway: "10.20.0.1" } })).toEqual([]);
    expect(siteIssues(prodSite(), "prod", { ...site, lan: { ...site.lan, gateway: "192.168.68.2" } }).map((i) => i.path.join("."))).toEqual(["cluster.network.gateway"]);
    expect(siteIssues(prodSite(), "prod", { ...site, lan: { ...site.lan, bridge: "vmbr1" } }).map((i) => i.message)).toEqual(["expected vmbr0, the host's bridge (prod's cluster.network.bridge)"]);
  });

  // Whole issues, path and words: what the user reads is the key to change and why.
  const devSite = () => {
    const dev = committedStackConfig("dev");
    if (dev.kind !== "dev") throw new Error("dev");
    return siteOfDev(dev.config);
  };

  test("each issue names its key path and says what is expected", () => {
    const site = devSite();
    expect(siteIssues(prodSite(), "prod", { ...site, lan: { ...site.lan, bridge: "vmbr1" } })).toEqual([
      { path: ["cluster", "network", "bridge"], message: "expected vmbr0, the host's bridge (prod's cluster.network.bridge)" },
    ]);
    expect(siteIssues(prodSite(), "prod", { ...site, lan: { ...site.lan, gateway: "192.168.68.2" } })).toEqual([
      { path: ["cluster", "network", "gateway"], message: "expected 192.168.68.1, prod's cluster.network.gateway on the same LAN" },
    ]);
    expect(siteIssues(prodSite(), "prod", { ...site, lanPool: "192.168.71.240/29" })).toEqual([
      { path: ["platform", "lanLoadBalancer", "pool"], message: "expected a range apart from prod's LAN LoadBalancer pool 192.168.71.240/28" },
    ]);
    expect(siteIssues(prodSite(), "prod", { ...site, lanPool: "192.168.68.60/30" })).toEqual([
      { path: ["platform", "lanLoadBalancer", "pool"], message: "expected a range that leaves out 192.168.68.61 (prod's cluster.nodes[0].ip)" },
      { path: ["platform", "lanLoadBalancer", "pool"], message: "expected a range that leaves out 192.168.68.62 (prod's cluster.nodes[1].ip)" },
    ]);
  });

  test("dev sends its telemetry to prod's fixed address, unless prod's site predates it", () => {
    const site = devSite();
    expect(siteIssues(prodSite(), "prod", { ...site, telemetryAddress: "192.168.71.243" })).toEqual([
      { path: ["monitoring", "telemetryAddress"], message: "expected 192.168.71.242, prod's platform.lanLoadBalancer.addresses.monitoring/telemetry, where its logs and metrics are received" },
    ]);
    expect(siteIssues({ ...prodSite(), telemetryAddress: undefined }, "prod", { ...site, telemetryAddress: "192.168.71.243" })).toEqual([]);
  });

  test("a machine's path keeps its list index as a number, whatever its digits", () => {
    const site = devSite();
    const owner = prodSite();
    const clash = { ...site.machines[0], path: "cluster.nodes[12]", vmId: owner.machines[0].vmId };
    expect(siteIssues(owner, "prod", { ...site, machines: [clash] }).map((i) => i.path)).toEqual([["cluster", "nodes", 12, "vmId"]]);
  });

  test("a machine without an address clashes with no other machine without one", () => {
    const site = devSite();
    const owner = prodSite();
    const noIp = owner.machines.find((m) => m.ip === undefined);
    // Prod's gaming VM has no address in config: a dev VM without one must not be said to share it.
    expect(noIp).toBeDefined();
    expect(siteIssues(owner, "prod", { ...site, machines: [{ ...site.machines[0], ip: undefined }] })).toEqual([]);
  });

  test("VM disks that fill the datastore exactly fit; one GB more does not", () => {
    const site = devSite();
    const owner = prodSite();
    const onSsd = (ms: typeof owner.machines) => ms.filter((m) => m.datastore === "vm").reduce((sum, m) => sum + m.diskGb, 0);
    const room = owner.proxmox.hardware.vmDatastoreGb - onSsd(owner.machines);
    const sized = (diskGb: number) => ({ ...site, machines: [{ ...site.machines[0], diskGb }] });
    expect(siteIssues(owner, "prod", sized(room))).toEqual([]);
    expect(siteIssues(owner, "prod", sized(room + 1)).map((i) => i.path)).toEqual([["cluster", "nodes"]]);
  });
});
