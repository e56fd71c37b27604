// Gaming on KubeVirt (hypervisor.gpu.consumer kubevirt): the choice as the
// config rules hold it, and the pure renderers (kubevirtPlan.test.ts: the
// whole prod plan with the choice on).
import * as fs from "fs";
import * as path from "path";
import { cdiResource, kubevirtResource, launchPageAccess, pciResourceName, sessionManifests, SessionSpec, sunshinePorts } from "../../components/gaming/kubevirt";
import { gpuNodeTaint, gpuWorkerPatch, renderClusterTemplateDocs } from "../../components/omni/templates";
import { clusterSpec } from "../../components/TalosCluster";
import { gamingStreamServiceRef } from "../../config/schema";
import { kubevirtReleases, operatorManifestUrl } from "../../config/versions";
import { Values, configProblems } from "../helpers";
import { kubevirtOn } from "./kubevirtVariant";

const ids = ["10de:2684", "10de:22ba"];
const spec: SessionSpec = { name: "gaming", cores: 8, memoryGb: 32, diskGb: 1000, gamesDiskGb: 1000, deviceIds: ids, storageClass: "longhorn", stream: { service: "gaming/gaming-stream", address: "192.168.71.243" } };

describe("the GPU's consumer (config rules)", () => {
  test("the committed choice (gaming-vm, no gpu-worker) and KubeVirt with one gpu-worker both pass", () => {
    expect(configProblems("prod", () => undefined)).toEqual([]);
    expect(configProblems("prod", kubevirtOn)).toEqual([]);
  });

  test("gaming-vm with a gpu-worker node: two consumers, refused at that node", () => {
    expect(configProblems("prod", (v) => { kubevirtOn(v); v.hypervisor.gpu.consumer = "gaming-vm"; })).toContain(
      'homelab:cluster.nodes[2].role = "gpu-worker": expected controlplane or worker: the GPU is the Proxmox gaming VM\'s (hypervisor.gpu.consumer is gaming-vm), and one GPU serves one consumer',
    );
  });

  test("kubevirt without a gpu-worker, or with two, is refused", () => {
    expect(configProblems("prod", (v) => { kubevirtOn(v); v.cluster.nodes.pop(); })).toEqual([
      'homelab:hypervisor.gpu.consumer = "kubevirt": expected exactly one cluster node with role gpu-worker when the GPU is KubeVirt\'s (one GPU, one node); the cluster has 0',
    ]);
    expect(configProblems("prod", (v) => { kubevirtOn(v); v.cluster.nodes[1].role = "gpu-worker"; })).toContain(
      'homelab:hypervisor.gpu.consumer = "kubevirt": expected exactly one cluster node with role gpu-worker when the GPU is KubeVirt\'s (one GPU, one node); the cluster has 2',
    );
  });

  test("the gpu-worker must hold the session: the gaming VM's RAM + 3 GB and its cores + 1, each at its edge", () => {
    expect(configProblems("prod", (v) => { kubevirtOn(v); v.cluster.nodes[2].memoryGb = 26; v.cluster.nodes[2].cores = 8; })).toEqual([
      "homelab:cluster.nodes[2].memoryGb = 26: expected at least 27 GB: the KubeVirt session takes gamingVm.memoryGb (24 GB) and the node keeps 3 GB",
      "homelab:cluster.nodes[2].cores = 8: expected at least 9 vCPUs: the KubeVirt session takes gamingVm.cores (8) and the node keeps 1",
    ]);
  });

  test("the Proxmox gaming VM stays off when KubeVirt has the GPU", () => {
    expect(configProblems("prod", (v) => { kubevirtOn(v); v.gamingVm.started = true; })).toEqual([
      "homelab:gamingVm.started = true: expected false: the GPU is KubeVirt's (hypervisor.gpu.consumer), so the Proxmox gaming VM stays off, its disks kept",
    ]);
  });

  test("the stream Service must be among the LAN load balancer's Services", () => {
    expect(configProblems("prod", (v) => { kubevirtOn(v); v.platform.lanLoadBalancer.services.pop(); })).toEqual([
      'homelab:platform.lanLoadBalancer.services = ["adguard/adguard-dns","home-assistant/home-assistant-web","monitoring/teleme...: expected gaming/gaming-stream among the Services: Moonlight reaches the KubeVirt session\'s Sunshine there',
    ]);
    expect(gamingStreamServiceRef("room-pc")).toBe("gaming/room-pc-stream");
  });

  test("a bad choice names the key and the choices; dev never has a gpu-worker", () => {
    expect(configProblems("prod", (v) => (v.hypervisor.gpu.consumer = "both"))).toEqual([
      'homelab:hypervisor.gpu.consumer = "both": expected one of gaming-vm, kubevirt (who has the GPU: the Proxmox gaming VM, or KubeVirt on the cluster\'s gpu-worker node)',
    ]);
    expect(configProblems("dev", (v) => (v.cluster.nodes[0].role = "gpu-worker"))).toContain(
      'homelab:cluster.nodes[0].role = "gpu-worker": expected controlplane or worker: the host\'s one GPU is prod\'s to give (hypervisor.gpu.consumer)',
    );
  });
});

