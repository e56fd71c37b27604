// What a catalog entry becomes on a cluster, as pure functions: the tests
// read exactly what the cluster receives. ServiceApp applies them in order.
import type { ChartsConfig } from "../../contract/policyConfig";
import { authTierLabel, backupLabel, serviceLabel } from "../../contract/labels";
import { imageString, serviceImages } from "../../config/versions";
import { ApplicationSpec, argocdNamespace } from "../platform/application";
import { servicesProject } from "../platform/argocd";
import { Manifest, namespace } from "../platform/context";
import { bitwardenStoreName } from "../platform/externalSecrets";
import { gatewayNamespace, lanAddressAnnotation, lanLoadBalancerLabel, tunnelGatewayName } from "../platform/cilium";
import { nfsMediaClass } from "../platform/storage";
import { podSubnet } from "../platform/talos";
import { productionIssuer } from "../platform/certManager";
import { egressProxyUrl } from "../omni/egressProxy";
import { ssoGates, ssoProxyPort } from "./ssoGate";
import { monitoringNamespace } from "../monitoring/metrics";
import { AuthTier, BackupClass, ServiceContext, ServiceEntry, ServiceSettings, Volume, Workloads } from "../../services/entry";

/** Labels every object of a service carries; backups select on homelab.io/backup. */
export const labelKeys = { service: serviceLabel, backup: backupLabel, tier: authTierLabel } as const;

export const secretNameOf = (entry: ServiceEntry) => `${entry.name}-secrets`;
/** The Secret cert-manager writes an entry's certificate into (tls.crt, tls.key), and where the app finds it. */
export const tlsSecretNameOf = (entry: ServiceEntry) => `${entry.name}-tls`;
export const generatedSecretNameOf = (entry: ServiceEntry) => `${entry.name}-generated`;

export const generatedSecretMetadata = (entry: ServiceEntry) => ({ name: generatedSecretNameOf(entry), namespace: entry.name, labels: labels(entry) });

/** The Secret of generated values an entry asks for, with the values the stack gives: each key present, no other. */
export function generatedSecret(entry: ServiceEntry, values: Record<string, string>): Manifest {
  const wanted = entry.generatedSecret?.keys ?? [];
  const missing = wanted.filter((k) => !(k in values));
  const extra = Object.keys(values).filter((k) => !wanted.includes(k));
  if (missing.length || extra.length) throw new Error(`service ${entry.name}: generated values ${Object.keys(values).join(", ") || "none"}; expected exactly ${wanted.join(", ") || "none"}`);
  return { apiVersion: "v1", kind: "Secret", metadata: generatedSecretMetadata(entry), type: "Opaque", stringData: values };
}
export const tlsMountPath = "/tls";
export const databaseNameOf = (entry: ServiceEntry) => `${entry.name}-db`;

/** The workloads that run on this cluster: dev's smaller overlay where the entry gives one. */
export function workloadsOn(entry: ServiceEntry, reduced: boolean): Workloads {
  if (reduced && entry.dev && "workloads" in entry.dev) return entry.dev.workloads;
  return entry.workloads;
}

/** Why an entry does not run on dev, or undefined when it does. */
export const skippedOnDev = (entry: ServiceEntry): string | undefined => (entry.dev && "skip" in entry.dev ? entry.dev.skip : undefined);

/** The public hostname of a tunnel-exposed entry. */
export function hostnameOf(entry: ServiceEntry, domain: string): string | undefined {
  return entry.exposure.kind === "tunnel" ? `${entry.exposure.subdomain}.${domain}` : undefined;
}

/** The static-IP egress proxy a cluster's services may use (the cloud cluster's, on the management VM). */
export interface EgressProxyAddress {
  host: string;
  port: number;
}

/** What the entry's values function is given. */
export function serviceContext(
  entry: ServiceEntry,
  cluster: string,
  reduced: boolean,
  settings: ServiceSettings,
  catalog: readonly ServiceEntry[],
  egressProxy?: EgressProxyAddress,
  lanAddresses?: Record<string, string>,
): ServiceContext {
  const domain = settings.domain;
  const hostname = hostnameOf(entry, domain);
  const proxy = usesStaticIp(entry) ? staticProxyOf(entry, cluster, egressProxy) : undefined;
  return {
    cluster,
    reduced,
    domain,
    timezone: settings.timezone,
    settings,
    catalog,
    podSubnet,
    secretName: secretNameOf(entry),
    tls: entry.tls ? { hostname: `${entry.tls.subdomain}.${domain}`, certFile: `${tlsMountPath}/tls.crt`, keyFile: `${tlsMountPath}/tls.key` } : undefined,
    lanAddress: fixedLanAddress(entry, lanAddresses),
    staticEgressProxy: proxy ? egressProxyUrl(proxy.host, proxy.port) : undefined,
    url: hostname ? `https://${hostname}` : undefined,
    // CloudNativePG names the read-write Service <cluster>-rw and the owner's Secret <cluster>-app.
    database: entry.database
      ? { host: `${databaseNameOf(entry)}-rw`, port: 5432, name: entry.name, user: entry.name, secret: `${databaseNameOf(entry)}-app`, passwordKey: "password" }
      : undefined,
  };
}

