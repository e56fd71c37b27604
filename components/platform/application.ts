// The Application generator: a service description in, an Argo CD
// Application out. Pure, so tests read exactly what Argo CD receives.
import { podSecurityLabels } from "./context";
import { Wave } from "./waves";

export const argocdNamespace = "argocd";

/** The Application's health, as Argo CD writes it; Pulumi waits for it before the next wave. */
export const healthyWhen = "jsonpath={.status.health.status}=Healthy";

/** A chart from a Helm repository, or from a path in a git repository at a tag. */
export interface HelmSource {
  repoURL: string;
  chart: string;
  /** Set for charts kept in git: the chart's folder. */
  path?: string;
  /** Exact chart version or git tag (the policy `pinned-versions` rejects ranges). */
  version: string;
}

export interface ApplicationSpec {
  /** Application name, unique in the hub: conventionally <cluster>-<app>. */
  name: string;
  /** Destination cluster, as registered in Argo CD. */
  cluster: string;
  project: string;
  namespace: string;
  source: HelmSource;
  releaseName?: string;
  values: Record<string, unknown>;
  wave: Wave;
  /** Pod Security level of the namespace Argo CD creates; some node agents need privileged. */
  podSecurity?: "privileged" | "baseline" | "restricted";
  /** Extra server-side apply / sync options. */
  syncOptions?: string[];
  /** How long Pulumi waits for the Application to become healthy. */
  timeoutSeconds?: number;
}

export function renderApplication(spec: ApplicationSpec) {
  const managedNamespaceMetadata = spec.podSecurity ? { labels: podSecurityLabels(spec.podSecurity) } : undefined;
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Application",
    metadata: {
      name: spec.name,
      namespace: argocdNamespace,
      labels: { "homelab.io/cluster": spec.cluster, "homelab.io/wave": String(spec.wave) },
      annotations: {
        "argocd.argoproj.io/sync-wave": String(spec.wave),
        "pulumi.com/waitFor": healthyWhen,
        "pulumi.com/timeoutSeconds": String(spec.timeoutSeconds ?? 900),
      },
      // Deleting the Application also removes what it deployed.
      finalizers: ["resources-finalizer.argocd.argoproj.io"],
    },
    spec: {
      project: spec.project,
      source: {
        repoURL: spec.source.repoURL,
        ...(spec.source.path ? { path: spec.source.path } : { chart: spec.source.chart }),
        targetRevision: spec.source.version,
        helm: { releaseName: spec.releaseName ?? spec.name.replace(new RegExp(`^${spec.cluster}-`), ""), valuesObject: spec.values },
      },
      destination: { name: spec.cluster, namespace: spec.namespace },
      syncPolicy: {
        automated: { prune: true, selfHeal: true },
        syncOptions: ["CreateNamespace=true", "ServerSideApply=true", ...(spec.syncOptions ?? [])],
        ...(managedNamespaceMetadata ? { managedNamespaceMetadata } : {}),
        retry: { limit: 5, backoff: { duration: "10s", factor: 2, maxDuration: "5m" } },
      },
      // Rollback targets kept in the UI.
      revisionHistoryLimit: 10,
    },
  };
}
