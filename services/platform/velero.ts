// Velero (wave 1, every cluster that backs something up): the critical
// namespaces' objects and volumes, offsite through kopia (FR-024). The
// chart runs the server and a node agent per node; the storage location,
// the schedules and the volume policy are the program's own objects
// (components/backup/kubernetes.ts), applied once the CRDs are in, and its
// two secrets (the store's key, the repositories' password) are created by
// Pulumi before the chart, from the stack's secret config.
import { backupImages, charts, imageString } from "../../config/versions";
import { resources } from "../../components/platform/resources";
import { veleroNamespace, veleroSecrets } from "../../components/backup/kubernetes";
import { AddonEntry } from "../entry";

export const velero: AddonEntry = {
  name: "velero",
  chart: charts.velero,
  namespace: veleroNamespace,
  releaseName: "velero",
  // The node agent reads every pod's volumes from the node's kubelet folder.
  podSecurity: "privileged",
  wave: 1,
  enabled: (ctx) => ctx.backups === true,
  values: () => ({
    image: { repository: backupImages.velero.repository, tag: backupImages.velero.tag },
    initContainers: [
      {
        name: "velero-plugin-for-aws",
        image: imageString(backupImages.veleroPluginAws),
        imagePullPolicy: "IfNotPresent",
        volumeMounts: [{ mountPath: "/target", name: "plugins" }],
        resources: resources("10m", "32Mi", "100m", "128Mi"),
      },
    ],
    resources: resources("50m", "128Mi", "500m", "512Mi"),
    // The location and schedules are the program's objects; the chart makes none.
    backupsEnabled: false,
    snapshotsEnabled: false,
    configuration: { backupStorageLocation: [], volumeSnapshotLocation: [], uploaderType: "kopia" },
    credentials: { useSecret: true, existingSecret: veleroSecrets.store.name },
    deployNodeAgent: true,
    nodeAgent: { resources: resources("50m", "128Mi", "1", "1Gi") },
    // Argo CD applies the chart's CRDs on every sync; the chart's own upgrade job is not needed.
    upgradeCRDs: false,
  }),
  declaration: {
    workloads: [
      { path: "resources" },
      { path: "nodeAgent.resources", perNode: true },
    ],
  },
};
