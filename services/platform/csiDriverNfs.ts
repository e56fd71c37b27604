// csi-driver-nfs (wave 1) with the `nfs-media` class: the media library on
// the Proxmox host's ZFS pool, over NFS. A claim's name picks the library
// folder (subDir = claim name: a PVC `films` mounts <path>/films); volumes
// are retained, never deleted with their claim.
import { charts } from "../../config/versions";
import { nfsMediaClass } from "../../components/platform/storage";
import { resources } from "../../components/platform/resources";
import { AddonEntry } from "../entry";

const sidecar = resources("10m", "20Mi", "100m", "128Mi");

export const csiDriverNfs: AddonEntry = {
  name: "csi-driver-nfs",
  chart: charts.csiDriverNfs,
  namespace: "kube-system",
  releaseName: "csi-driver-nfs",
  wave: 1,
  enabled: () => true,
  values: (ctx) => {
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
  },
  declaration: {
    workloads: [
      ...["csiProvisioner", "csiResizer", "csiSnapshotter", "livenessProbe", "nfs"].map((c) => ({ path: `controller.resources.${c}`, replicasPath: "controller.replicas" })),
      ...["livenessProbe", "nodeDriverRegistrar", "nfs"].map((c) => ({ path: `node.resources.${c}`, perNode: true })),
    ],
  },
};