const labels = (entry: ServiceEntry, backup?: BackupClass) => ({
  [labelKeys.service]: entry.name,
  [labelKeys.tier]: entry.auth,
  ...(backup ? { [labelKeys.backup]: backup } : {}),
});

export function serviceNamespace(entry: ServiceEntry): Manifest {
  const ns = namespace(entry.name, entry.podSecurity.level);
  return { ...ns, metadata: { ...ns.metadata, labels: { ...ns.metadata.labels, ...labels(entry, entry.backup) } } };
}

/** The claim's name: a library folder's own name (nfs-media mounts <root>/<claim name>), or <service>-<name>. */
export const claimNameOf = (entry: ServiceEntry, v: Volume) => (v.kind === "library" ? v.folder : `${entry.name}-${v.name}`);

export function volumeClaims(entry: ServiceEntry, defaultClass: string): Manifest[] {
  // Pulumi waits for a claim to be Bound; a local-path claim binds only when its first pod (delivered later by Argo CD) starts.
  const waitsForPod = { "pulumi.com/skipAwait": "true" };
  return entry.volumes.map((v) => ({
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: {
      name: claimNameOf(entry, v),
      namespace: entry.name,
      labels: labels(entry, entry.backup),
      ...(v.kind === "data" && defaultClass === "local-path" ? { annotations: waitsForPod } : {}),
    },
    spec:
      v.kind === "library"
        ? // Several services may mount the same folder, each through its own claim; read-only ones say so.
          { accessModes: [v.access === "ro" ? "ReadOnlyMany" : "ReadWriteMany"], storageClassName: nfsMediaClass, resources: { requests: { storage: `${v.sizeGi}Gi` } } }
        : { accessModes: ["ReadWriteOnce"], storageClassName: defaultClass, resources: { requests: { storage: `${v.sizeGi}Gi` } } },
  }));
}

/** The entry's Bitwarden secrets, copied into one Secret by External Secrets; none when it needs none. */
export function serviceExternalSecret(entry: ServiceEntry, ctx: ServiceContext): Manifest | undefined {
  if (entry.secrets.length === 0) return undefined;
  const name = secretNameOf(entry);
  return {
    apiVersion: "external-secrets.io/v1",
    kind: "ExternalSecret",
    metadata: { name, namespace: entry.name, labels: labels(entry) },
    spec: {
      refreshInterval: "1h",
      secretStoreRef: { kind: "ClusterSecretStore", name: bitwardenStoreName },
      target: {
        name,
        creationPolicy: "Owner",
        ...(entry.secretTemplate ? { template: { engineVersion: "v2", mergePolicy: "Merge", data: entry.secretTemplate(ctx) } } : {}),
      },
      // A key that is not a UUID is looked up by name in the store's project.
      data: entry.secrets.map((s) => ({ secretKey: s.key, remoteRef: { key: s.bitwarden } })),
    },
  };
}

/** The entry's own PostgreSQL (CloudNativePG): one instance, its data on the cluster's block storage. */
export function databaseCluster(entry: ServiceEntry, defaultClass: string): Manifest | undefined {
  const db = entry.database;
  if (!db) return undefined;
  return {
    apiVersion: "postgresql.cnpg.io/v1",
    kind: "Cluster",
    metadata: { name: databaseNameOf(entry), namespace: entry.name, labels: labels(entry, entry.backup) },
    spec: {
      instances: 1,
      imageName: imageString(db.image ?? serviceImages.postgres),
      storage: { size: `${db.sizeGi}Gi`, storageClass: defaultClass },
      resources: db.resources,
      bootstrap: {
        initdb: {
          database: entry.name,
          owner: entry.name,
          ...(db.extensions?.length ? { postInitApplicationSQL: db.extensions.map((e) => `CREATE EXTENSION IF NOT EXISTS "${e}" CASCADE;`) } : {}),
        },
      },
      ...(db.preload?.length ? { postgresql: { shared_preload_libraries: db.preload } } : {}),
    },
  };
}