describe("KubeVirt's renderers", () => {
  test("KubeVirt permits each of the GPU's functions under its own resource, with the HostDevices gate, virt-handler onto the gpu-worker", () => {
    const kv = kubevirtResource(ids) as Values;
    expect(kv.spec.configuration.permittedHostDevices.pciHostDevices).toEqual([
      { pciVendorSelector: "10DE:2684", resourceName: "homelab.io/pci-10de-2684" },
      { pciVendorSelector: "10DE:22BA", resourceName: "homelab.io/pci-10de-22ba" },
    ]);
    expect(kv.spec.configuration.developerConfiguration.featureGates).toEqual(["HostDevices"]);
    expect(kv.spec.workloads.nodePlacement.tolerations).toEqual([{ key: "homelab.io/gpu", operator: "Equal", value: "kubevirt", effect: "NoSchedule" }]);
    expect(kv.spec.workloadUpdateStrategy).toEqual({ workloadUpdateMethods: [] });
    expect(() => kubevirtResource([])).toThrow("expected the GPU's vendor:device ids");
    expect(cdiResource()).toMatchObject({ kind: "CDI", metadata: { name: "cdi" }, spec: { uninstallStrategy: "BlockUninstallIfWorkloadsExist" } });
  });

  test("the session: namespace, golden image, cloned system disk, blank games disk, the VM (started on request), the stream Service, in that order", () => {
    const ms = sessionManifests(spec) as Values[];
    expect(ms.map((m) => `${m.kind}/${m.metadata.name}`)).toEqual(["Namespace/gaming", "DataVolume/windows-golden", "DataVolume/gaming-system", "DataVolume/gaming-games", "VirtualMachine/gaming", "Service/gaming-stream"]);
    const [, golden, system, games, vm, service] = ms;
    expect(golden.spec.source).toEqual({ upload: {} });
    expect(golden.metadata.annotations).toEqual({ "cdi.kubevirt.io/storage.bind.immediate.requested": "true" });
    expect(system.spec.source).toEqual({ pvc: { namespace: "gaming", name: "windows-golden" } });
    expect(games.spec.source).toEqual({ blank: {} });
    expect([golden, system, games].map((d) => [d.spec.storage.storageClassName, d.spec.storage.resources.requests.storage])).toEqual([["longhorn", "1000Gi"], ["longhorn", "1000Gi"], ["longhorn", "1000Gi"]]);
    // Manual: started and stopped on request only, so a deploy never undoes a start (Halted would be set back to Always by a start).
    expect(vm.spec.runStrategy).toBe("Manual");
    const t = vm.spec.template.spec;
    expect(t.nodeSelector).toEqual({ [gpuNodeTaint.key]: gpuNodeTaint.value });
    expect(t.domain.cpu.cores).toBe(8);
    expect(t.domain.memory.guest).toBe("32Gi");
    expect(t.domain.devices.hostDevices).toEqual([{ name: "gpu", deviceName: pciResourceName(ids[0]) }, { name: "gpu-function-1", deviceName: pciResourceName(ids[1]) }]);
    expect(t.volumes).toEqual([{ name: "system", dataVolume: { name: "gaming-system" } }, { name: "games", dataVolume: { name: "gaming-games" } }]);
    expect(service.spec.type).toBe("LoadBalancer");
    expect(service.spec.selector).toEqual({ "homelab.io/gaming-session": "gaming" });
    expect(vm.spec.template.metadata.labels["homelab.io/gaming-session"]).toBe("gaming");
    expect(service.metadata.annotations).toEqual({ "lbipam.cilium.io/ips": "192.168.71.243" });
    expect(service.metadata.labels["homelab.io/lan-load-balancer"]).toBe("true");
    expect(service.spec.ports.map((p: Values) => `${p.protocol}/${p.port}`)).toEqual([...sunshinePorts.tcp.map((p) => `TCP/${p}`), ...sunshinePorts.udp.map((p) => `UDP/${p}`)]);
    // No fixed address: the pool picks one.
    expect((sessionManifests({ ...spec, stream: { service: spec.stream.service } })[5] as Values).metadata.annotations).toBeUndefined();
    expect(() => sessionManifests({ ...spec, stream: { service: "default/gaming-stream" } })).toThrow("expected the stream Service in namespace gaming, got default/gaming-stream");
  });

  test("each object whole, as KubeVirt and CDI read it (kubevirt-check reads the same in npm run verify)", () => {
    const [ns, golden, system, , vm, service] = sessionManifests(spec) as Values[];
    expect(ns).toEqual({ apiVersion: "v1", kind: "Namespace", metadata: { name: "gaming", labels: { "pod-security.kubernetes.io/enforce": "privileged", "pod-security.kubernetes.io/audit": "privileged", "pod-security.kubernetes.io/warn": "privileged" } } });
    const storage = (size: string) => ({ accessModes: ["ReadWriteOnce"], volumeMode: "Block", storageClassName: "longhorn", resources: { requests: { storage: size } } });
    expect(system).toEqual({ apiVersion: "cdi.kubevirt.io/v1beta1", kind: "DataVolume", metadata: { name: "gaming-system", namespace: "gaming", labels: { "homelab.io/backup": "none" } }, spec: { source: { pvc: { namespace: "gaming", name: "windows-golden" } }, storage: storage("1000Gi") } });
    expect(golden.metadata).toEqual({ name: "windows-golden", namespace: "gaming", labels: { "homelab.io/backup": "none" }, annotations: { "cdi.kubevirt.io/storage.bind.immediate.requested": "true" } });
    const labels = { "app.kubernetes.io/name": "gaming", "homelab.io/gaming-session": "gaming" };
    expect(vm.metadata).toEqual({ name: "gaming", namespace: "gaming", labels });
    expect(vm.spec.template.metadata).toEqual({ labels });
    expect(vm.spec.template.spec).toEqual({
      nodeSelector: { "homelab.io/gpu": "kubevirt" },
      tolerations: [{ key: "homelab.io/gpu", operator: "Equal", value: "kubevirt", effect: "NoSchedule" }],
      terminationGracePeriodSeconds: 180,
      domain: {
        cpu: { cores: 8, sockets: 1, threads: 1 },
        memory: { guest: "32Gi" },
        // Windows 11 boots by UEFI; Hyper-V enlightenments and its timers keep it fast and its clock right.
        firmware: { bootloader: { efi: { secureBoot: false } } },
        features: { acpi: {}, apic: {}, hyperv: { relaxed: {}, vapic: {}, spinlocks: { spinlocks: 8191 } } },
        clock: { utc: {}, timer: { hpet: { present: false }, pit: { tickPolicy: "delay" }, rtc: { tickPolicy: "catchup" }, hyperv: {} } },
        devices: {
          disks: [
            { name: "system", disk: { bus: "virtio" }, bootOrder: 1 },
            { name: "games", disk: { bus: "virtio" } },
          ],
          hostDevices: [
            { name: "gpu", deviceName: "homelab.io/pci-10de-2684" },
            { name: "gpu-function-1", deviceName: "homelab.io/pci-10de-22ba" },
          ],
          interfaces: [{ name: "default", masquerade: {}, model: "virtio" }],
        },
      },
      networks: [{ name: "default", pod: {} }],
      volumes: [
        { name: "system", dataVolume: { name: "gaming-system" } },
        { name: "games", dataVolume: { name: "gaming-games" } },
      ],
    });
    expect(service.metadata).toEqual({ name: "gaming-stream", namespace: "gaming", labels: { ...labels, "homelab.io/lan-load-balancer": "true" }, annotations: { "lbipam.cilium.io/ips": "192.168.71.243" } });
    expect(service.spec.ports[0]).toEqual({ name: "tcp-47984", protocol: "TCP", port: 47984, targetPort: 47984 });
    expect(service.spec.ports.at(-1)).toEqual({ name: "udp-48002", protocol: "UDP", port: 48002, targetPort: 48002 });
    expect(kubevirtResource(["10de:2684"])).toEqual({
      apiVersion: "kubevirt.io/v1",
      kind: "KubeVirt",
      metadata: { name: "kubevirt", namespace: "kubevirt" },
      spec: {
        configuration: { developerConfiguration: { featureGates: ["HostDevices"] }, permittedHostDevices: { pciHostDevices: [{ pciVendorSelector: "10DE:2684", resourceName: "homelab.io/pci-10de-2684" }] } },
        imagePullPolicy: "IfNotPresent",
        workloadUpdateStrategy: { workloadUpdateMethods: [] },
        workloads: { nodePlacement: { tolerations: [{ key: "homelab.io/gpu", operator: "Equal", value: "kubevirt", effect: "NoSchedule" }] } },
      },
    });
    expect(cdiResource()).toEqual({ apiVersion: "cdi.kubevirt.io/v1beta1", kind: "CDI", metadata: { name: "cdi" }, spec: { imagePullPolicy: "IfNotPresent", uninstallStrategy: "BlockUninstallIfWorkloadsExist", config: { featureGates: ["HonorWaitForFirstConsumer"] } } });
    expect(() => sessionManifests({ ...spec, deviceIds: [] })).toThrow("session gaming: expected the GPU's vendor:device ids");
    expect(() => sessionManifests({ ...spec, stream: { service: "gaming/" } })).toThrow("expected the stream Service in namespace gaming, got gaming/");
  });

  test("the launch page may read, start and stop that one session, and nothing else", () => {
    const [role, binding] = launchPageAccess(spec, "gaming-launch") as Values[];
    expect(role.rules).toEqual([
      { apiGroups: ["kubevirt.io"], resources: ["virtualmachines", "virtualmachineinstances"], resourceNames: ["gaming"], verbs: ["get"] },
      { apiGroups: ["subresources.kubevirt.io"], resources: ["virtualmachines/start", "virtualmachines/stop"], resourceNames: ["gaming"], verbs: ["update"] },
      { apiGroups: [""], resources: ["services"], resourceNames: ["gaming-stream"], verbs: ["get"] },
    ]);
    expect(binding.subjects).toEqual([{ kind: "ServiceAccount", name: "default", namespace: "gaming-launch" }]);
    expect(binding.roleRef).toEqual({ apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name });
    expect([role.metadata, binding.metadata]).toEqual([{ name: "gaming-launch-session", namespace: "gaming" }, { name: "gaming-launch-session", namespace: "gaming" }]);
    expect([role.apiVersion, role.kind, binding.apiVersion, binding.kind]).toEqual(["rbac.authorization.k8s.io/v1", "Role", "rbac.authorization.k8s.io/v1", "RoleBinding"]);
  });

  test("the gpu-worker's Talos patch: vfio-pci takes the GPU's functions, the node is labelled and tainted; only the gpu-workers get it", () => {
    expect(gpuWorkerPatch(ids)).toEqual({
      machine: {
        nodeLabels: { "homelab.io/gpu": "kubevirt" },
        nodeTaints: { "homelab.io/gpu": "kubevirt:NoSchedule" },
        kernel: { modules: [{ name: "vfio_pci", parameters: ["ids=10de:2684,10de:22ba"] }, { name: "vfio_iommu_type1" }] },
      },
    });
    expect(() => gpuWorkerPatch([])).toThrow("expected the GPU's vendor:device ids");
    const node = (name: string, role: "controlplane" | "worker" | "gpu-worker") => ({ name, role, vmId: 1, machineUuid: "u", cores: 2, memoryGb: 4, diskGb: 10, ip: "10.0.0.1" });
    const machines = { platform: "proxmox" as const, nodes: [node("cp", "controlplane"), node("w", "worker"), node("g", "gpu-worker")] } as never;
    const docs = renderClusterTemplateDocs(clusterSpec({ name: "prod", versions: { talos: "1.13.10", kubernetes: "1.36.3" }, machines: { ...(machines as object), gpu: { mapping: "nvidia-gpu", vendorDeviceIds: ids } } as never })) as Values[];
    expect(docs.filter((d) => d.kind === "Workers").map((d) => [d.name, d.patches?.map((p: Values) => p.name)])).toEqual([["workers", undefined], ["gpu-workers", ["gpu-worker"]]]);
    expect(() => renderClusterTemplateDocs(clusterSpec({ name: "prod", versions: { talos: "1.13.10", kubernetes: "1.36.3" }, machines }))).toThrow("a gpu-worker needs the GPU's vendor:device ids");
  });

  test("the operators' manifests are the pinned releases' own, and tools/kubevirt-check reads the same releases' API types", () => {
    expect(operatorManifestUrl(kubevirtReleases.kubevirt)).toBe("https://github.com/kubevirt/kubevirt/releases/download/v1.9.0/kubevirt-operator.yaml");
    expect(operatorManifestUrl(kubevirtReleases.cdi)).toBe("https://github.com/kubevirt/containerized-data-importer/releases/download/v1.66.0/cdi-operator.yaml");
    const mod = fs.readFileSync(path.join(__dirname, "../../tools/kubevirt-check/go.mod"), "utf8");
    const required = (module: string) => new RegExp(`^\\s*${module.replace(/[./]/g, "\\$&")} (v\\S+)$`, "m").exec(mod)?.[1];
    expect([required("kubevirt.io/api"), required("kubevirt.io/containerized-data-importer-api")]).toEqual([kubevirtReleases.kubevirt.version, kubevirtReleases.cdi.version]);
  });
});
