// Storage classes (wave 1): local-path (node disk, for single-node and
// cloud clusters), Longhorn (replicated block storage on prod) and nfs-media
// (the media library on the Proxmox host's ZFS pool, over NFS).
import { Manifest, PlatformContext } from "./context";
import { resources } from "./resources";

/** Where the node agents keep volumes; Talos must bind-mount them into the kubelet. */
export const localPathDir = "/var/local-path-provisioner";
export const longhornDataDir = "/var/lib/longhorn";
export const nfsMediaClass = "nfs-media";

export function localPathValues(ctx: PlatformContext): Record<string, unknown> {
  return {
    storageClass: { create: true, name: "local-path", defaultClass: ctx.platform.storage.defaultClass === "local-path", reclaimPolicy: "Delete", volumeBindingMode: "WaitForFirstConsumer" },
    nodePathMap: [{ node: "DEFAULT_PATH_FOR_NON_LISTED_NODES", paths: [localPathDir] }],
    resources: resources("10m", "16Mi", "100m", "64Mi"),
  };
}

export function longhornValues(ctx: PlatformContext): Record<string, unknown> {
  const replicas = ctx.platform.storage.longhorn?.replicas ?? 1;
  return {
    persistence: { defaultClass: ctx.platform.storage.defaultClass === "longhorn", defaultClassReplicaCount: replicas, reclaimPolicy: "Retain" },
    defaultSettings: { defaultReplicaCount: replicas, defaultDataPath: longhornDataDir, storageMinimalAvailablePercentage: 15 },
    // The UI is for admins only: no ingress, a ClusterIP service.
    ingress: { enabled: false },
    service: { ui: { type: "ClusterIP" } },
    longhornUI: { replicas: 1 },
    csi: { attacherReplicaCount: 1, provisionerReplicaCount: 1, resizerReplicaCount: 1, snapshotterReplicaCount: 1 },
    // Argo CD renders the chart without Helm hooks' cluster access; the checker job would fail there.
    preUpgradeChecker: { jobEnabled: false },
  };
}

/**
 * csi-driver-nfs with the `nfs-media` class. A claim's name picks the
 * library folder (subDir = claim name, e.g. a PVC `films` mounts
 * <path>/films); volumes are retained, never deleted with their claim.
 */
export function csiDriverNfsValues(ctx: PlatformContext): Record<string, unknown> {
  const sidecar = resources("10m", "20Mi", "100m", "128Mi");
  const nfs = ctx.platform.storage.nfs;
  return {
    controller: {
      replicas: 1,
      resources: { csiProvisioner: sidecar, csiResizer: sidecar, csiSnapshotter: sidecar, livenessProbe: sidecar, nfs: resources("10m", "32Mi", "200m", "256Mi") },
    },
    node: { resources: { livenessProbe: sidecar, nodeDriverRegistrar: sidecar, nfs: resources("10m", "32Mi", "200m", "256Mi") } },
    externalSnapshotter: { enabled: false },
    storageClass: {
      create: true,
      name: nfsMediaClass,
      reclaimPolicy: "Retain",
      volumeBindingMode: "Immediate",
      parameters: { server: nfs.server, share: nfs.path, subDir: "${pvc.metadata.name}", onDelete: "retain", mountPermissions: "0" },
      mountOptions: ["nfsvers=4.2", "hard", "noatime"],
    },
  };
}

export const longhornNamespace = "longhorn-system";

/** Per-container defaults in longhorn-system, since Longhorn's chart cannot set resources. */
export const longhornContainerDefaults = { request: { cpu: "10m", memory: "64Mi" }, limit: { cpu: "2", memory: "1Gi" } } as const;

export function longhornLimitRange(): Manifest {
  return {
    apiVersion: "v1",
    kind: "LimitRange",
    metadata: { name: "container-defaults", namespace: longhornNamespace },
    spec: { limits: [{ type: "Container", defaultRequest: { ...longhornContainerDefaults.request }, default: { ...longhornContainerDefaults.limit } }] },
  };
}
