// The whole policy pack over each committed stack, run exactly as the offline
// plan runs it; then one deliberate change per policy on a real stack's
// recorded resources, to show the rule can fire there.
import { StackKind } from "../../config/schema";
import type { ProgramRun, RecordedResource } from "../../plan/mockRuntime";
import { committedStackConfig, policyConfigFor } from "../../plan/plan";
import { allPolicies } from "../../policies/rules";
import { types } from "../../policies/rules/types";
import { PolicyConfig, Violation, runPolicies } from "../../policies/runner";
import { deepCopy, tcp } from "./fixtures";

/**
 * runStack in a fresh module registry, so the three runs share no module
 * state. (Jest ignores `delete require.cache[...]`: with a runProgram that
 * re-requires index.ts, every run after the first in one test file would
 * record nothing.)
 */
async function runFresh(stack: StackKind): Promise<ProgramRun> {
  let run: ProgramRun | undefined;
  await jest.isolateModulesAsync(async () => {
    const helpers: typeof import("../helpers") = await import("../helpers");
    run = await helpers.runStack(stack);
  });
  if (!run) throw new Error(`stack ${stack} did not run`);
  return run;
}

const planConfig = (stack: StackKind): PolicyConfig => ({ ...policyConfigFor(committedStackConfig(stack)), "no-plaintext-secrets": { secretsVisible: true } });
const policiesOver = (stack: StackKind, resources: RecordedResource[]) => runPolicies(allPolicies, resources, planConfig(stack));
const byPolicy = (violations: Violation[], policy: string) => violations.filter((v) => v.policy === policy);

function named(resources: RecordedResource[], type: string, name: string): RecordedResource {
  const found = resources.find((r) => r.type === type && r.name === name);
  if (!found) throw new Error(`no ${type} named ${name} among ${resources.map((r) => r.name).join(", ")}`);
  return found;
}

const runs: Partial<Record<StackKind, ProgramRun>> = {};
const stacks: StackKind[] = ["dev", "prod", "cloud"];

beforeAll(async () => {
  for (const stack of stacks) runs[stack] = await runFresh(stack);
});
const resourcesOf = (stack: StackKind) => deepCopy(runs[stack]!.resources);

describe.each(stacks)("committed %s stack", (stack) => {
  test("registers machines for the policies to look at", () => {
    const machines = resourcesOf(stack).filter((r) => r.type === types.proxmoxVm || r.type === types.ociInstance);
    expect(machines.length).toBeGreaterThan(0);
  });

  test("passes every policy with the plan's policy config", async () => {
    expect(await policiesOver(stack, resourcesOf(stack))).toEqual([]);
  });
});

