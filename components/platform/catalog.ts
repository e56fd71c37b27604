// The platform add-ons of one cluster that Argo CD delivers (wave 1), from
// their entries in services/platform/. Wave 0 (Cilium, cert-manager,
// External Secrets, Argo CD) is installed by Pulumi directly; see
// ClusterPlatform.
import { addons } from "../../services/platform";
import { AddonEntry } from "../../services/entry";
import { ApplicationSpec } from "./application";
import { platformProject } from "./argocd";
import { Manifest, PlatformContext } from "./context";
import { ociRepositorySecrets } from "../service/manifests";

/** Chart repositories the platform project may pull from. */
export const platformRepos = [...new Set(addons.map((a) => a.chart.repo))];

/** One add-on's Application on one cluster. */
export function addonApplication(a: AddonEntry, ctx: PlatformContext): ApplicationSpec {
  return {
    name: `${ctx.cluster}-${a.name}`,
    cluster: ctx.cluster,
    project: platformProject(ctx.cluster),
    releaseName: a.releaseName,
    namespace: a.namespace,
    source: { repoURL: a.chart.repo, chart: a.chart.chart, ...(a.chart.path ? { path: a.chart.path } : {}), version: a.chart.version },
    values: a.values(ctx),
    wave: a.wave,
    ...(a.podSecurity ? { podSecurity: a.podSecurity } : {}),
    ...(a.syncOptions ? { syncOptions: a.syncOptions } : {}),
    ...(a.timeoutSeconds ? { timeoutSeconds: a.timeoutSeconds } : {}),
  };
}

export function platformApplications(ctx: PlatformContext, entries: readonly AddonEntry[] = addons): ApplicationSpec[] {
  return entries.filter((a) => a.enabled(ctx)).map((a) => addonApplication(a, ctx));
}

/** Argo CD repository entries for the OCI registries the cluster's add-ons come from, in its platform project. */
export function platformRepositorySecrets(ctx: PlatformContext, entries: readonly AddonEntry[] = addons): Manifest[] {
  return ociRepositorySecrets(ctx.cluster, platformProject(ctx.cluster), entries.filter((a) => a.enabled(ctx)).map((a) => a.chart), `repo-${ctx.cluster}-platform-`);
}
