// Sync waves are really ordered on each stack's recorded resource graph:
// every wave-N Application depends on all wave-(N-1) Applications of its
// cluster, and wave 1 on every release installed directly (wave 0).
import * as k8s from "@pulumi/kubernetes";
import { ClusterPlatform } from "../../components/ClusterPlatform";
import { analyze } from "../../plan/analyzer";
import { ProgramRun, recordResources } from "../../plan/mockRuntime";
import { waveDeclarationsOf } from "../../plan/policyConfig";
import { waveDeclaredPolicy, waveOrderPolicy } from "../../policies/rules/waveOrder";
import { committedRaw, ofType, runStack } from "../helpers";

const APP = "kubernetes:argoproj.io/v1alpha1:Application";
const RELEASE = "kubernetes:helm.sh/v3:Release";

/** The wave policies over a run, with the declarations the plan writes for it. */
async function violations(run: ProgramRun, stackCluster = run.stack) {
  const config = { stackCluster, resources: waveDeclarationsOf(run, stackCluster) };
  return (await analyze([waveDeclaredPolicy, waveOrderPolicy], run, { "sync-waves-declared": config, "sync-waves-ordered": config })).violations;
}

describe.each(["dev", "prod", "cloud"] as const)("waves of the %s stack", (stack) => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await runStack(stack);
  });

  it("has wave-1 Applications that wait for every directly installed release", async () => {
    const apps = ofType(run, APP);
    expect(apps.length).toBeGreaterThan(0);
    expect(await violations(run)).toEqual([]);
  });

  it("would be caught if an Application stopped waiting for a release", async () => {
    // The platform's first-wave Applications (the services come in later waves).
    const apps = ofType(run, APP).filter((r) => (r.inputs.metadata as { annotations: Record<string, string> }).annotations["argocd.argoproj.io/sync-wave"] === "1");
    const cilium = ofType(run, RELEASE).find((r) => r.name === "platform-cilium");
    // Without its dependency on the last wave-0 resources, the Application no longer reaches Cilium.
    const broken = { ...run, resources: run.resources.map((r) => (r.urn === apps[0].urn ? { ...r, dependencies: [] } : r)) };
    const found = await violations(broken);
    expect(found).toHaveLength(1);
    expect(found[0].message).toContain(`Application ${apps[0].name} (wave 1, cluster ${stack}) can start before directly installed release(s)`);
    expect(found[0].message).toContain(cilium?.name);
  });
});

describe("waves beyond the platform", () => {
  // The platform of dev plus services in waves 2 and 3, as later catalog entries add them.
  const program = () => {
    const raw = committedRaw("dev").values;
    const provider = new k8s.Provider("dev", { kubeconfig: "kubeconfig" });
    const hub = new k8s.Provider("hub", { kubeconfig: "kubeconfig" });
    const platform = new ClusterPlatform("platform", {
      cluster: "dev",
      site: "home",
      workloadNodes: 1,
      platform: raw.platform,
      telemetry: { sendTo: "192.168.71.242", stack: "dev" },
      provider,
      hub: { cluster: "prod", provider: hub },
      registrationKubeconfig: "users: [{ user: { token: t } }]\nclusters: [{ cluster: { server: 'https://x' } }]",
      bitwardenMachineToken: "token",
      services: { entries: [], settings: raw.services, reduced: true, catalog: [] },
    });
    const svc = (name: string, wave: 2 | 3) =>
      platform.application({ name: `dev-${name}`, cluster: "dev", project: "dev-services", namespace: name, wave, values: {}, source: { repoURL: "https://charts.example", chart: name, version: "1.0.0" } });
    svc("postgres", 2);
    svc("redis", 2);
    svc("nextcloud", 3);
    svc("immich", 3);
    return {};
  };

  it("makes every wave-3 Application depend on both wave-2 ones, and those on the wave-1 storage", async () => {
    const run = await recordResources({ stack: "dev", config: {}, secretKeys: [] }, program);
    const byName = (n: string) => run.resources.find((r) => r.type === APP && (r.inputs.metadata as { name: string }).name === n) as ProgramRun["resources"][number];
    const wave2 = ["dev-postgres", "dev-redis"].map(byName);
    for (const n of ["dev-nextcloud", "dev-immich"]) expect(byName(n).dependencies.sort()).toEqual(wave2.map((r) => r.urn).sort());
    for (const r of wave2) expect(r.dependencies).toEqual(expect.arrayContaining([byName("dev-csi-driver-nfs").urn, byName("dev-local-path").urn]));
    expect(await violations(run)).toEqual([]);
  });

  it("is caught when a wave-3 Application skips one of wave 2", async () => {
    const run = await recordResources({ stack: "dev", config: {}, secretKeys: [] }, program);
    const redis = run.resources.find((r) => r.name === "platform-app-redis")?.urn;
    const broken = { ...run, resources: run.resources.map((r) => (r.name === "platform-app-immich" ? { ...r, dependencies: r.dependencies.filter((d) => d !== redis) } : r)) };
    const found = await violations(broken);
    expect(found.map((v) => v.message)).toEqual(["Application platform-app-immich (wave 3, cluster dev) can start before wave 2 Application(s) platform-app-redis; expected it to depend on them"]);
  });
});
