// The whole prod plan with KubeVirt given the GPU (a copy of the committed
// stack files switched as docs/runbooks/gaming.md says): every policy passes,
// the KubeVirt stack is there, and the GPU moves to the gpu-worker.
import * as fs from "fs";
import { kubevirtReleases, operatorManifestUrl } from "../../config/versions";
import { planStack } from "../../plan/plan";
import { Values } from "../helpers";
import { kubevirtRoot } from "./kubevirtVariant";

describe("the prod plan with KubeVirt given the GPU", () => {
  let plan: Awaited<ReturnType<typeof planStack>>;
  let root: string;
  beforeAll(async () => {
    root = kubevirtRoot();
    plan = await planStack("prod", root);
  }, 240_000);
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  const ofType = (type: string) => plan.resources.filter((r) => r.type === type);
  const input = (r: { inputs: Record<string, unknown> }) => r.inputs as Values;

  test("every policy passes, gpu-one-consumer among them", () => {
    expect(plan.violations).toEqual([]);
  });

  test("shows the KubeVirt stack: both operators from their pinned manifests, KubeVirt and CDI, the session's objects, after the platform", () => {
    expect(plan.components).toContainEqual({ type: "homelab:index:GamingSessions", name: "gaming-sessions" });
    expect(ofType("kubernetes:yaml/v2:ConfigFile").map((r) => input(r).file)).toEqual(expect.arrayContaining([operatorManifestUrl(kubevirtReleases.kubevirt), operatorManifestUrl(kubevirtReleases.cdi)]));
    const kinds = plan.resources.filter((r) => r.name.startsWith("gaming-sessions-")).map((r) => `${r.type.split(":")[1]}:${r.type.split(":")[2]}`);
    expect(kinds).toEqual(
      expect.arrayContaining(["kubevirt.io/v1:KubeVirt", "cdi.kubevirt.io/v1beta1:CDI", "cdi.kubevirt.io/v1beta1:DataVolume", "kubevirt.io/v1:VirtualMachine", "core/v1:Service", "core/v1:Namespace", "rbac.authorization.k8s.io/v1:Role", "rbac.authorization.k8s.io/v1:RoleBinding"]),
    );
    // A component's dependency stands for its children (as the engine expands it): the platform's Longhorn release among them.
    const sessions = plan.resources.find((r) => r.type === "homelab:index:GamingSessions")!;
    expect(sessions.dependencies).toContain(plan.resources.find((r) => r.name === "platform-app-longhorn")!.urn);
    expect(plan.outputs).toContain("gamingSession");
  });

  test("the GPU moves: the gaming VM keeps its disks without it, the gpu-worker VM has it behind an emulated IOMMU", () => {
    const vms = ofType("proxmoxve:index/vmLegacy:VmLegacy");
    const gaming = vms.find((r) => r.name === "gaming-vm")!;
    expect(input(gaming).hostpcis).toBeUndefined();
    expect(input(gaming).disks).toHaveLength(2);
    const holders = vms.filter((r) => input(r).hostpcis !== undefined);
    expect(holders.map((r) => [r.name, input(r).machine, input(r).hostpcis])).toEqual([["cluster-prod-gpu-1", "q35,viommu=intel", [{ device: "hostpci0", mapping: "nvidia-gpu", pcie: true, rombar: true }]]]);
    // The cluster waits for the gaming VM to let go of the GPU.
    const cluster = plan.resources.find((r) => r.type === "homelab:index:TalosCluster")!;
    expect(cluster.dependencies).toContain(gaming.urn);
  });

  test("Longhorn's agents tolerate the gpu-worker's taint, so the session's disks attach there", () => {
    const longhorn = plan.resources.find((r) => r.name === "platform-app-longhorn")!;
    const values = (longhorn.inputs as Values).spec.source.helm.valuesObject;
    const toleration = { key: "homelab.io/gpu", operator: "Equal", value: "kubevirt", effect: "NoSchedule" };
    expect([values.defaultSettings.taintToleration, values.longhornManager, values.longhornDriver]).toEqual(["homelab.io/gpu=kubevirt:NoSchedule", { tolerations: [toleration] }, { tolerations: [toleration] }]);
  });

  test("the cluster template gives the gpu-workers their patch", () => {
    const template = plan.artifacts.find((a) => a.path.endsWith("cluster-template.yaml"))!;
    expect(template.content).toContain("name: gpu-workers");
    expect(template.content).toContain("ids=10de:2684,10de:22ba");
  });
});
