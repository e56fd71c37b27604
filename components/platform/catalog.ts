// The platform add-ons of one cluster that Argo CD delivers (wave 1 and up).
// Wave 0 (Cilium, cert-manager, External Secrets, Argo CD) is installed by
// Pulumi directly; see ClusterPlatform.
import { charts, gitCharts } from "../../config/versions";
import { ApplicationSpec } from "./application";
import { platformProject } from "./argocd";
import { PlatformContext } from "./context";
import { csiDriverNfsValues, localPathValues, longhornNamespace, longhornValues } from "./storage";


/** Chart repositories the platform project may pull from. */
export const platformRepos = [charts.longhorn.repo, charts.csiDriverNfs.repo, gitCharts.localPath.repo];

export function platformApplications(ctx: PlatformContext): ApplicationSpec[] {
  const base = { cluster: ctx.cluster, project: platformProject(ctx.cluster) };
  const apps: ApplicationSpec[] = [];
  if (ctx.platform.storage.defaultClass === "local-path") {
    const c = gitCharts.localPath;
    apps.push({
      ...base,
      name: `${ctx.cluster}-local-path`,
      releaseName: "local-path-provisioner",
      namespace: "local-path-storage",
      source: { repoURL: c.repo, chart: c.chart, path: c.path, version: c.version },
      values: localPathValues(ctx),
      wave: 1,
      // Its helper pods write to the node's disk.
      podSecurity: "privileged",
    });
  }
  if (ctx.platform.storage.longhorn) {
    const c = charts.longhorn;
    apps.push({
      ...base,
      name: `${ctx.cluster}-longhorn`,
      releaseName: "longhorn",
      // The namespace (privileged, with its LimitRange) is created by Pulumi before this Application.
      namespace: longhornNamespace,
      source: { repoURL: c.repo, chart: c.chart, version: c.version },
      values: longhornValues(ctx),
      wave: 1,
      timeoutSeconds: 1800,
    });
  }
  const nfs = charts.csiDriverNfs;
  apps.push({
    ...base,
    name: `${ctx.cluster}-csi-driver-nfs`,
    releaseName: "csi-driver-nfs",
    namespace: "kube-system",
    source: { repoURL: nfs.repo, chart: nfs.chart, version: nfs.version },
    values: csiDriverNfsValues(ctx),
    wave: 1,
  });
  return apps;
}
