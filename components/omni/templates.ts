// Pure renderers for the Omni documents of one cluster: MachineClasses,
// MachineLabels and the cluster template. They return plain data/YAML so
// tests (and `omnictl cluster template validate`) read exactly what is applied.
import { stringify } from "yaml";
import { ClusterVersions } from "../../config/schema";

export type MachineRole = "controlplane" | "worker" | "gpu-worker";

/** Label keys the program puts on machines; Omni reserves omni.sidero.dev/. */
export const labelKeys = { cluster: "homelab.io/cluster", role: "homelab.io/role" } as const;

export interface ClusterMachine {
  /** Omni machine ID (the SMBIOS UUID) when known ahead of time (Proxmox VMs). */
  uuid?: string;
  role: MachineRole;
  /** Cores the machine reports to Omni; used to tell roles apart where UUIDs are unknown (OCI). */
  cores: number;
  hostname: string;
}

export interface ClusterSpec {
  name: string;
  versions: ClusterVersions;
  machines: ClusterMachine[];
  /** Control-plane nodes also run workloads (single-node clusters). */
  schedulableControlPlane: boolean;
  /** How machines are told apart: by their UUID labels, or by core count. */
  selectBy: "labels" | "cores";
  /** Talos system extensions every machine of the cluster gets (e.g. iscsi-tools for Longhorn). */
  systemExtensions: string[];
  /** Further Talos config patches the cluster's platform needs. */
  extraPatches: { name: string; inline: object }[];
  /** The GPU's vendor:device ids, which the gpu-worker binds to vfio-pci for KubeVirt. */
  gpuDeviceIds?: string[];
}

/** The gpu-worker's label and taint: only KubeVirt's gaming sessions (and the node agents that tolerate it) run there. */
export const gpuNodeTaint = { key: "homelab.io/gpu", value: "kubevirt", effect: "NoSchedule" } as const;

/**
 * Talos patch of the gpu-worker: vfio-pci claims the GPU and its audio function
 * at boot (Talos ships no NVIDIA driver that could take it first), and the node
 * is labelled and tainted for the gaming sessions.
 */
export function gpuWorkerPatch(deviceIds: string[]): object {
  if (deviceIds.length === 0) throw new Error("gpuWorkerPatch: expected the GPU's vendor:device ids");
  return {
    machine: {
      nodeLabels: { [gpuNodeTaint.key]: gpuNodeTaint.value },
      nodeTaints: { [gpuNodeTaint.key]: `${gpuNodeTaint.value}:${gpuNodeTaint.effect}` },
      kernel: { modules: [{ name: "vfio_pci", parameters: [`ids=${deviceIds.join(",")}`] }, { name: "vfio_iommu_type1" }] },
    },
  };
}

export const machineClassName = (cluster: string, role: MachineRole) =>
  `${cluster}-${role === "controlplane" ? "control-plane" : role}`;

const rolesOf = (spec: ClusterSpec): MachineRole[] =>
  (["controlplane", "worker", "gpu-worker"] as const).filter((role) => spec.machines.some((m) => m.role === role));

/** Selector of one role's machines, as an Omni label-selector string. */
export function roleSelector(spec: ClusterSpec, role: MachineRole): string {
  const clusterLabel = `${labelKeys.cluster} = ${spec.name}`;
  if (spec.selectBy === "labels") return `${clusterLabel}, ${labelKeys.role} = ${role}`;
  const cores = new Set(spec.machines.filter((m) => m.role === role).map((m) => m.cores));
  if (cores.size !== 1) throw new Error(`cluster ${spec.name}: role ${role} machines must share one core count to be selected by cores`);
  return `${clusterLabel}, omni.sidero.dev/cores = ${[...cores][0]}`;
}

/** MachineClass documents for `omnictl apply`. */
export function renderMachineClasses(spec: ClusterSpec): object[] {
  return rolesOf(spec).map((role) => ({
    metadata: { namespace: "default", type: "MachineClasses.omni.sidero.dev", id: machineClassName(spec.name, role) },
    spec: { matchlabels: [roleSelector(spec, role)] },
  }));
}

/** MachineLabels documents for machines whose UUID is known (they tag a machine with its cluster and role). */
export function renderMachineLabels(spec: ClusterSpec): object[] {
  return spec.machines
    .filter((m) => m.uuid !== undefined)
    .map((m) => ({
      metadata: {
        namespace: "default",
        type: "MachineLabels.omni.sidero.dev",
        id: m.uuid,
        labels: { [labelKeys.cluster]: spec.name, [labelKeys.role]: m.role },
      },
      spec: {},
    }));
}

/** Talos patch: Cilium is the CNI and replaces kube-proxy. */
export const ciliumPatch = {
  cluster: { network: { cni: { name: "none" } }, proxy: { disabled: true } },
};

/** Talos patch for single-node clusters: let workloads run on the control plane. */
export const schedulableControlPlanePatch = { cluster: { allowSchedulingOnControlPlanes: true } };

export function clusterPatches(spec: ClusterSpec): { name: string; inline: object }[] {
  const patches: { name: string; inline: object }[] = [{ name: "cilium-cni", inline: ciliumPatch }];
  if (spec.schedulableControlPlane) patches.push({ name: "schedulable-control-plane", inline: schedulableControlPlanePatch });
  return [...patches, ...spec.extraPatches];
}

/** The cluster template documents (Cluster, ControlPlane, Workers..., Machine...). */
export function renderClusterTemplateDocs(spec: ClusterSpec): object[] {
  const count = (role: MachineRole) => spec.machines.filter((m) => m.role === role).length;
  const docs: object[] = [
    {
      kind: "Cluster",
      name: spec.name,
      ...(spec.systemExtensions.length > 0 ? { systemExtensions: spec.systemExtensions } : {}),
      kubernetes: { version: `v${spec.versions.kubernetes}` },
      talos: { version: `v${spec.versions.talos}` },
      features: { enableWorkloadProxy: false, backupConfiguration: { interval: "6h" } },
      patches: clusterPatches(spec),
    },
    { kind: "ControlPlane", machineClass: { name: machineClassName(spec.name, "controlplane"), size: count("controlplane") } },
  ];
  for (const role of ["worker", "gpu-worker"] as const) {
    if (count(role) === 0) continue;
    const workers = { kind: "Workers", name: role === "worker" ? "workers" : "gpu-workers", machineClass: { name: machineClassName(spec.name, role), size: count(role) } };
    if (role === "worker") docs.push(workers);
    else if (!spec.gpuDeviceIds) throw new Error(`cluster ${spec.name}: a gpu-worker needs the GPU's vendor:device ids (hypervisor.gpu.vendorDeviceIds)`);
    else docs.push({ ...workers, patches: [{ name: "gpu-worker", inline: gpuWorkerPatch(spec.gpuDeviceIds) }] });
  }
  return docs;
}

export const toYamlDocuments = (docs: object[]): string => docs.map((d) => stringify(d)).join("---\n");