export const dnsEgress = {
  toEndpoints: [{ matchLabels: { "k8s:io.kubernetes.pod.namespace": "kube-system", "k8s:k8s-app": "kube-dns" } }],
  // The DNS proxy must see queries for toFQDNs rules to work.
  toPorts: [{ ports: [{ port: "53", protocol: "ANY" }], rules: { dns: [{ matchPattern: "*" }] } }],
};

/**
 * Where requests may come from: the tunnel Gateway for a public route (to the
 * SSO proxy when the entry has one, never around it), anyone on the LAN for a
 * LAN service.
 */
/** Cilium's selector of every pod of a namespace. */
/** The port Talos' API server listens on (the `kubernetes` Service's 443 is translated to it before policy applies). */
export const kubeApiServerPort = 6443;
export const podsOf = (namespace: string) => [{ matchLabels: { "k8s:io.kubernetes.pod.namespace": namespace } }];
/** Cilium's port list for TCP ports. */
export const tcpPorts = (ports: number[]) => [{ ports: ports.map((port) => ({ port: String(port), protocol: "TCP" })) }];

function ingressRules(entry: ServiceEntry, domain: string): Record<string, unknown>[] {
  const sameNamespace = { fromEndpoints: podsOf(entry.name) };
  const fromNamespace = (namespace: string, ports: number[]) => ({ fromEndpoints: podsOf(namespace), toPorts: tcpPorts(ports) });
  const fromOtherNamespaces = [
    // The monitoring namespace's prober asks the health path inside the cluster when the route would not answer it.
    ...(probedInCluster(entry, domain) ? [fromNamespace(monitoringNamespace, [entry.health.port])] : []),
    // Its own metrics are read inside the cluster, by Prometheus (prod) or Alloy (the others), both in the monitoring namespace.
    ...(entry.metrics ? [fromNamespace(monitoringNamespace, [entry.metrics.port])] : []),
    ...(entry.ingressFrom ?? []).map((i) => fromNamespace(i.namespace, i.ports)),
  ];
  if (entry.exposure.kind === "tunnel") {
    const gates = ssoGates(entry, domain);
    const ports = [...(gates.length > 0 ? [ssoProxyPort] : []), ...(gates.some((g) => g.paths.length === 0) ? [] : [entry.exposure.port])];
    // Cilium's Gateway API proxy has the reserved identity `ingress`.
    return [sameNamespace, { fromEntities: ["ingress"], toPorts: tcpPorts(ports) }, ...fromOtherNamespaces];
  }
  if (entry.exposure.kind === "lan") {
    return [sameNamespace, { fromEntities: ["world", "cluster"], toPorts: [{ ports: entry.exposure.ports.map((p) => ({ port: String(p.port), protocol: p.protocol })) }] }, ...fromOtherNamespaces];
  }
  return [sameNamespace, ...fromOtherNamespaces];
}

export const usesStaticIp = (entry: ServiceEntry): boolean => entry.egress.some((e) => e.to === "static-ip-proxy");

function staticProxyOf(entry: ServiceEntry, cluster: string, proxy: EgressProxyAddress | undefined): EgressProxyAddress {
  if (!proxy) {
    throw new Error(`service ${entry.name}: its egress goes through the static-IP proxy, which cluster ${cluster} does not have; expected a service of the cloud cluster (its management VM holds the reserved IP)`);
  }
  return proxy;
}

/**
 * Default deny for the namespace, then exactly what the entry declares:
 * ingress from the Gateway (or the LAN), its own pods (the app and its
 * database), DNS, the identity provider for an SSO app, named egress.
 */
