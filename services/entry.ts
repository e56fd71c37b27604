// The one description of a workload: a family service, an admin app or a
// platform add-on. Everything the clusters run is derived from these entries
// (the Argo CD Application, namespace, network policy, volumes, secrets,
// route, probe, dashboard link, budget); one file per entry in services/.
import type { AuthTier, BackupClass } from "../contract/labels";
import type { ServicesConfig } from "../config/schema";
import type { ImageRef } from "../config/versions";
import type { Resources } from "../components/platform/resources";
import type { Wave } from "../components/platform/waves";
import type { PlatformContext } from "../components/platform/context";
import type { ChartDeclaration } from "../contract/policyConfig";

/**
 * Who may reach it. `sso`: family users signed in through Authentik (native
 * OIDC or the SSO proxy); `native`: the app's own accounts; `admin`: group
 * `admin` only; `public`: anyone, behind Cloudflare.
 */
export type { AuthTier } from "../contract/labels";

/** `critical`: local and offsite; `local`: ZFS snapshots and a local copy; `none`: said out loud, never implied. */
export type { BackupClass } from "../contract/labels";
export { authTiers, backupClasses } from "../contract/labels";

/** Where a service runs: the cloud cluster or the home prod cluster (dev mirrors prod). */
export type ServiceHome = "cloud" | "prod";

export type PodSecurityLevel = "privileged" | "baseline" | "restricted";

/** Published through the cluster's tunnel Gateway as <subdomain>.<domain>. */
export interface TunnelExposure {
  kind: "tunnel";
  subdomain: string;
  /** The Service port the route sends to. */
  port: number;
  /** The Service the route sends to, when the chart does not name it after the entry. */
  service?: string;
  /**
   * Paths that keep the app's own authentication instead of SSO, because their
   * clients cannot do a browser login (DAV clients, mobile apps, webhooks);
   * each says why.
   */
  bypassSso?: { path: string; why: string }[];
  /** Paths of an `sso` or `native` app that only group `admin` may reach at the edge (an app's own admin page), each with why. */
  adminPaths?: { path: string; why: string }[];
}

/** Reachable on the home LAN only, on a LoadBalancer address of the cluster's pool. */
export interface LanExposure {
  kind: "lan";
  /** The LoadBalancer Service's name; <namespace>/<name> must be in platform.lanLoadBalancer.services. */
  service: string;
  /** The app-template controller whose pods answer (its first workload). */
  controller: string;
  ports: { name: string; port: number; protocol: "TCP" | "UDP" }[];
}

export type Exposure = TunnelExposure | LanExposure | { kind: "none" };

/** Who owns a library folder on the home NFS server: the user and group its writing app runs as (root squashed to nobody). */
export interface FolderOwner {
  uid: number;
  gid: number;
  /** Which process writes as this user. */
  why: string;
}

/**
 * A folder of the media library on the home NFS server (the `nfs-media`
 * class: the claim's name is the folder, a dataset of its own). An app that
 * writes it says as whom: the host makes the folder that user's.
 */
export type LibraryVolume = {
  kind: "library";
  /** Folder under the media root, e.g. music; also the claim's name. */
  folder: string;
  sizeGi: number;
  mountPath: string;
} & ({ access: "ro" } | { access: "rw"; owner: FolderOwner });

/** The app's own data: a claim on the cluster's block storage (Longhorn or local-path). */
export interface DataVolume {
  kind: "data";
  name: string;
  sizeGi: number;
  mountPath: string;
}

export type Volume = LibraryVolume | DataVolume;

/** A PostgreSQL database of its own (CloudNativePG), dumped consistently by the backup work. */
export interface Database {
  engine: "postgres";
  sizeGi: number;
  /** Extensions created at bootstrap (e.g. Immich's vector search). */
  extensions?: string[];
  /** Libraries PostgreSQL loads at start, for extensions that need it (vchord.so). */
  preload?: string[];
  /** Image with the extensions compiled in, when the default has them not (versions.ts). */
  image?: ImageRef;
  resources: Resources;
}

/** A Bitwarden Secrets Manager secret, found by its name in the store's project, copied into the app's Secret. */
export interface SecretRef {
  /** Key in the app's Kubernetes Secret. */
  key: string;
  /** The secret's name in Bitwarden (unique in the project). */
  bitwarden: string;
}

