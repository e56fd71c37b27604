// local-path-provisioner (wave 1): the node's disk as the default storage
// class of single-node and cloud clusters. Its chart lives only in its git
// repository, so Argo CD renders it from the tagged path.
import { gitCharts } from "../../config/versions";
import { localPathDir } from "../../components/platform/storage";
import { resources } from "../../components/platform/resources";
import { AddonEntry } from "../entry";

export const localPath: AddonEntry = {
  name: "local-path",
  chart: gitCharts.localPath,
  namespace: "local-path-storage",
  releaseName: "local-path-provisioner",
  // Its helper pods write to the node's disk.
  podSecurity: "privileged",
  wave: 1,
  enabled: (ctx) => ctx.platform.storage.defaultClass === "local-path",
  values: (ctx) => ({
    storageClass: { create: true, name: "local-path", defaultClass: ctx.platform.storage.defaultClass === "local-path", reclaimPolicy: "Delete", volumeBindingMode: "WaitForFirstConsumer" },
    nodePathMap: [{ node: "DEFAULT_PATH_FOR_NON_LISTED_NODES", paths: [localPathDir] }],
    resources: resources("10m", "16Mi", "100m", "64Mi"),
  }),
  declaration: { workloads: [{ path: "resources" }] },
};
