// The platform add-ons of one cluster that Argo CD delivers (wave 1 and up).
// Wave 0 (Cilium, cert-manager, External Secrets, Argo CD) is installed by
// Pulumi directly; see ClusterPlatform.
import { charts, gitCharts, serviceCharts } from "../../config/versions";
import { ApplicationSpec } from "./application";
import { platformProject } from "./argocd";
import { PlatformContext } from "./context";
import { resources } from "./resources";
import { csiDriverNfsValues, localPathValues, longhornNamespace, longhornValues } from "./storage";


/** Chart repositories the platform project may pull from. */
export const platformRepos = [charts.longhorn.repo, charts.csiDriverNfs.repo, gitCharts.localPath.repo, serviceCharts.cloudnativePg.repo];

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
  if (ctx.databases) {
    const c = serviceCharts.cloudnativePg;
    apps.push({
      ...base,
      name: `${ctx.cluster}-cloudnative-pg`,
      releaseName: "cloudnative-pg",
      namespace: "cnpg-system",
      source: { repoURL: c.repo, chart: c.chart, version: c.version },
      values: { resources: resources("50m", "128Mi", "500m", "384Mi"), monitoring: { podMonitorEnabled: false } },
      wave: 1,
      // Its CRDs are too large for a client-side apply's last-applied annotation.
      syncOptions: ["ServerSideApply=true"],
    });
  }
  return apps;
}
