// The whole policy pack over each committed stack, in both phases the offline
// plan runs (the first preview, the deployed state), with the policy config
// the plan writes; then one deliberate change per policy on a real stack's
// recorded resources, to show the rule can fire there.
import { StackKind } from "../../config/schema";
import { PolicyConfig, Violation, analyze } from "../../plan/analyzer";
import type { Phase, ProgramRun, RecordedResource } from "../../plan/mockRuntime";
import { committedStackConfig } from "../../plan/plan";
import { policyConfigFor } from "../../plan/policyConfig";
import { plaintextSecretViolations } from "../../plan/secrets";
import { allPolicies } from "../../policies/rules";
import { types } from "../../policies/rules/types";
import { deepCopy, tcp } from "./fixtures";

/**
 * A committed stack's run in a fresh module registry, so runs share no module
 * state. (Jest ignores `delete require.cache[...]`: with a runProgram that
 * re-requires index.ts, every run after the first in one test file would
 * record nothing.)
 */
async function runFresh(stack: StackKind, phase: Phase): Promise<ProgramRun> {
  let run: ProgramRun | undefined;
  await jest.isolateModulesAsync(async () => {
    const plan: typeof import("../../plan/plan") = await import("../../plan/plan");
    run = await plan.runCommittedStack(stack, phase);
  });
  if (!run) throw new Error(`stack ${stack} did not run`);
  return run;
}

const stacks: StackKind[] = ["dev", "prod", "cloud"];
const runs: Partial<Record<`${StackKind}-${Phase}`, ProgramRun>> = {};
beforeAll(async () => {
  for (const stack of stacks) for (const phase of ["preview", "update"] as const) runs[`${stack}-${phase}`] = await runFresh(stack, phase);
});

const runOf = (stack: StackKind, phase: Phase = "update") => deepCopy(runs[`${stack}-${phase}`] as ProgramRun);
/** The policy config the plan writes for `run` (declarations read from its own resources). */
const planConfig = (stack: StackKind, run: ProgramRun) => policyConfigFor(committedStackConfig(stack), run) as unknown as PolicyConfig;
const policiesOver = async (stack: StackKind, run: ProgramRun, config: PolicyConfig = planConfig(stack, run)) => (await analyze(allPolicies, run, config)).violations;
const byPolicy = (violations: Violation[], policy: string) => violations.filter((v) => v.policy === policy);

function named(run: ProgramRun, type: string, name: string): RecordedResource {
  const found = run.resources.find((r) => r.type === type && r.name === name);
  if (!found) throw new Error(`no ${type} named ${name} among ${run.resources.map((r) => r.name).join(", ")}`);
  return found;
}

/** Changes a recorded resource's inputs (and, once deployed, its outputs) in place. */
function change(r: RecordedResource, edit: (props: Record<string, any>) => void): void { // eslint-disable-line @typescript-eslint/no-explicit-any
  edit(r.wireInputs);
  edit(r.inputs);
  if (Object.keys(r.wireOutputs).length > 0) edit(r.wireOutputs);
}

describe.each(stacks)("committed %s stack", (stack) => {
  test("registers machines for the policies to look at", () => {
    const machines = runOf(stack).resources.filter((r) => r.type === types.proxmoxVm || r.type === types.ociInstance);
    expect(machines.length).toBeGreaterThan(0);
  });

  test.each(["preview", "update"] as const)("passes every policy in the %s phase with the plan's policy config", async (phase) => {
    const config = planConfig(stack, runOf(stack, "update"));
    expect(await policiesOver(stack, runOf(stack, phase), config)).toEqual([]);
  });

  test("in the first preview, Kubernetes resources show stack policies no outputs (their provider's kubeconfig is unknown)", () => {
    const preview = runOf(stack, "preview");
    const k8s = preview.resources.filter((r) => r.type.startsWith("kubernetes:") && r.custom);
    expect(k8s.length).toBeGreaterThan(0);
    for (const r of k8s) expect(r.wireOutputs).toEqual({});
    // ...while their inputs, which resource policies see, are all there.
    expect(k8s.every((r) => Object.keys(r.wireInputs).length > 0)).toBe(true);
  });

  test("passes the plan's own plaintext-secret check", () => {
    expect(plaintextSecretViolations(runOf(stack).resources)).toEqual([]);
  });
});

