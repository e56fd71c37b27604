// What the program tells its policy pack: the shape of each policy's
// configuration (`out/<stack>/policy-config.json`, passed with
// --policy-pack-config). The program and the offline plan produce it; the
// policies read it. This module imports nothing, so the policy pack compiles
// it on its own and components never import from policies/.
//
// Facts a stack policy needs but cannot see in a first preview (outputs are
// empty until the cluster exists) are *declared* here per resource URN; a
// resource policy checks each declaration against the resource's inputs, which
// the analyzer always sees, so a stale or wrong declaration is refused.

/** Oracle Cloud Always Free A1 limits (per tenancy). */
export const ociAlwaysFree = { ocpus: 4, memoryGb: 24, blockStorageGb: 200 } as const;

/** proxmox-host-capacity: the host the stack's VMs run on. */
export interface HostCapacityConfig {
  hostMemoryGb: number;
  /** RAM the host keeps for itself and the ZFS ARC. */
  reservedMemoryGb: number;
  cpuThreads: number;
}

/** security-list-declared-ports: what the stack config opens. */
export interface DeclaredPortsConfig {
  /** CIDR allowed everything (the VCN itself). */
  internalCidr: string;
  declared: { protocol: "tcp" | "udp"; port: number; sources: string[] }[];
}

/** Where, in one chart's values, its pods' resources (and replica counts) are set. */
export interface ChartWorkload {
  path: string;
  /** One pod per node (a DaemonSet). */
  perNode?: boolean;
  /** Dot path to the replica count in the values; used when the value there is a number. */
  replicasPath?: string;
  /** Replicas when the values do not say (default 1). */
  replicas?: number;
  /** An init container: checked for requests and limits, not added to the budget (it does not run alongside the others). */
  init?: boolean;
}

export interface ChartDeclaration {
  workloads: ChartWorkload[];
  /** Dot paths to Service type strings in the values. */
  servicePaths?: string[];
  /** For a chart that cannot set its containers' resources: what its pods request (from a LimitRange), and why. */
  estimated?: { reason: string; memoryMiB: number; milliCpu: number };
}

/** By chart name, or `<chart>@<release>` for one release of a generic chart (app-template). */
export type ChartsConfig = Record<string, ChartDeclaration>;

/** container-resources. */
export interface ContainerResourcesConfig {
  charts: ChartsConfig;
}

/** exposed-services. */
export interface ExposedServicesConfig {
  /** Services (namespace/name) allowed an address outside the cluster. */
  allowed: string[];
  charts: ChartsConfig;
}

/** An SSO gate (oauth2-proxy) as the program renders it: its Service and the groups its configuration admits. */
export interface SsoGateDeclaration {
  namespace: string;
  name: string;
  admits: string[];
}

/** sso-routes-gated: the stack's SSO gates, read from their ConfigMaps. */
export interface SsoRoutesConfig {
  gates: SsoGateDeclaration[];
}

/** pinned-versions. */
export interface PinnedVersionsConfig {
  /** Charts whose own appVersion pins their images, so `image: { repository }` without a tag is fine in their values. */
  chartDefaultTags: string[];
  /** Image repositories whose releases are numbered major.minor (PostgreSQL 17.11), so such a tag is exact. */
  majorMinorImages: string[];
}

/** One cluster's room, as the plan derives it from the stack config. */
export interface ClusterCapacity {
  /** Nodes that run workloads (DaemonSets and per-node chart workloads run once on each). */
  nodes: number;
  allocatableMiB: number;
  allocatableMilliCpu: number;
  /** Requests of what runs before the platform (Talos, kube-system). */
  systemMiB: number;
  systemMilliCpu: number;
  /** Memory kept free for the family's services, which come later. */
  servicesReserveMiB: number;
}

/** One line of a cluster's budget. */
export interface BudgetItem {
  /** "Release cilium: values.agent.resources x3", "Deployment web x2". */
  resource: string;
  /** Requests of all its pods together. */
  memoryMiB: number;
  milliCpu: number;
}

/** What one release, Application or raw workload puts on a cluster, as its inputs say. */
export interface WorkloadDeclaration {
  cluster: string;
  items: BudgetItem[];
}

/** cluster-budget and cluster-budget-declared. */
export interface ClusterBudgetConfig {
  /** The cluster this stack's Releases and raw workloads run on. */
  stackCluster: string;
  charts: ChartsConfig;
  clusters: Record<string, ClusterCapacity>;
  /** By resource URN: every release, Application and raw workload of the stack. */
  workloads: Record<string, WorkloadDeclaration>;
}

/** Where an Application goes and in which wave; a directly installed release is wave 0 of the stack's cluster. */
export interface WaveDeclaration {
  cluster: string;
  wave: number;
  kind: "application" | "release";
}

/** sync-waves-ordered and sync-waves-declared. */
export interface SyncWavesConfig {
  /** The cluster this stack's Releases install on. */
  stackCluster: string;
  /** By resource URN: every Argo CD Application and Helm release of the stack. */
  resources: Record<string, WaveDeclaration>;
}

/** public-hostnames-routed-once and admin-hostnames-behind-access: the catalog's public hostnames and what only admins may reach. */
export interface EdgeConfig {
  hostnames?: string[];
  /** Admin hostnames and host/path admin paths, as Access destinations. */
  adminTargets?: string[];
  /** The group the Access policy must admit by the groups claim. */
  group?: string;
}

/** The policy config file, by policy name. */
export interface HomelabPolicyConfig {
  "proxmox-host-capacity"?: HostCapacityConfig;
  "security-list-declared-ports"?: DeclaredPortsConfig;
  "container-resources": ContainerResourcesConfig;
  "exposed-services": ExposedServicesConfig;
  "pinned-versions"?: PinnedVersionsConfig;
  "sso-routes-gated": SsoRoutesConfig;
  "public-hostnames-routed-once"?: EdgeConfig;
  "admin-hostnames-behind-access"?: EdgeConfig;
  "cluster-budget": ClusterBudgetConfig;
  "cluster-budget-declared": ClusterBudgetConfig;
  "sync-waves-ordered": SyncWavesConfig;
  "sync-waves-declared": SyncWavesConfig;
}

/** The command that regenerates a stack's policy config; policies name it when a declaration is stale. */
export const regenerateCommand = (stack: string) => `npm run preview -- --stack ${stack}`;