/** Outbound traffic the network policy allows besides DNS, the database and the cluster's own services. */
export type Egress = DirectEgress | StaticIpEgress | ClusterEgress;

/** To the pods of another namespace of the same cluster (e.g. Grafana to Prometheus and Loki in monitoring). */
export interface ClusterEgress {
  why: string;
  to: { namespace: string };
  ports: number[];
}

export interface DirectEgress {
  /** Why it is needed. */
  why: string;
  /** DNS names (Cilium toFQDNs), or `world` for any public address. */
  to: string[] | "world";
  ports: number[];
}

/**
 * Through the static-IP egress proxy (the management VM's reserved public IP),
 * for upstreams that accept one stable source address only. The network policy
 * allows the proxy and nothing else out, so a request that skips the proxy
 * fails instead of leaving from a node's ephemeral IP. Only where the cluster
 * has a proxy (the cloud cluster).
 */
export interface StaticIpEgress {
  why: string;
  to: "static-ip-proxy";
}

export interface DashboardEntry {
  group: string;
  title: string;
  /** Kept off the family page though the app has its own login (only admins hold an account): why. */
  adminsOnly?: string;
  /** Glance icon reference, e.g. si:nextcloud or di:vaultwarden. */
  icon: string;
  description: string;
}

/** What the services need from the stack config (homelab:services). */
export type ServiceSettings = ServicesConfig;

export interface ServiceContext {
  /** The cluster it is rendered for (dev, prod or cloud's cluster name). */
  cluster: string;
  /** True on dev: the prod services with reduced resources. */
  reduced: boolean;
  /** The public domain; tunnel hostnames are <subdomain>.<domain>. */
  domain: string;
  /** The entry's database, when it has one: how the app reaches it. */
  database?: { host: string; port: number; name: string; user: string; secret: string; passwordKey: string };
  /** Name of the Kubernetes Secret External Secrets fills from the entry's secrets. */
  secretName: string;
  /** The entry's public URL, when it is exposed through the tunnel. */
  url?: string;
  /** Local time zone of the family. */
  timezone: string;
  settings: ServiceSettings;
  /** Every entry of the catalog, on every cluster (the dashboard lists them). */
  catalog: readonly ServiceEntry[];
  /** The pods' network: where the Gateway's proxy and cloudflared connect from (trusted proxies). */
  podSubnet: string;
  /** The static-IP egress proxy's URL, for an entry whose egress says `static-ip-proxy`. */
  staticEgressProxy?: string;
  /** The entry's own certificate, where it asks for one: its name and the files' paths in the container. */
  tls?: { hostname: string; certFile: string; keyFile: string };
  /** The fixed LAN address of the entry's LoadBalancer Service, where the config gives one. */
  lanAddress?: string;
}

/** Authentik's issuer for one application (the identity work registers the provider under this slug). */
export const oidcIssuer = (ctx: ServiceContext, slug: string): string => `https://auth.${ctx.domain}/application/o/${slug}/`;

/** Containers by role, e.g. { server: ..., worker: ... }; the budget sums them all (times replicas). */
export type Workloads = Record<string, { resources: Resources; replicas?: number }>;