export function networkPolicy(entry: ServiceEntry, ctx: { domain: string; cluster: string; egressProxy?: EgressProxyAddress }): Manifest {
  const egress: Record<string, unknown>[] = [dnsEgress, { toEndpoints: podsOf(entry.name) }];
  // Apps with their own OIDC and the SSO proxies ask Authentik.
  if (entry.auth === "sso" || ssoGates(entry, ctx.domain).length > 0) {
    egress.push({ toFQDNs: [{ matchName: `auth.${ctx.domain}` }], toPorts: [{ ports: [{ port: "443", protocol: "TCP" }] }] });
  }
  // The API server, as Cilium knows it (its endpoints on the control planes, port 6443 after the Service's translation).
  if (entry.kubernetesApi) egress.push({ toEntities: ["kube-apiserver"], toPorts: tcpPorts([kubeApiServerPort]) });
  for (const e of entry.egress) {
    if (e.to === "static-ip-proxy") {
      // The proxy is outside the cluster (the management VM): matched by its address.
      const proxy = staticProxyOf(entry, ctx.cluster, ctx.egressProxy);
      egress.push({ toCIDR: [`${proxy.host}/32`], toPorts: [{ ports: [{ port: String(proxy.port), protocol: "TCP" }] }] });
      continue;
    }
    const ports = tcpPorts(e.ports);
    if (e.to === "world") egress.push({ toEntities: ["world"], toPorts: ports });
    else if (Array.isArray(e.to)) egress.push({ toFQDNs: e.to.map((matchName) => ({ matchName })), toPorts: ports });
    else egress.push({ toEndpoints: podsOf(e.to.namespace), toPorts: ports });
  }
  return {
    apiVersion: "cilium.io/v2",
    kind: "CiliumNetworkPolicy",
    metadata: { name: `${entry.name}-allow`, namespace: entry.name, labels: labels(entry) },
    spec: {
      description: `What ${entry.name} may send and receive; everything else is denied.`,
      endpointSelector: {},
      ingress: ingressRules(entry, ctx.domain),
      egress,
    },
  };
}

/**
 * The route from the cluster's tunnel Gateway, for an entry published through
 * the tunnel: a gate's paths (and its sign-in endpoints) to that gate, the
 * rest to the host's gate when the tier has one, else to the app. Gateway API
 * picks the longest matching prefix, element by element.
 */
export function httpRoute(entry: ServiceEntry, domain: string): Manifest | undefined {
  if (entry.exposure.kind !== "tunnel") return undefined;
  const gates = ssoGates(entry, domain);
  const hostGate = gates.find((g) => g.paths.length === 0);
  const pathRules = gates
    .filter((g) => g.paths.length > 0)
    .map((g) => ({ matches: [...g.paths, g.proxyPrefix].map((value) => ({ path: { type: "PathPrefix", value } })), backendRefs: [{ name: g.name, port: ssoProxyPort }] }));
  const rest = hostGate ? { name: hostGate.name, port: ssoProxyPort } : { name: entry.exposure.service ?? entry.name, port: entry.exposure.port };
  return {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    metadata: { name: entry.name, namespace: entry.name, labels: labels(entry) },
    spec: {
      parentRefs: [{ name: tunnelGatewayName, namespace: gatewayNamespace, sectionName: "http" }],
      hostnames: [hostnameOf(entry, domain)],
      rules: [...pathRules, { backendRefs: [rest] }],
    },
  };
}

export function serviceApplication(entry: ServiceEntry, cluster: string, values: Record<string, unknown>): ApplicationSpec {
  return {
    name: `${cluster}-${entry.name}`,
    cluster,
    project: servicesProject(cluster),
    namespace: entry.name,
    releaseName: entry.name,
    source: { repoURL: entry.chart.repo, chart: entry.chart.chart, version: entry.chart.version },
    values,
    wave: entry.wave,
  };
}

/** A public hostname and who may use it: what the tunnel, DNS and SSO work consume. */
export interface PublicHostname {
  hostname: string;
  service: string;
  tier: AuthTier;
  bypassSso: string[];
  /** Paths the edge admits for group admin only. */
  adminPaths: string[];
}

export function publicHostname(entry: ServiceEntry, domain: string): PublicHostname | undefined {
  if (entry.exposure.kind !== "tunnel") return undefined;
  return {
    hostname: `${entry.exposure.subdomain}.${domain}`,
    service: entry.name,
    tier: entry.auth,
    bypassSso: (entry.exposure.bypassSso ?? []).map((b) => b.path),
    adminPaths: (entry.exposure.adminPaths ?? []).map((a) => a.path),
  };
}

const publicProbeHost = (entry: ServiceEntry, domain: string): string | undefined => (entry.auth === "public" || entry.auth === "native" ? hostnameOf(entry, domain) : undefined);

/** Whether the prober asks the app inside the cluster (then its network policy lets the monitoring namespace in on the health port). */
export const probedInCluster = (entry: ServiceEntry, domain: string): boolean => publicProbeHost(entry, domain) === undefined;

/**
 * What monitoring probes: the health path through the route when anyone may
 * reach it there (public and native tiers), else the in-cluster Service (an
 * SSO or admin route answers a prober with a redirect to the login).
 */
export function probeTarget(entry: ServiceEntry, domain: string): string {
  const host = publicProbeHost(entry, domain);
  return host ? `https://${host}${entry.health.path}` : `http://${mainServiceOf(entry)}.${entry.name}.svc.cluster.local:${entry.health.port}${entry.health.path}`;
}