describe("every policy can fail on a real stack", () => {
  test("backup-decision-recorded: the cloud management instance without its backup tag", async () => {
    const resources = resourcesOf("cloud");
    const mgmt = named(resources, types.ociInstance, "oci-mgmt");
    delete (mgmt.inputs.freeformTags as Record<string, string>).backup;
    const violations = await policiesOver("cloud", resources);
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({ policy: "backup-decision-recorded", resource: "oci-mgmt", level: "mandatory" });
    expect(violations[0].message).toContain("instance oci-mgmt has no backup freeform tag");
  });

  test("security-list-declared-ports: SSH opened to 0.0.0.0/0 on the cloud security list", async () => {
    const resources = resourcesOf("cloud");
    const list = named(resources, types.ociSecurityList, "omni-security");
    (list.inputs.ingressSecurityRules as unknown[]).push({ ...tcp(22, "0.0.0.0/0"), description: "ssh from anywhere" });
    const violations = await policiesOver("cloud", resources);
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({ policy: "security-list-declared-ports", resource: "omni-security" });
    expect(violations[0].message).toContain("opens tcp 22-22 to 0.0.0.0/0, which the config does not declare");
  });

  test("proxmox-host-capacity: prod with the gaming VM started and grown to 40 GB", async () => {
    // Host 64 GB - 12 GB reserved = 52 GB usable; PROD cluster 4 + 12 = 16 GB; gaming 40 GB -> 56 GB running.
    const prod = committedStackConfig("prod");
    if (prod.kind !== "prod") throw new Error("expected the prod stack config");
    expect(prod.config.proxmox.hardware).toMatchObject({ memoryGb: 64, reservedMemoryGb: 12 });
    expect(prod.config.cluster.nodes.reduce((sum, n) => sum + n.memoryGb, 0)).toBe(16);
    expect(prod.config.gamingVm).toMatchObject({ memoryGb: 32, started: false });

    const resources = resourcesOf("prod");
    const gaming = named(resources, types.proxmoxVm, prod.config.gamingVm.name);
    expect(gaming.inputs).toMatchObject({ started: false, memory: { dedicated: 32 * 1024 } });
    // As committed, even started the gaming VM fits: 16 + 32 = 48 GB <= 52 GB.
    gaming.inputs.started = true;
    expect(await policiesOver("prod", resources)).toEqual([]);

    gaming.inputs.memory = { dedicated: 40 * 1024 };
    const violations = await policiesOver("prod", resources);
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({ policy: "proxmox-host-capacity", resource: null });
    expect(violations[0].message).toContain(`running VMs need ${(16 + 40) * 1024} MiB; the host can give ${52 * 1024} MiB`);
  });

  test("oci-always-free: a cloud node grown by one OCPU and 1 GB", async () => {
    // The committed cloud stack uses the whole allowance: 1 + 2 + 1 OCPUs, 6 + 12 + 6 GB.
    const resources = resourcesOf("cloud");
    const node = named(resources, types.ociInstance, "oci-node-2");
    node.inputs.shapeConfig = { ocpus: 2, memoryInGbs: 7 };
    const violations = await policiesOver("cloud", resources);
    expect(violations.map((v) => `${v.policy}: ${v.message}`)).toEqual([
      "oci-always-free: 5 OCPUs requested, the Always Free limit is 4",
      "oci-always-free: 25 GB RAM requested, the Always Free limit is 24 GB",
    ]);
  });

  test("machines-tagged: a prod cluster VM without its stack tag", async () => {
    const resources = resourcesOf("prod");
    const cp = named(resources, types.proxmoxVm, "prod-cp-1");
    cp.inputs.tags = (cp.inputs.tags as string[]).filter((t) => t !== "prod");
    const violations = await policiesOver("prod", resources);
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({ policy: "machines-tagged", resource: "prod-cp-1" });
    expect(violations[0].message).toContain("VM prod-cp-1 has no stack tag");
  });

  test("no-plaintext-secrets: the dev kubeconfig command given its service account key in plain text", async () => {
    const resources = resourcesOf("dev");
    const kubeconfig = named(resources, "command:local:Command", "dev-kubeconfig");
    expect(kubeconfig.inputs.environment).toBe("[secret]");
    kubeconfig.inputs.environment = { OMNI_ENDPOINT: "https://omni.homelab.example", OMNI_SERVICE_ACCOUNT_KEY: "abc" };
    const violations = await policiesOver("dev", resources);
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({ policy: "no-plaintext-secrets", resource: "dev-kubeconfig" });
    expect(violations[0].message).toContain("input environment.OMNI_SERVICE_ACCOUNT_KEY looks like a credential but is not a secret");
  });

  test("no-plaintext-secrets: the cloud OCI provider given a plain PEM private key", async () => {
    const resources = resourcesOf("cloud");
    const provider = named(resources, "pulumi:providers:oci", "oci");
    provider.inputs.privateKey = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n";
    const violations = byPolicy(await policiesOver("cloud", resources), "no-plaintext-secrets");
    expect(violations.map((v) => v.message)).toEqual([
      "oci: input privateKey looks like a credential but is not a secret; read it with config.requireSecret or pulumi.secret()",
    ]);
  });

  test("pinned-versions: the prod Cilium release given a version range, and Longhorn's Application given a branch", async () => {
    const resources = resourcesOf("prod");
    named(resources, types.helmRelease, "prod-cilium").inputs.version = "^1.18";
    const longhorn = named(resources, types.argoApplication, "prod-longhorn");
    (longhorn.inputs.spec as { source: { targetRevision: string } }).source.targetRevision = "master";
    const violations = await policiesOver("prod", resources);
    expect(violations.map((v) => v.policy)).toEqual(["pinned-versions", "pinned-versions"]);
    expect(violations.map((v) => v.message).join("\n")).toMatch(/Release prod-cilium: chart version "\^1\.18" is not pinned/);
    expect(violations.map((v) => v.message).join("\n")).toContain("prod-longhorn");
  });

  test("container-resources: cert-manager's webhook on dev without a memory limit", async () => {
    const resources = resourcesOf("dev");
    const values = named(resources, types.helmRelease, "dev-cert-manager").inputs.values as { webhook: { resources: { limits: Record<string, string> } } };
    delete values.webhook.resources.limits.memory;
    const violations = await policiesOver("dev", resources);
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({ policy: "container-resources", resource: "dev-cert-manager" });
    expect(violations[0].message).toContain("values.webhook.resources");
  });

  test("exposed-services: Hubble UI on the cloud cluster turned into a LoadBalancer", async () => {
    const resources = resourcesOf("cloud");
    const values = named(resources, types.helmRelease, "cloud-cilium").inputs.values as { hubble: { ui: { service: { type: string } } } };
    values.hubble.ui.service.type = "LoadBalancer";
    const violations = await policiesOver("cloud", resources);
    expect(violations.map((v) => v.policy)).toEqual(["exposed-services"]);
    expect(violations[0].message).toContain("hubble.ui.service.type");
  });

  test("cluster-budget: the dev platform's Cilium agent asking for 2 GiB on the 4 GB node", async () => {
    const resources = resourcesOf("dev");
    const values = named(resources, types.helmRelease, "dev-cilium").inputs.values as { resources: { requests: Record<string, string>; limits: Record<string, string> } };
    values.resources = { requests: { cpu: "50m", memory: "2Gi" }, limits: { cpu: "1", memory: "2Gi" } };
    const violations = await policiesOver("dev", resources);
    expect(violations.map((v) => v.policy)).toEqual(["cluster-budget"]);
    expect(violations[0].message).toMatch(/^cluster dev: system 832 MiB \+ platform \d+ MiB \+ reserved for services 1024 MiB = \d+ MiB exceeds allocatable 3484 MiB$/);
  });

  test("public-dns-single-owner: external-dns delivered to prod next to the program's Cloudflare records", async () => {
    const resources = resourcesOf("prod");
    const nfs = deepCopy(named(resources, types.argoApplication, "prod-csi-driver-nfs"));
    const spec = nfs.inputs.spec as { source: { chart: string; repoURL: string } };
    spec.source.chart = "external-dns";
    spec.source.repoURL = "https://kubernetes-sigs.github.io/external-dns";
    resources.push({ ...nfs, name: "prod-external-dns", urn: nfs.urn.replace("prod-csi-driver-nfs", "prod-external-dns") });
    const violations = byPolicy(await policiesOver("prod", resources), "public-dns-single-owner");
    expect(violations).toHaveLength(1);
    expect(violations[0].resource).toBe("prod-external-dns");
  });

  test("sync-waves-ordered: cloud's local-path Application no longer waiting for wave 0", async () => {
    const resources = resourcesOf("cloud");
    named(resources, types.argoApplication, "cloud-local-path").dependencies = [];
    const violations = await policiesOver("cloud", resources);
    expect(violations.map((v) => v.policy)).toEqual(["sync-waves-ordered"]);
    expect(violations[0].message).toContain("Application cloud-local-path (wave 1, cluster cloud) can start before directly installed release(s)");
  });
});
