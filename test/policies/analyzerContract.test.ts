// The offline analyzer against the real thing. The same engine requests (what
// the engine sends for a recorded run: Analyze per registration with its
// inputs, AnalyzeStack with the outputs) go to a policy pack served by the real
// SDK, started as the CLI starts it, and to the offline analyzer; their
// verdicts must be the same. Two packs: an idiomatic one (type-filtered
// policies, isType/asType, notApplicable, options, providers, outputs, unknowns)
// and the homelab pack itself, from policies/ with its own node_modules.
import * as path from "path";
import { Policies } from "@pulumi/policy";
import { StackKind } from "../../config/schema";
import { AnalyzerResource, PolicyConfig, Violation, analyzeRequests, analyzeStackRequest, reconcilePolicyConfig, runPolicyPack } from "../../plan/analyzer";
import type { Phase, ProgramRun, RecordedResource } from "../../plan/mockRuntime";
import { committedStackConfig } from "../../plan/plan";
import { policyConfigFor } from "../../plan/policyConfig";
import { projectRoot } from "../../plan/stackFiles";
import { allPolicies } from "../../policies/rules";
import { types } from "../../policies/rules/types";
import { catalog } from "../../services";
import { RunningPack, packIdentity, startPolicyPack } from "../../verify/policyPack";
import { deepCopy } from "./fixtures";

const contractDir = path.join(projectRoot, "test", "fixtures", "contract-pack");
const homelabDir = path.join(projectRoot, "policies");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const contractPolicies: Policies = require(path.join(contractDir, "policies.js")).policies;

async function runFresh(stack: StackKind, phase: Phase): Promise<ProgramRun> {
  let run: ProgramRun | undefined;
  await jest.isolateModulesAsync(async () => {
    const plan: typeof import("../../plan/plan") = await import("../../plan/plan");
    run = await plan.runCommittedStack(stack, phase);
  });
  return run as ProgramRun;
}

const sorted = (vs: Violation[]) => vs.map((v) => `${v.policy} | ${v.level} | ${v.urn} | ${v.message}`).sort();
const requestsOf = (run: ProgramRun): { analyze: AnalyzerResource[]; stack: AnalyzerResource[] } => ({ analyze: analyzeRequests(run), stack: analyzeStackRequest(run) });

const runs: Record<string, ProgramRun> = {};
let contract: RunningPack;
let homelab: RunningPack;
beforeAll(async () => {
  [contract, homelab] = await Promise.all([startPolicyPack(contractDir), startPolicyPack(homelabDir)]);
  for (const stack of ["prod", "cloud"] as const) for (const phase of ["preview", "update"] as const) runs[`${stack}-${phase}`] = await runFresh(stack, phase);
}, 240000);
afterAll(() => {
  contract?.stop();
  homelab?.stop();
});