describe("every policy can fail on a real stack", () => {
  test("backup-decision-recorded: the cloud management instance without its backup tag", async () => {
    const run = runOf("cloud");
    change(named(run, types.ociInstance, "omni-vm"), (p) => delete p.freeformTags.backup);
    const violations = await policiesOver("cloud", run);
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({ policy: "backup-decision-recorded", resource: "omni-vm", level: "mandatory" });
    expect(violations[0].message).toContain("instance omni-vm has no backup freeform tag");
  });

  test("security-list-declared-ports: SSH opened to 0.0.0.0/0 on the cloud security list", async () => {
    const run = runOf("cloud");
    change(named(run, types.ociSecurityList, "omni-security"), (p) => p.ingressSecurityRules.push({ ...tcp(22, "0.0.0.0/0"), description: "ssh from anywhere" }));
    const violations = await policiesOver("cloud", run);
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

    const run = runOf("prod");
    const gaming = named(run, types.proxmoxVm, "gaming-vm");
    expect(gaming.inputs).toMatchObject({ started: false, memory: { dedicated: 32 * 1024 } });
    // As committed, even started the gaming VM fits: 16 + 32 = 48 GB <= 52 GB.
    change(gaming, (p) => (p.started = true));
    expect(await policiesOver("prod", run)).toEqual([]);

    change(gaming, (p) => (p.memory = { dedicated: 40 * 1024 }));
    const violations = await policiesOver("prod", run);
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({ policy: "proxmox-host-capacity", resource: null });
    expect(violations[0].message).toContain(`running VMs need ${(16 + 40) * 1024} MiB; the host can give ${52 * 1024} MiB`);
  });

  test("oci-always-free: a cloud node grown by one OCPU and 1 GB", async () => {
    // The committed cloud stack uses the whole allowance: 1 + 2 + 1 OCPUs, 6 + 12 + 6 GB.
    const run = runOf("cloud");
    change(named(run, types.ociInstance, "cluster-oci-node-2"), (p) => (p.shapeConfig = { ocpus: 2, memoryInGbs: 7 }));
    const violations = await policiesOver("cloud", run);
    expect(violations.map((v) => `${v.policy}: ${v.message}`)).toEqual([
      "oci-always-free: 5 OCPUs requested, the Always Free limit is 4",
      "oci-always-free: 25 GB RAM requested, the Always Free limit is 24 GB",
    ]);
  });

  test("machines-tagged: a prod cluster VM without its stack tag", async () => {
    const run = runOf("prod");
    change(named(run, types.proxmoxVm, "cluster-prod-cp-1"), (p) => (p.tags = p.tags.filter((t: string) => t !== "prod")));
    const violations = await policiesOver("prod", run);
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({ policy: "machines-tagged", resource: "cluster-prod-cp-1" });
    expect(violations[0].message).toContain("VM cluster-prod-cp-1 has no stack tag");
  });

  test("the plan's no-plaintext-secrets: the dev kubeconfig command given its service account key in plain text", () => {
    const run = runOf("dev");
    const kubeconfig = named(run, "command:local:Command", "cluster-kubeconfig");
    expect((kubeconfig.inputs.environment as Record<string, string>).OMNI_SERVICE_ACCOUNT_KEY).toBe("[secret]");
    kubeconfig.inputs.environment = { OMNI_ENDPOINT: "https://omni.homelab.example", OMNI_SERVICE_ACCOUNT_KEY: "abc" };
    const violations = plaintextSecretViolations(run.resources);
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({ policy: "no-plaintext-secrets", resource: "cluster-kubeconfig" });
    expect(violations[0].message).toContain("input environment.OMNI_SERVICE_ACCOUNT_KEY looks like a credential but is not a secret");
  });

  test("the plan's no-plaintext-secrets: the cloud OCI provider given a plain PEM private key", () => {
    const run = runOf("cloud");
    const provider = named(run, "pulumi:providers:oci", "oci");
    provider.inputs.privateKey = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n";
    expect(plaintextSecretViolations(run.resources).map((v) => v.message)).toEqual([
      "oci: input privateKey looks like a credential but is not a secret; read it with config.requireSecret or pulumi.secret()",
    ]);
  });

  test("pinned-versions: the prod Cilium release given a version range, and Longhorn's Application given a branch", async () => {
    const run = runOf("prod");
    change(named(run, types.helmRelease, "platform-cilium"), (p) => (p.version = "^1.18"));
    change(named(run, types.argoApplication, "platform-app-longhorn"), (p) => (p.spec.source.targetRevision = "master"));
    const violations = await policiesOver("prod", run);
    expect(violations.map((v) => v.policy)).toEqual(["pinned-versions", "pinned-versions"]);
    expect(violations.map((v) => v.message).join("\n")).toMatch(/Release platform-cilium: chart version "\^1\.18" is not pinned/);
    expect(violations.map((v) => v.message).join("\n")).toContain("platform-app-longhorn");
  });

  test("container-resources: cert-manager's webhook on dev without a memory limit", async () => {
    const run = runOf("dev");
    change(named(run, types.helmRelease, "platform-cert-manager"), (p) => delete p.values.webhook.resources.limits.memory);
    const violations = await policiesOver("dev", run);
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({ policy: "container-resources", resource: "platform-cert-manager" });
    expect(violations[0].message).toContain("values.webhook.resources");
  });

  test("exposed-services: Hubble UI on the cloud cluster turned into a LoadBalancer", async () => {
    const run = runOf("cloud");
    change(named(run, types.helmRelease, "platform-cilium"), (p) => (p.values.hubble.ui.service.type = "LoadBalancer"));
    const violations = await policiesOver("cloud", run);
    expect(violations.map((v) => v.policy)).toEqual(["exposed-services"]);
    expect(violations[0].message).toContain("hubble.ui.service.type");
  });

  test("cluster-budget: the dev platform's Cilium agent asking for 2 GiB on the 4 GB node, in the first preview too", async () => {
    for (const phase of ["update", "preview"] as const) {
      const run = runOf("dev", phase);
      change(named(run, types.helmRelease, "platform-cilium"), (p) => (p.values.resources = { requests: { cpu: "50m", memory: "2Gi" }, limits: { cpu: "1", memory: "2Gi" } }));
      // The policy config regenerated from the changed program, as `npm run preview` does.
      const violations = await policiesOver("dev", run, planConfig("dev", run));
      expect(violations.map((v) => v.policy)).toEqual(["cluster-budget"]);
      expect(violations[0].message).toMatch(/^cluster dev: system 832 MiB \+ platform \d+ MiB \+ reserved for services 512 MiB = \d+ MiB exceeds allocatable 3484 MiB$/);
    }
  });

  test("cluster-budget-declared: the same change against the stale policy config of the committed program", async () => {
    const stale = planConfig("dev", runOf("dev"));
    const run = runOf("dev", "preview");
    change(named(run, types.helmRelease, "platform-cilium"), (p) => (p.values.resources = { requests: { cpu: "50m", memory: "2Gi" }, limits: { cpu: "1", memory: "2Gi" } }));
    const violations = await policiesOver("dev", run, stale);
    expect(violations.map((v) => v.policy)).toEqual(["cluster-budget-declared"]);
    expect(violations[0].message).toMatch(/^Release platform-cilium is declared as dev: \d+ MiB, \d+m CPU, but its inputs request dev: \d+ MiB, \d+m CPU; regenerate the policy config with `npm run preview -- --stack dev`$/);
  });

  test("public-dns-single-owner: external-dns delivered to prod next to the program's Cloudflare records", async () => {
    const run = runOf("prod");
    const nfs = deepCopy(named(run, types.argoApplication, "platform-app-csi-driver-nfs"));
    const dns = { ...nfs, name: "platform-app-external-dns", urn: nfs.urn.replace("platform-app-csi-driver-nfs", "platform-app-external-dns") };
    change(dns, (p) => {
      p.spec.source.chart = "external-dns";
      p.spec.source.repoURL = "https://kubernetes-sigs.github.io/external-dns";
    });
    run.resources.push(dns);
    const violations = byPolicy(await policiesOver("prod", run), "public-dns-single-owner");
    expect(violations).toHaveLength(1);
    expect(violations[0].resource).toBe("platform-app-external-dns");
  });

  test("sync-waves-ordered: cloud's local-path Application no longer waiting for wave 0, in both phases", async () => {
    for (const phase of ["preview", "update"] as const) {
      const run = runOf("cloud", phase);
      named(run, types.argoApplication, "platform-app-local-path").dependencies = [];
      const violations = await policiesOver("cloud", run);
      expect(violations.map((v) => v.policy)).toEqual(["sync-waves-ordered"]);
      expect(violations[0].message).toContain("Application platform-app-local-path (wave 1, cluster cloud) can start before directly installed release(s)");
    }
  });

  test("sync-waves-declared: an Application whose wave annotation no longer matches the policy config", async () => {
    const run = runOf("prod", "preview");
    const stale = planConfig("prod", runOf("prod"));
    change(named(run, types.argoApplication, "platform-app-longhorn"), (p) => (p.metadata.annotations["argocd.argoproj.io/sync-wave"] = "2"));
    const violations = await policiesOver("prod", run, stale);
    expect(violations.map((v) => [v.policy, v.message])).toEqual([
      ["sync-waves-declared", "Application platform-app-longhorn is declared as wave 1 on cluster prod, but its inputs say wave 2 on cluster prod; regenerate the policy config with `npm run preview -- --stack prod`"],
    ]);
  });
});
