// Longhorn (wave 1): replicated block storage, prod's default class. Its
// namespace (privileged, with a LimitRange giving every container requests,
// since the chart cannot set them) is created by Pulumi before this.
import { charts } from "../../config/versions";
import { longhornContainerDefaults, longhornDataDir, longhornNamespace } from "../../components/platform/storage";
import { AddonEntry } from "../entry";
import { gpuNodeTaint } from "../../components/omni/templates";

export const longhorn: AddonEntry = {
  name: "longhorn",
  chart: charts.longhorn,
  namespace: longhornNamespace,
  releaseName: "longhorn",
  wave: 1,
  timeoutSeconds: 1800,
  enabled: (ctx) => ctx.platform.storage.longhorn !== undefined,
  values: (ctx) => {
    const replicas = ctx.platform.storage.longhorn?.replicas ?? 1;
    // KubeVirt's session disks attach on the tainted gpu-worker: Longhorn's manager, CSI driver and instance
    // managers must run there. Only with a gpu-worker: Longhorn changes the setting only with every volume detached.
    const gpu = ctx.gpuWorker ? gpuNodeTaint : undefined;
    const tolerations = gpu ? [{ key: gpu.key, operator: "Equal", value: gpu.value, effect: gpu.effect }] : undefined;
    return {
      persistence: { defaultClass: ctx.platform.storage.defaultClass === "longhorn", defaultClassReplicaCount: replicas, reclaimPolicy: "Retain" },
      defaultSettings: { defaultReplicaCount: replicas, defaultDataPath: longhornDataDir, storageMinimalAvailablePercentage: 15, ...(gpu ? { taintToleration: `${gpu.key}=${gpu.value}:${gpu.effect}` } : {}) },
      ...(tolerations ? { longhornManager: { tolerations }, longhornDriver: { tolerations } } : {}),
      // The UI is for admins only: no ingress, a ClusterIP service.
      ingress: { enabled: false },
      service: { ui: { type: "ClusterIP" } },
      longhornUI: { replicas: 1 },
      csi: { attacherReplicaCount: 1, provisionerReplicaCount: 1, resizerReplicaCount: 1, snapshotterReplicaCount: 1 },
      // Argo CD renders the chart without Helm hooks' cluster access; the checker job would fail there.
      preUpgradeChecker: { jobEnabled: false },
    };
  },
  declaration: {
    workloads: [],
    servicePaths: ["service.ui.type"],
    estimated: {
      reason: `the chart has no resources keys; a LimitRange in longhorn-system gives every container ${longhornContainerDefaults.request.cpu}/${longhornContainerDefaults.request.memory} requests`,
      // About a dozen containers on one worker, plus the instance manager's guaranteed CPU (12% of 6 cores).
      memoryMiB: 12 * parseInt(longhornContainerDefaults.request.memory, 10),
      milliCpu: 12 * parseInt(longhornContainerDefaults.request.cpu, 10) + 720,
    },
  },
};
