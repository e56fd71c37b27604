// Argo CD on the hub cluster: it delivers every Application of the three
// clusters. Only group `admin` may change anything; everyone else sees
// nothing. Login goes through Authentik (OIDC) once the identity plane exists.
import { parse, stringify } from "yaml";
import { PlatformConfig } from "../../config/schema";
import { argocdNamespace } from "./application";
import { externalSecret } from "./externalSecrets";
import { Manifest } from "./context";
import { resources } from "./resources";

/** The Secret (label app.kubernetes.io/part-of=argocd) that will hold the OIDC client secret, filled by External Secrets. */
export const oidcSecret = { name: "argocd-oidc", key: "clientSecret" } as const;

/**
 * The OIDC client secret, from the Bitwarden secret the identity plane writes
 * (<client id>-oidc-client-secret), into the Secret Argo CD reads; Argo CD
 * reads only Secrets labelled part-of argocd.
 */
export function argocdOidcExternalSecret(argocd: ArgoConfig): Manifest {
  return externalSecret(oidcSecret.name, argocdNamespace, [{ key: oidcSecret.key, bitwardenId: `${argocd.oidc.clientId}-oidc-client-secret` }], { secretLabels: { "app.kubernetes.io/part-of": "argocd" } });
}
export const adminGroup = "admin";

export const platformProject = (cluster: string) => `${cluster}-platform`;
export const servicesProject = (cluster: string) => `${cluster}-services`;

type ArgoConfig = NonNullable<PlatformConfig["argocd"]>;

export function argoCdRbac(): Record<string, string> {
  return {
    // Nobody gets a role by default; the admin group gets everything.
    "policy.default": "",
    "policy.csv": `g, ${adminGroup}, role:admin\n`,
    scopes: "[groups]",
  };
}

export function argoCdValues(argocd: ArgoConfig): Record<string, unknown> {
  const oidc = {
    name: "Authentik",
    issuer: argocd.oidc.issuer,
    clientID: argocd.oidc.clientId,
    clientSecret: `$${oidcSecret.name}:${oidcSecret.key}`,
    requestedScopes: ["openid", "profile", "email", "groups"],
  };
  return {
    global: { domain: argocd.hostname },
    crds: { keep: true },
    configs: {
      cm: {
        url: `https://${argocd.hostname}`,
        "admin.enabled": argocd.localAdmin,
        "users.anonymous.enabled": false,
        "exec.enabled": false,
        "oidc.config": stringify(oidc),
        "timeout.reconciliation": "180s",
        "application.resourceTrackingMethod": "annotation",
      },
      // TLS ends at the tunnel; the server speaks HTTP inside the cluster.
      params: { "server.insecure": true },
      rbac: argoCdRbac(),
    },
    dex: { enabled: false },
    notifications: { enabled: false },
    // The controller's metrics Service (argocd_app_info: the delivery alerts); prod's Prometheus reads it (components/monitoring/serviceMonitors.ts).
    controller: { replicas: 1, resources: resources("100m", "384Mi", "1000m", "1Gi"), metrics: { enabled: true } },
    repoServer: { replicas: 1, resources: resources("50m", "128Mi", "1000m", "512Mi"), copyutil: { resources: resources("10m", "32Mi", "100m", "256Mi") } },
    server: { replicas: 1, resources: resources("25m", "96Mi", "500m", "256Mi"), service: { type: "ClusterIP" } },
    applicationSet: { replicas: 1, resources: resources("10m", "48Mi", "200m", "192Mi") },
    redis: { resources: resources("10m", "32Mi", "200m", "128Mi") },
    redisSecretInit: { resources: resources("10m", "32Mi", "100m", "64Mi") },
  };
}

/** AppProjects of one cluster: its platform (may touch cluster-scoped objects) and its services (namespaced only). */
export function appProjects(cluster: string, platformRepos: string[], serviceRepos: string[]): Manifest[] {
  const project = (name: string, description: string, spec: Record<string, unknown>): Manifest => ({
    apiVersion: "argoproj.io/v1alpha1",
    kind: "AppProject",
    metadata: { name, namespace: argocdNamespace, finalizers: ["resources-finalizer.argocd.argoproj.io"] } as Manifest["metadata"],
    spec: { description, ...spec },
  });
  return [
    project(platformProject(cluster), `Platform add-ons of cluster ${cluster}`, {
      sourceRepos: [...platformRepos].sort(),
      destinations: [{ name: cluster, namespace: "*" }],
      clusterResourceWhitelist: [{ group: "*", kind: "*" }],
    }),
    project(servicesProject(cluster), `Family and admin services of cluster ${cluster}`, {
      sourceRepos: [...serviceRepos].sort(),
      // Services never land in the system namespaces.
      destinations: [
        { name: cluster, namespace: "!kube-system" },
        { name: cluster, namespace: "!argocd" },
        { name: cluster, namespace: "*" },
      ],
      clusterResourceWhitelist: [{ group: "", kind: "Namespace" }],
    }),
  ];
}

export interface ArgoClusterSecret {
  name: string;
  server: string;
  config: string;
}

/** The hub registers itself under its own name, so every Application names its cluster the same way. */
export function inClusterRegistration(cluster: string): ArgoClusterSecret {
  return { name: cluster, server: "https://kubernetes.default.svc", config: JSON.stringify({ tlsClientConfig: { insecure: false } }) };
}

/** Turns an Omni service-account kubeconfig into the fields of an Argo CD cluster Secret. */
export function registrationFromKubeconfig(cluster: string, kubeconfig: string): ArgoClusterSecret {
  const doc = parse(kubeconfig) as {
    clusters?: { cluster?: { server?: string; "certificate-authority-data"?: string } }[];
    users?: { user?: { token?: string } }[];
  } | null;
  const server = doc?.clusters?.[0]?.cluster?.server;
  const token = doc?.users?.[0]?.user?.token;
  if (!server || !token) {
    throw new Error(`kubeconfig of cluster ${cluster}: expected an Omni service-account kubeconfig with a server and a token`);
  }
  const caData = doc?.clusters?.[0]?.cluster?.["certificate-authority-data"];
  return { name: cluster, server, config: JSON.stringify({ bearerToken: token, tlsClientConfig: { insecure: false, ...(caData ? { caData } : {}) } }) };
}

export function clusterSecretMetadata(cluster: string) {
  return { name: `cluster-${cluster}`, namespace: argocdNamespace, labels: { "argocd.argoproj.io/secret-type": "cluster", "homelab.io/cluster": cluster } };
}