/** The Service the entry's health path and metrics answer on (a tunnel entry may name its chart's; else the entry's own name). */
export const mainServiceOf = (entry: ServiceEntry): string => (entry.exposure.kind === "tunnel" ? entry.exposure.service : undefined) ?? entry.name;

/** The entry's certificate (cert-manager), for the TLS it serves itself; none when it asks for none. */
export function serviceCertificate(entry: ServiceEntry, domain: string): Manifest | undefined {
  if (!entry.tls) return undefined;
  return {
    apiVersion: "cert-manager.io/v1",
    kind: "Certificate",
    metadata: { name: tlsSecretNameOf(entry), namespace: entry.name, labels: labels(entry) },
    spec: {
      secretName: tlsSecretNameOf(entry),
      dnsNames: [`${entry.tls.subdomain}.${domain}`],
      issuerRef: { kind: "ClusterIssuer", name: productionIssuer },
      privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
      // Renewed a month before expiry; the app reloads or restarts onto the new files.
      renewBefore: "720h",
    },
  };
}

/** Chart repositories the services project may pull from. */
export const serviceRepos = (entries: readonly ServiceEntry[]): string[] => [...new Set(entries.map((e) => e.chart.repo))].sort();

/**
 * Argo CD repository entries for the OCI registries the entries' charts come
 * from (Argo CD needs enableOCI for them), scoped to the cluster's services
 * project so the stacks sharing the hub never write the same object.
 */
export function serviceRepositorySecrets(cluster: string, entries: readonly ServiceEntry[]): Manifest[] {
  return ociRepositorySecrets(cluster, servicesProject(cluster), entries.map((e) => e.chart), `repo-${cluster}-`);
}

/** Argo CD repository entries (OCI enabled) for the OCI registries among `charts`, scoped to `project`; each named `<prefix><registry>`. */
export function ociRepositorySecrets(cluster: string, project: string, charts: readonly { repo: string; oci?: boolean }[], prefix: string): Manifest[] {
  const oci = [...new Set(charts.filter((c) => c.oci).map((c) => c.repo))].sort();
  return oci.map((url) => ({
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name: `${prefix}${url.replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "")}`.slice(0, 63).replace(/-$/, ""),
      namespace: argocdNamespace,
      labels: { "argocd.argoproj.io/secret-type": "repository", "homelab.io/cluster": cluster },
    },
    type: "Opaque",
    stringData: { type: "helm", name: url, url, enableOCI: "true", project },
  }));
}

/** Where each entry's chart puts its containers' resources, by `<chart>@<release>`: what the budget and its policies read. */
export function serviceChartDeclarations(entries: readonly ServiceEntry[]): ChartsConfig {
  return Object.fromEntries(
    entries.map((e) => [
      `${e.chart.chart}@${e.name}`,
      { workloads: Object.values(e.workloadPaths).map((w) => ({ path: w.resources, ...(w.replicas ? { replicasPath: w.replicas } : {}) })) },
    ]),
  );
}

/** The fixed pool address the config gives the entry's LAN Service (keyed namespace/name), if any. */
export function fixedLanAddress(entry: ServiceEntry, fixedAddresses: Record<string, string> = {}): string | undefined {
  return entry.exposure.kind === "lan" ? fixedAddresses[`${entry.name}/${entry.exposure.service}`] : undefined;
}

/**
 * The LAN address of an entry exposed on the home LAN: a LoadBalancer Service
 * that Cilium announces from the LAN pool (only Services with the pool's
 * label, and only those the config allows). Local traffic policy keeps the
 * clients' addresses (AdGuard's statistics and per-client rules need them).
 */
export function lanService(entry: ServiceEntry, fixedAddresses: Record<string, string> = {}): Manifest | undefined {
  if (entry.exposure.kind !== "lan") return undefined;
  const fixed = fixedLanAddress(entry, fixedAddresses);
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: {
      name: entry.exposure.service,
      namespace: entry.name,
      labels: { ...labels(entry), [lanLoadBalancerLabel]: "true" },
      // Cilium's LB-IPAM hands out exactly this address of the pool: clients were told it (the router's DHCP).
      ...(fixed ? { annotations: lanAddressAnnotation(fixed) } : {}),
    },
    spec: {
      type: "LoadBalancer",
      externalTrafficPolicy: "Local",
      // The chart's pod labels: its release (the entry's name) and the controller.
      selector: { "app.kubernetes.io/instance": entry.name, "app.kubernetes.io/controller": entry.exposure.controller },
      ports: entry.exposure.ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.port, protocol: p.protocol })),
    },
  };
}