describe("an idiomatic SDK pack", () => {
  const config: PolicyConfig = { "vm-memory": { maxMiB: 8192 } };
  test.each(["prod-preview", "prod-update", "cloud-preview", "cloud-update"])("gets the same verdicts from the real SDK server and from the offline analyzer (%s)", async (key) => {
    const requests = requestsOf(runs[key]);
    const reconciled = reconcilePolicyConfig(contractPolicies, config, "mandatory");
    const offline = await runPolicyPack(contractPolicies, requests, reconciled, packIdentity(contractDir));
    const real = await contract.analyze(requests, reconciled);
    expect(sorted(offline.violations)).toEqual(sorted(real));
    expect(real.length).toBeGreaterThan(0);
  });

  test("sees what the engine shows: inputs to resource policies, no outputs for Kubernetes in a first preview, unknowns as advisories", async () => {
    const reconciled = reconcilePolicyConfig(contractPolicies, config, "mandatory");
    const prodPreview = await runPolicyPack(contractPolicies, requestsOf(runs["prod-preview"]), reconciled, packIdentity(contractDir));
    const prodUpdate = await runPolicyPack(contractPolicies, requestsOf(runs["prod-update"]), reconciled, packIdentity(contractDir));
    const waves = (vs: Violation[]) => vs.filter((v) => v.policy === "application-waves-seen").map((v) => v.message.split(",")[0]);
    const services = ["adguard", "audiobookshelf", "gaming-launch", "grafana", "home-assistant", "komga", "ntfy", "romm"].map((s) => `platform-service-${s}-application`);
    const platformApps = ["platform-app-alloy", "platform-app-arc-controller", "platform-app-arc-runners", "platform-app-blackbox-exporter", "platform-app-cloudnative-pg", "platform-app-csi-driver-nfs", "platform-app-kube-prometheus-stack", "platform-app-loki", "platform-app-longhorn", "platform-app-velero", "platform-app-volsync"];
    expect(waves(prodPreview.violations)).toEqual([...services, ...platformApps].map((a) => `${a}: wave none`));
    const waveOf = (app: string) => catalog.find((e) => app === `platform-service-${e.name}-application`)?.wave;
    expect(waves(prodUpdate.violations)).toEqual([...services.map((a) => `${a}: wave ${waveOf(a)}`), ...platformApps.map((a) => `${a}: wave ${a === "platform-app-arc-runners" ? 4 : 1}`)]);
    expect(prodUpdate.violations.filter((v) => v.policy === "vm-memory").map((v) => v.message)).toEqual(["gaming-vm has 32768 MiB; at most 8192", "cluster-prod-worker-1 has 12288 MiB; at most 8192"]);
    expect(prodUpdate.violations.filter((v) => v.policy === "machines-protected").map((v) => v.message)).toEqual([expect.stringMatching(/^gaming-vm \(\d+ inputs, provider proxmox\) is not protected$/)]);
    const cloudPreview = await runPolicyPack(contractPolicies, requestsOf(runs["cloud-preview"]), reconciled, packIdentity(contractDir));
    expect(cloudPreview.violations.filter((v) => v.policy === "reserved-ip-attached")).toEqual([
      {
        policy: "reserved-ip-attached",
        resource: null,
        urn: null,
        level: "advisory",
        message: "can't run policy 'reserved-ip-attached' from policy pack 'contract@v1.0.0' during preview: string value at .privateIpId can't be known during preview",
      },
    ]);
  });
});

describe("the homelab pack, served from policies/ with its own dependencies", () => {
  const configFor = (stack: StackKind, run: ProgramRun) => policyConfigFor(committedStackConfig(stack), run) as unknown as PolicyConfig;
  const bothWays = async (run: ProgramRun, config: PolicyConfig) => {
    const reconciled = reconcilePolicyConfig(allPolicies, config, "mandatory");
    const offline = await runPolicyPack(allPolicies, requestsOf(run), reconciled);
    return { offline: sorted(offline.violations), real: sorted(await homelab.analyze(requestsOf(run), reconciled)) };
  };

  test.each(["prod-preview", "prod-update", "cloud-preview", "cloud-update"])("passes the committed %s run in both, with the plan's policy config", async (key) => {
    const stack = key.split("-")[0] as StackKind;
    const { offline, real } = await bothWays(runs[key], configFor(stack, runs[`${stack}-update`]));
    expect(offline).toEqual([]);
    expect(real).toEqual([]);
  });

  test("reports the same violations for a stack with a problem per policy, in a first preview", async () => {
    const run = deepCopy(runs["prod-preview"]);
    const config = configFor("prod", runs["prod-update"]);
    const named = (type: string, name: string) => run.resources.find((r) => r.type === type && r.name === name) as RecordedResource;
    named(types.helmRelease, "platform-cilium").wireInputs.version = "^1.18";
    (named(types.proxmoxVm, "cluster-prod-cp-1").wireInputs.tags as string[]).splice(0);
    ((named(types.helmRelease, "platform-cert-manager").wireInputs.values as { webhook: { resources: { limits: Record<string, string> } } }).webhook.resources.limits as Record<string, string>).memory = "lots";
    const longhorn = named(types.argoApplication, "platform-app-longhorn");
    (longhorn.wireInputs.metadata as { annotations: Record<string, string> }).annotations["argocd.argoproj.io/sync-wave"] = "2";
    named(types.argoApplication, "platform-app-csi-driver-nfs").dependencies = [];
    const { offline, real } = await bothWays(run, config);
    expect(offline).toEqual(real);
    expect(new Set(offline.map((v) => v.split(" | ")[0]))).toEqual(new Set(["pinned-versions", "machines-tagged", "backup-decision-recorded", "container-resources", "sync-waves-declared", "sync-waves-ordered"]));
  });

  test("refuses a config that does not fit the policies' schemas, as the engine does", () => {
    expect(() => reconcilePolicyConfig(allPolicies, { "proxmox-host-capacity": { hostMemoryGb: "lots" } }, "mandatory")).toThrow("proxmox-host-capacity.hostMemoryGb: must be integer");
  });
});
