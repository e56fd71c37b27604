// What a cluster can give to pods: the allocatable RAM and CPU of the nodes
// that run workloads, less what Kubernetes itself runs there. The platform's
// requests are summed from the recorded resources by the cluster-budget policy.
import type { ClusterCapacity } from "../../contract/policyConfig";

export interface BudgetNode {
  role: "controlplane" | "worker" | "gpu-worker";
  memoryGb: number;
  cpus: number;
  /** Control planes run workloads only when marked schedulable. */
  schedulable?: boolean;
}

/** Talos' kubelet defaults (systemReserved per role, plus the memory eviction threshold). */
export const talosKubeletReserve = {
  controlplane: { memoryMiB: 512, milliCpu: 50 },
  worker: { memoryMiB: 384, milliCpu: 50 },
  evictionMiB: 100,
} as const;

/** Requests of the control-plane static pods Talos runs (apiserver, controller-manager, scheduler). */
export const controlPlanePodRequests = { memoryMiB: 512 + 256 + 64, milliCpu: 200 + 50 + 10 } as const;

/** The policy `cluster-budget` judges against exactly these figures. */
export type ClusterBudget = ClusterCapacity;

export function clusterBudget(nodes: BudgetNode[], servicesReserveGb: number): ClusterBudget {
  // A gpu-worker is tainted for KubeVirt's gaming sessions: the services never land there.
  const workload = nodes.filter((n) => n.role === "worker" || (n.role === "controlplane" && n.schedulable === true));
  const reserve = (n: BudgetNode) => (n.role === "controlplane" ? talosKubeletReserve.controlplane : talosKubeletReserve.worker);
  const controlPlanes = workload.filter((n) => n.role === "controlplane").length;
  return {
    nodes: workload.length,
    allocatableMiB: workload.reduce((s, n) => s + n.memoryGb * 1024 - reserve(n).memoryMiB - talosKubeletReserve.evictionMiB, 0),
    allocatableMilliCpu: workload.reduce((s, n) => s + n.cpus * 1000 - reserve(n).milliCpu, 0),
    systemMiB: controlPlanes * controlPlanePodRequests.memoryMiB,
    systemMilliCpu: controlPlanes * controlPlanePodRequests.milliCpu,
    servicesReserveMiB: Math.round(servicesReserveGb * 1024),
  };
}