export interface ServiceEntry {
  /** DNS label: the namespace, the Application and every object's name. */
  name: string;
  /** Where it runs. */
  home: ServiceHome;
  /** On dev (prod services only): the same manifests with these smaller workloads, or skipped, with the reason. */
  dev?: { workloads: Workloads } | { skip: string };
  /** The chart (from config/versions.ts) and its values, computed from the entry and the context only. */
  chart: ChartSource;
  /** Dot path in the values to each workload's resources and replicas (for the budget and its policy). */
  workloadPaths: Record<string, { resources: string; replicas?: string }>;
  values: (ctx: ServiceContext) => Record<string, unknown>;
  auth: AuthTier;
  exposure: Exposure;
  volumes: Volume[];
  backup: BackupClass;
  /** Why the backup class is `none` (it is never implied). */
  backupNote?: string;
  /**
   * The user a restricted app writes its data volumes as, when it is not
   * app-template's (1000): the offsite copy of a critical volume reads them as
   * this user. Apps of a baseline or privileged namespace may write as root,
   * so their copies run as root there.
   */
  dataUid?: number;
  database?: Database;
  workloads: Workloads;
  /** Path that answers 200 without a login, on the exposed port. */
  health: { path: string; port: number };
  /** Prometheus metrics the app serves itself, read inside the cluster (components/monitoring/scrapes.ts): on its main Service's port `port`, at `path`. */
  metrics?: { port: number; path: string; why: string };
  /** An availability objective the family relies on (0 to 1, e.g. 0.99): its probe alert is critical and quick, and a day's failures beyond the budget warn. */
  objective?: { availability: number; why: string };
  /** On the family dashboard (admin apps never: the family page lists what family members may open). */
  dashboard: DashboardEntry;
  secrets: SecretRef[];
  /**
   * A certificate for <subdomain>.<domain> from Let's Encrypt (cert-manager,
   * DNS01 through Cloudflare, so names never published work), for TLS the app
   * serves itself rather than through the tunnel (DNS over TLS and HTTPS).
   */
  tls?: { subdomain: string; why: string };
  /**
   * More keys of the same Secret, rendered by External Secrets: plain text, or
   * a template of the secrets above ({{ .KEY }}) for apps that read a whole
   * file or need non-secret keys beside them.
   */
  secretTemplate?: (ctx: ServiceContext) => Record<string, string>;
  egress: Egress[];
  /**
   * The app calls the cluster's API server as its namespace's `default`
   * service account: that account's token is mounted and the API server is
   * among its egress. What it may do is granted elsewhere (say where); without
   * a grant the token reads nothing.
   */
  kubernetesApi?: { why: string };
  /** Pods of other namespaces of the cluster that may reach the app besides its route (e.g. Alertmanager publishing to ntfy), each with why. */
  ingressFrom?: { namespace: string; ports: number[]; why: string }[];
  /**
   * A Secret of values the stack generates (not Bitwarden's), created in the
   * entry's namespace before the app: its name is <name>-generated, with these
   * keys. The stack that runs the entry must give the values.
   */
  generatedSecret?: { keys: readonly string[]; why: string };
  /**
   * The app signs people in itself through Authentik (its own OIDC client,
   * client id = the entry's name): the paths on its hostname Authentik may
   * send them back to, and other redirect URIs (a mobile app's scheme). The
   * client secret is the Bitwarden secret <name>-oidc-client-secret, which
   * the identity plane generates.
   */
  oidc?: { redirectPaths: string[]; otherRedirectUris?: string[] };
  /**
   * A native-login app whose accounts the provisioning workflow creates for
   * the family (docs/delivery.md, account provisioning): which account API
   * it speaks. Left out when the app signs people up itself (OIDC sign-up).
   */
  accounts?: AccountApi;
  /** The namespace's Pod Security level; restricted unless the app needs more (say why). */
  podSecurity: { level: PodSecurityLevel; why?: string };
  wave: Exclude<Wave, 0 | 1>;
}

/** The account APIs delivery/provision/ has a client for. */
export const accountApis = ["navidrome", "audiobookshelf", "komga"] as const;
export type AccountApi = (typeof accountApis)[number];

/** A chart as config/versions.ts pins it; `oci`: the repository is an OCI registry; `path`: a chart kept in git. */
export interface ChartSource {
  repo: string;
  chart: string;
  version: string;
  oci?: boolean;
  path?: string;
}

/**
 * A platform add-on (storage, the database operator; later monitoring): a
 * chart every cluster that needs it runs in wave 1, before any service. Same
 * Application derivation as a service, no tier, route or volumes of its own.
 */
export interface AddonEntry {
  /** The Application is <cluster>-<name>. */
  name: string;
  chart: ChartSource;
  namespace: string;
  releaseName: string;
  /** The namespace's Pod Security level, when Argo CD creates the namespace (node agents need privileged). */
  podSecurity?: PodSecurityLevel;
  wave: Wave;
  /** How long Pulumi waits for the Application to become healthy, when the default 15 minutes is not enough. */
  timeoutSeconds?: number;
  syncOptions?: string[];
  /** Whether a cluster runs it. */
  enabled: (ctx: PlatformContext) => boolean;
  values: (ctx: PlatformContext) => Record<string, unknown>;
  /** Where the chart sets its containers' resources and Service types (the budget and the policies read it). */
  declaration: ChartDeclaration;
}
