// VolSync (wave 1, every cluster with a critical data volume): a restic
// copy of each such volume in a repository of its own, offsite (FR-024).
// The ReplicationSources and their Secrets are the program's objects
// (components/backup/kubernetes.ts), applied with each service.
import { charts } from "../../config/versions";
import { resources } from "../../components/platform/resources";
import { AddonEntry } from "../entry";

export const volsync: AddonEntry = {
  name: "volsync",
  chart: charts.volsync,
  namespace: "volsync-system",
  releaseName: "volsync",
  wave: 1,
  enabled: (ctx) => ctx.criticalVolumes === true,
  values: () => ({
    resources: resources("20m", "64Mi", "500m", "256Mi"),
  }),
  declaration: { workloads: [{ path: "resources", replicasPath: "replicaCount" }] },
};
