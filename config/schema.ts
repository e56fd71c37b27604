// The typed shape of every stack's configuration. Each field says what it
// expects in words, because those words end up in the error a user reads.
import { z } from "zod";
import { cidrContains, cidrWithin, isCidr, isHostAddress, isIpv4, parseCidr } from "./net";
import { checkTalosKubernetesPair } from "./versions";
import { ociAlwaysFree } from "../contract/policyConfig";

// ---------------------------------------------------------------- primitives

const expect = (what: string) => ({ error: `expected ${what}` });

/** A config section; a missing one says so in the same words as every other rule. */
const section = <T extends z.ZodRawShape>(shape: T) =>
  z.strictObject(shape, { error: (issue) => (issue.input === undefined ? "expected this section (see docs/configuration.md)" : "expected a mapping of keys") });

export const positiveInt = (what: string) =>
  z.number(expect(what)).int(expect(what)).positive(expect(what));

const name = z
  .string(expect("a lowercase name (a-z, 0-9, '-')"))
  .regex(/^[a-z][a-z0-9-]{0,62}$/, expect("a lowercase name (a-z, 0-9, '-')"));

const ipv4 = z.string(expect("an IPv4 address like 192.168.68.51")).refine(isIpv4, expect("an IPv4 address like 192.168.68.51"));

const cidr = z
  .string(expect("an IPv4 CIDR like 10.0.1.0/24"))
  .refine(isCidr, expect("an IPv4 CIDR like 10.0.1.0/24"));

const hostname = z
  .string(expect("a DNS name like homelab.example"))
  .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, expect("a DNS name like homelab.example"));

const httpsUrl = z.string(expect("an https:// URL")).regex(/^https:\/\/[^\s/]+(:\d+)?(\/\S*)?$/, expect("an https:// URL"));

const ocid = (kind: string) =>
  z
    .string(expect(`an OCI ${kind} OCID (ocid1.${kind}.oc1...)`))
    .regex(new RegExp(`^ocid1\\.${kind}\\.oc1\\.[a-z0-9-]*\\.[a-z0-9]+$`), expect(`an OCI ${kind} OCID (ocid1.${kind}.oc1...)`));

const semver = (what: string) =>
  z.string(expect(`${what} as MAJOR.MINOR.PATCH, e.g. 1.11.5`)).regex(/^\d+\.\d+\.\d+$/, expect(`${what} as MAJOR.MINOR.PATCH, e.g. 1.11.5`));

const port = z.number(expect("a port 1-65535")).int(expect("a port 1-65535")).min(1, expect("a port 1-65535")).max(65535, expect("a port 1-65535"));

const uuid = z
  .string(expect("a UUID like 3f6c1f0e-8a4b-4c55-9d2e-0b7a5c1d2e3f"))
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, expect("a lowercase UUID like 3f6c1f0e-8a4b-4c55-9d2e-0b7a5c1d2e3f"));

// ---------------------------------------------------------------- shared blocks

/** Talos and Kubernetes versions of one cluster; the pair must be in Talos' support matrix. */
const versions = section({
  talos: semver("a Talos version"),
  kubernetes: semver("a Kubernetes version"),
});

/** Where Omni lives, as seen by the clusters that join it. Set by the cloud stack, read by dev and prod. */
const cloudStackRef = z
  .string(expect("a stack reference like organization/homelab/cloud"))
  .regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, expect("a stack reference like organization/homelab/cloud"));

/** How Pulumi reaches the Proxmox node, and the node's hardware, shared by dev and prod. */
const proxmox = section({
  endpoint: httpsUrl,
  insecure: z.boolean(expect("true or false (accept the node's self-signed certificate)")),
  nodeName: name,
  address: ipv4,
  sshUser: name,
  hardware: section({
    memoryGb: positiveInt("the host's RAM in whole GB"),
    cpuThreads: positiveInt("the host's CPU thread count"),
    /** RAM kept for the host itself and the ZFS ARC, never given to VMs. */
    reservedMemoryGb: z.number(expect("GB reserved for the host (0 or more)")).int(expect("a whole number of GB")).nonnegative(expect("GB reserved for the host (0 or more)")),
  }),
  vmDatastore: name,
  isoDatastore: name,
});

const proxmoxNode = section({
  name,
  role: z.enum(["controlplane", "worker", "gpu-worker"], expect("one of controlplane, worker, gpu-worker")),
  vmId: z.number(expect("a Proxmox VM ID between 100 and 999999999")).int(expect("a whole VM ID")).min(100, expect("a Proxmox VM ID between 100 and 999999999")).max(999999999, expect("a Proxmox VM ID between 100 and 999999999")),
  /** SMBIOS UUID given to the VM; Omni identifies the machine by it, so it must never change. */
  machineUuid: uuid,
  cores: positiveInt("a whole number of vCPUs"),
  memoryGb: positiveInt("a whole number of GB of RAM"),
  diskGb: positiveInt("a whole number of GB of disk"),
  ip: ipv4,
  /** Cluster control-plane nodes also schedule workloads (single-node clusters). */
  schedulable: z.boolean(expect("true or false")).optional(),
});

const homeNetwork = section({
  bridge: z.string(expect("a Linux bridge name like vmbr0")).regex(/^vmbr\d+$/, expect("a Linux bridge name like vmbr0")),
  cidr,
  gateway: ipv4,
  vlanId: z.number(expect("a VLAN ID 1-4094")).int(expect("a VLAN ID 1-4094")).min(1, expect("a VLAN ID 1-4094")).max(4094, expect("a VLAN ID 1-4094")).optional(),
});

const homeCluster = section({
  name,
  versions,
  network: homeNetwork,
  nodes: z.array(proxmoxNode, expect("a list of nodes")).min(1, expect("at least one node")),
});

const omniClient = section({
  cloudStack: cloudStackRef,
});

// ---------------------------------------------------------------- prod: the hypervisor host

const hypervisor = section({
  cpuVendor: z.enum(["amd", "intel"], expect("amd or intel (selects the IOMMU kernel argument)")),
  network: section({
    bridge: z.string(expect("a Linux bridge name like vmbr0")).regex(/^vmbr\d+$/, expect("a Linux bridge name like vmbr0")),
    port: z.string(expect("the physical NIC name, e.g. enp1s0")).regex(/^[a-z][a-z0-9.]{1,14}$/, expect("the physical NIC name, e.g. enp1s0")),
    cidr,
    gateway: ipv4,
  }),
  zfs: section({
    pool: name,
    layout: z.enum(["mirror", "single"], expect("mirror or single")),
    disks: z.array(z.string(expect("a /dev/disk/by-id/ path")).regex(/^\/dev\/disk\/by-id\/\S+$/, expect("a stable /dev/disk/by-id/ path")), expect("a list of disks")).min(1, expect("at least one disk")),
    arcMaxGb: positiveInt("the ZFS ARC ceiling in whole GB"),
    scrubSchedule: z.enum(["weekly", "monthly"], expect("weekly or monthly")),
    alertEmail: z.string(expect("an email address for ZFS event alerts")).email(expect("an email address for ZFS event alerts")),
  }),
  gpu: section({
    mappingName: name,
    pciAddress: z.string(expect("a PCI address like 0000:01:00.0")).regex(/^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/, expect("a PCI address like 0000:01:00.0")),
    vendorDeviceIds: z.array(z.string(expect("a vendor:device id like 10de:2684")).regex(/^[0-9a-f]{4}:[0-9a-f]{4}$/, expect("a vendor:device id like 10de:2684")), expect("a list of vendor:device ids")).min(1, expect("the GPU's vendor:device ids (GPU and its audio function)")),
    iommuGroup: z.number(expect("the GPU's IOMMU group number")).int(expect("a whole number")).nonnegative(expect("the GPU's IOMMU group number")),
  }),
  nfs: section({
    /** Media library datasets, exported as <pool>/media/<name>. */
    shares: z.array(name, expect("a list of share names")).min(1, expect("at least one share")),
    /** Networks allowed to mount the shares: the cluster networks only. */
    clients: z.array(cidr, expect("a list of client CIDRs")).min(1, expect("at least one client CIDR")),
  }),
  snapshots: section({
    hourly: z.number(expect("how many hourly snapshots to keep")).int(expect("a whole number")).nonnegative(expect("0 or more")),
    daily: z.number(expect("how many daily snapshots to keep")).int(expect("a whole number")).nonnegative(expect("0 or more")),
    weekly: z.number(expect("how many weekly snapshots to keep")).int(expect("a whole number")).nonnegative(expect("0 or more")),
    monthly: z.number(expect("how many monthly snapshots to keep")).int(expect("a whole number")).nonnegative(expect("0 or more")),
  }),
});

const gamingVm = section({
  name,
  vmId: proxmoxNode.shape.vmId,
  cores: positiveInt("a whole number of vCPUs"),
  memoryGb: positiveInt("a whole number of GB of RAM"),
  diskGb: positiveInt("a whole number of GB of disk"),
  /** Off by default: the VM is started on demand. */
  started: z.boolean(expect("true or false")),
});

// ---------------------------------------------------------------- cloud

const ociNode = section({
  name,
  role: z.enum(["controlplane", "worker"], expect("controlplane or worker")),
  ocpus: positiveInt("a whole number of OCPUs"),
  memoryGb: positiveInt("a whole number of GB of RAM"),
  bootVolumeGb: z.number(expect("a boot volume of at least 50 GB")).int(expect("a whole number of GB")).min(50, expect("a boot volume of at least 50 GB (OCI minimum)")),
  privateIp: ipv4,
  schedulable: z.boolean(expect("true or false")).optional(),
});

const oci = section({
  region: z.string(expect("an OCI region like eu-paris-1")).regex(/^[a-z]+-[a-z]+-\d$/, expect("an OCI region like eu-paris-1")),
  tenancyOcid: ocid("tenancy"),
  userOcid: ocid("user"),
  compartmentOcid: ocid("compartment"),
  fingerprint: z.string(expect("the API key fingerprint (16 hex pairs)")).regex(/^([0-9a-f]{2}:){15}[0-9a-f]{2}$/, expect("the API key fingerprint (16 hex pairs separated by ':')")),
  availabilityDomain: z.string(expect("an availability domain like Abcd:EU-PARIS-1-AD-1")).regex(/^[A-Za-z0-9]+:[A-Z0-9-]+-AD-\d$/, expect("an availability domain like Abcd:EU-PARIS-1-AD-1")),
  network: section({
    vcnCidr: cidr,
    subnetCidr: cidr,
    /** Only these networks may reach SSH on the management VM. */
    adminCidrs: z.array(cidr, expect("a list of admin CIDRs")).min(1, expect("at least one admin CIDR")),
  }),
  images: section({
    /** Ubuntu 24.04 aarch64 platform image for the management VM. */
    ubuntu: ocid("image"),
    /** Talos (Omni-joining) aarch64 custom image imported from the Image Factory. */
    talos: ocid("image"),
  }),
});

const omniServer = section({
  vm: section({
    name,
    ocpus: positiveInt("a whole number of OCPUs"),
    memoryGb: positiveInt("a whole number of GB of RAM"),
    bootVolumeGb: ociNode.shape.bootVolumeGb,
    privateIp: ipv4,
    sshUser: name,
  }),
  /** Public hostname of Omni (served through the tunnel in a later stage; Omni's own TLS name). */
  hostname,
  /** Omni's account name, shown in its UI. */
  accountName: name,
  /** Omni's account UUID; never change it after the first deploy. */
  accountId: uuid,
  /** Who may log in first; everybody else is invited. */
  initialUsers: z.array(z.string(expect("an email address")).email(expect("an email address")), expect("a list of email addresses")).min(1, expect("at least one initial user")),
  /** Ports the security list opens: WireGuard and machine API to the world (machines join from changing IPs), the Kubernetes proxy to admins. */
  ports: section({
    api: port,
    sideroLinkWireguard: port,
    machineApi: port,
    kubernetesProxy: port,
  }),
});

const cloudCluster = section({
  name,
  versions,
  nodes: z.array(ociNode, expect("a list of nodes")).min(1, expect("at least one node")),
});

// ---------------------------------------------------------------- cluster platform

const email = (what: string) => z.string(expect(what)).email(expect(what));

/** What every cluster runs before any service: CNI, GitOps, certificates, secrets, storage. */
const platform = section({
  gitops: section({
    /** Cluster whose Argo CD delivers this stack's Applications; the brief puts it on prod. */
    hubCluster: name,
    /** False only on a first deploy, before the hub's Argo CD exists; wave 1+ then waits for the next `pulumi up`. */
    hubReady: z.boolean(expect("true or false (false only before the hub's Argo CD is deployed)")),
  }),
  /** Only on the hub cluster: Argo CD itself. */
  argocd: section({
    hostname,
    /** OIDC client that the identity work registers in Authentik. */
    oidc: section({ issuer: httpsUrl, clientId: name }),
    /** Keep Argo CD's local admin until SSO works; the password is in argocd-initial-admin-secret. */
    localAdmin: z.boolean(expect("true or false")),
  }).optional(),
  /** Home LAN LoadBalancer IPs (Cilium LB-IPAM + L2 announcements), only for the services listed. */
  lanLoadBalancer: section({
    pool: cidr,
    /** Node interfaces that answer ARP for pool addresses (regular expressions). */
    interfaces: z.array(z.string(expect("an interface regex like ^ens[0-9]+$")).min(1, expect("an interface regex like ^ens[0-9]+$")), expect("a list of interface regexes")).min(1, expect("at least one interface regex")),
    /** The only Services allowed a LAN address, as namespace/name. */
    services: z.array(z.string(expect("a Service as namespace/name")).regex(/^[a-z0-9-]+\/[a-z0-9-]+$/, expect("a Service as namespace/name, e.g. adguard/adguard-dns")), expect("a list of namespace/name")).min(1, expect("at least one Service")),
  }).optional(),
  certManager: section({
    acmeEmail: email("the email Let's Encrypt writes to about expiring certificates"),
    /** Cloudflare zones the DNS01 solver may answer for. */
    dnsZones: z.array(hostname, expect("a list of DNS zones")).min(1, expect("at least one DNS zone")),
  }),
  /** Bitwarden Secrets Manager: the one place cluster secrets come from (External Secrets). */
  bitwarden: section({
    organizationId: uuid,
    projectId: uuid,
    apiUrl: httpsUrl,
    identityUrl: httpsUrl,
    /** IDs of the Bitwarden secrets the platform itself reads. */
    secretIds: section({ cloudflareApiToken: uuid }),
  }),
  storage: section({
    defaultClass: z.enum(["local-path", "longhorn"], expect("local-path or longhorn")),
    longhorn: section({ replicas: positiveInt("a whole number of replicas per volume") }).optional(),
    /** The media library on the Proxmox host's NFS server. */
    nfs: section({
      server: z.string(expect("an IPv4 address or DNS name")).refine((v) => isIpv4(v) || /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(v), expect("an IPv4 address or DNS name")),
      path: z.string(expect("an absolute path like /tank/media")).regex(/^\/[A-Za-z0-9._/-]+$/, expect("an absolute path like /tank/media")),
    }),
  }),
  /** RAM kept free for services on this cluster; the platform must fit in what is left. */
  servicesReserveGb: z.number(expect("GB of RAM kept for services (0 or more)")).nonnegative(expect("GB of RAM kept for services (0 or more)")),
});

// ---------------------------------------------------------------- stacks

export const stackKinds = ["dev", "prod", "cloud"] as const;
export type StackKind = (typeof stackKinds)[number];

/** Secret keys each stack requires (set with `pulumi config set --secret`). */
export const requiredSecrets: Record<StackKind, readonly string[]> = {
  cloud: ["ociPrivateKey", "sshPrivateKey", "bitwardenMachineToken"],
  prod: ["proxmoxApiToken", "proxmoxSshPrivateKey", "bitwardenMachineToken"],
  dev: ["proxmoxApiToken", "proxmoxSshPrivateKey", "bitwardenMachineToken"],
};

const sshPublicKey = z
  .string(expect("an OpenSSH public key (ssh-ed25519 AAAA...)"))
  .regex(/^(ssh-ed25519|ecdsa-sha2-nistp256|ssh-rsa) [A-Za-z0-9+/=]+( \S+)?$/, expect("an OpenSSH public key (ssh-ed25519 AAAA...)"));

export const cloudConfigSchema = section({
  domain: hostname,
  sshPublicKey,
  oci,
  omni: omniServer,
  cluster: cloudCluster,
  platform,
});

export const prodConfigSchema = section({
  omni: omniClient,
  proxmox,
  hypervisor,
  cluster: homeCluster,
  gamingVm,
  platform,
});

export const devConfigSchema = section({
  omni: omniClient,
  proxmox,
  cluster: homeCluster,
  platform,
});

export type CloudConfig = z.infer<typeof cloudConfigSchema>;
export type ProdConfig = z.infer<typeof prodConfigSchema>;
export type DevConfig = z.infer<typeof devConfigSchema>;
export type ProxmoxConfig = z.infer<typeof proxmox>;
export type HomeClusterConfig = z.infer<typeof homeCluster>;
export type ProxmoxNodeConfig = z.infer<typeof proxmoxNode>;
export type HypervisorConfig = z.infer<typeof hypervisor>;
export type GamingVmConfig = z.infer<typeof gamingVm>;
export type OciConfig = z.infer<typeof oci>;
export type OciNodeConfig = z.infer<typeof ociNode>;
export type OmniServerConfig = z.infer<typeof omniServer>;
export type CloudClusterConfig = z.infer<typeof cloudCluster>;
export type ClusterVersions = z.infer<typeof versions>;
export type PlatformConfig = z.infer<typeof platform>;

// ---------------------------------------------------------------- cross-field rules

export { ociAlwaysFree };

type Issue = { path: (string | number)[]; message: string };

function duplicates<T>(items: T[], key: (item: T) => string | number): Map<string | number, number[]> {
  const seen = new Map<string | number, number[]>();
  items.forEach((item, i) => seen.set(key(item), [...(seen.get(key(item)) ?? []), i]));
  return new Map([...seen].filter(([, idx]) => idx.length > 1));
}

function uniqueBy<T>(issues: Issue[], items: T[], path: (string | number)[], field: keyof T & string, what: string) {
  for (const [value, idx] of duplicates(items, (item) => item[field] as string | number)) {
    for (const i of idx.slice(1)) {
      issues.push({ path: [...path, i, field], message: `expected a unique ${what}; ${JSON.stringify(value)} is also used by ${path.join(".")}[${idx[0]}]` });
    }
  }
}

function uniqueValues(issues: Issue[], values: string[], path: (string | number)[], what: string) {
  for (const [value, idx] of duplicates(values, (v) => v)) {
    for (const i of idx.slice(1)) issues.push({ path: [...path, i], message: `expected a unique ${what}; ${JSON.stringify(value)} is also used by ${path.join(".")}[${idx[0]}]` });
  }
}

/** Networks that may reach admin ports or NFS must be specific: /8 or longer. */
function broadNetworkIssues(cidrs: string[], path: (string | number)[]): Issue[] {
  return cidrs.flatMap((c, i) => (parseCidr(c).bits < 8 ? [{ path: [...path, i], message: "expected a specific network (prefix /8 or longer), not a large part of the internet" }] : []));
}

function versionIssues(v: ClusterVersions, path: (string | number)[]): Issue[] {
  const problem = checkTalosKubernetesPair(v.talos, v.kubernetes);
  return problem ? [{ path: [...path, problem.field], message: problem.message }] : [];
}

function homeClusterIssues(cluster: HomeClusterConfig, host: ProxmoxConfig, vmIdsElsewhere: { vmId: number; path: string }[]): Issue[] {
  const issues: Issue[] = [...versionIssues(cluster.versions, ["cluster", "versions"])];
  uniqueBy(issues, cluster.nodes, ["cluster", "nodes"], "name", "node name");
  uniqueBy(issues, cluster.nodes, ["cluster", "nodes"], "vmId", "VM ID");
  uniqueBy(issues, cluster.nodes, ["cluster", "nodes"], "ip", "node IP");
  uniqueBy(issues, cluster.nodes, ["cluster", "nodes"], "machineUuid", "machine UUID");
  const usable = host.hardware.memoryGb - host.hardware.reservedMemoryGb;
  const { cidr: net, gateway } = cluster.network;
  if (!cidrContains(net, gateway)) {
    issues.push({ path: ["cluster", "network", "gateway"], message: `expected an address inside ${net}` });
  }
  cluster.nodes.forEach((node, i) => {
    if (!cidrContains(net, node.ip) || !isHostAddress(net, node.ip)) {
      issues.push({ path: ["cluster", "nodes", i, "ip"], message: `expected a host address inside the cluster network ${net}` });
    }
    if (node.memoryGb > usable) {
      issues.push({ path: ["cluster", "nodes", i, "memoryGb"], message: `expected at most ${usable} GB (host ${host.hardware.memoryGb} GB minus ${host.hardware.reservedMemoryGb} GB reserved)` });
    }
    if (node.cores > host.hardware.cpuThreads) {
      issues.push({ path: ["cluster", "nodes", i, "cores"], message: `expected at most ${host.hardware.cpuThreads} vCPUs (the host's thread count)` });
    }
    const clash = vmIdsElsewhere.find((other) => other.vmId === node.vmId);
    if (clash) issues.push({ path: ["cluster", "nodes", i, "vmId"], message: `expected a unique VM ID; ${node.vmId} is also used by ${clash.path}` });
  });
  if (!cluster.nodes.some((n) => n.role === "controlplane")) {
    issues.push({ path: ["cluster", "nodes"], message: "expected at least one node with role controlplane" });
  }
  const controlPlanes = cluster.nodes.filter((n) => n.role === "controlplane").length;
  if (controlPlanes % 2 === 0 && controlPlanes > 0) {
    issues.push({ path: ["cluster", "nodes"], message: `expected an odd number of control-plane nodes for etcd quorum, got ${controlPlanes}` });
  }
  if (cluster.nodes.length === 1 && cluster.nodes[0].schedulable !== true) {
    issues.push({ path: ["cluster", "nodes", 0, "schedulable"], message: "expected true: a single-node cluster must schedule workloads on its control plane" });
  }
  return issues;
}

/** The nodes that run workloads: workers, and control planes marked schedulable. */
export const workloadNodes = <T extends { role: string; schedulable?: boolean }>(nodes: T[]): T[] =>
  nodes.filter((n) => n.role !== "controlplane" || n.schedulable === true);

interface PlatformContext {
  clusterName: string;
  workloadNodeCount: number;
  /** The home LAN the cluster sits on; undefined on OCI (no layer 2 there). */
  lan?: { cidr: string; reserved: { ip: string; path: string }[] };
}

function platformIssues(p: PlatformConfig, ctx: PlatformContext): Issue[] {
  const issues: Issue[] = [];
  const isHub = p.gitops.hubCluster === ctx.clusterName;
  if (isHub && !p.argocd) issues.push({ path: ["platform", "argocd"], message: `expected this section: cluster ${ctx.clusterName} is the GitOps hub (platform.gitops.hubCluster)` });
  if (!isHub && p.argocd) issues.push({ path: ["platform", "argocd"], message: `expected no argocd section: Argo CD runs on the hub cluster ${p.gitops.hubCluster}` });
  if (isHub && !p.gitops.hubReady) issues.push({ path: ["platform", "gitops", "hubReady"], message: "expected true: this stack deploys the hub itself" });
  if (p.storage.defaultClass === "longhorn" && !p.storage.longhorn) {
    issues.push({ path: ["platform", "storage", "longhorn"], message: "expected this section when storage.defaultClass is longhorn" });
  }
  if (p.storage.longhorn && p.storage.longhorn.replicas > ctx.workloadNodeCount) {
    issues.push({ path: ["platform", "storage", "longhorn", "replicas"], message: `expected at most ${ctx.workloadNodeCount} (one replica per node that runs workloads)` });
  }
  const lb = p.lanLoadBalancer;
  if (lb && !ctx.lan) issues.push({ path: ["platform", "lanLoadBalancer"], message: "expected no lanLoadBalancer: this cluster has no home LAN to announce addresses on" });
  if (lb && ctx.lan) {
    if (!cidrWithin(ctx.lan.cidr, lb.pool)) {
      issues.push({ path: ["platform", "lanLoadBalancer", "pool"], message: `expected a range inside the cluster network ${ctx.lan.cidr}` });
    } else {
      for (const taken of ctx.lan.reserved) {
        if (cidrContains(lb.pool, taken.ip)) issues.push({ path: ["platform", "lanLoadBalancer", "pool"], message: `expected a range that leaves out ${taken.ip} (${taken.path})` });
      }
    }
    uniqueValues(issues, lb.services, ["platform", "lanLoadBalancer", "services"], "Service");
  }
  uniqueValues(issues, p.certManager.dnsZones, ["platform", "certManager", "dnsZones"], "DNS zone");
  return issues;
}

function homePlatformIssues(p: PlatformConfig, cluster: HomeClusterConfig, extraReserved: { ip: string; path: string }[]): Issue[] {
  const reserved = [
    { ip: cluster.network.gateway, path: "cluster.network.gateway" },
    ...cluster.nodes.map((n, i) => ({ ip: n.ip, path: `cluster.nodes[${i}].ip` })),
    ...extraReserved,
  ];
  return platformIssues(p, { clusterName: cluster.name, workloadNodeCount: workloadNodes(cluster.nodes).length, lan: { cidr: cluster.network.cidr, reserved } });
}

export function prodIssues(c: ProdConfig): Issue[] {
  const issues = homeClusterIssues(c.cluster, c.proxmox, [{ vmId: c.gamingVm.vmId, path: "gamingVm.vmId" }]);
  const usable = c.proxmox.hardware.memoryGb - c.proxmox.hardware.reservedMemoryGb;
  if (c.gamingVm.memoryGb > usable) {
    issues.push({ path: ["gamingVm", "memoryGb"], message: `expected at most ${usable} GB (host ${c.proxmox.hardware.memoryGb} GB minus ${c.proxmox.hardware.reservedMemoryGb} GB reserved)` });
  }
  if (c.hypervisor.zfs.layout === "mirror" && c.hypervisor.zfs.disks.length < 2) {
    issues.push({ path: ["hypervisor", "zfs", "disks"], message: "expected at least two disks for a mirror" });
  }
  uniqueValues(issues, c.hypervisor.zfs.disks, ["hypervisor", "zfs", "disks"], "disk");
  if (c.hypervisor.zfs.arcMaxGb > c.proxmox.hardware.reservedMemoryGb) {
    issues.push({ path: ["hypervisor", "zfs", "arcMaxGb"], message: `expected at most ${c.proxmox.hardware.reservedMemoryGb} GB: the ARC must fit in proxmox.hardware.reservedMemoryGb` });
  }
  if (!cidrContains(c.hypervisor.network.cidr, c.proxmox.address)) {
    issues.push({ path: ["proxmox", "address"], message: `expected an address inside hypervisor.network.cidr ${c.hypervisor.network.cidr}` });
  }
  if (!cidrContains(c.hypervisor.network.cidr, c.hypervisor.network.gateway)) {
    issues.push({ path: ["hypervisor", "network", "gateway"], message: `expected an address inside ${c.hypervisor.network.cidr}` });
  }
  if (c.cluster.network.bridge !== c.hypervisor.network.bridge) {
    issues.push({ path: ["cluster", "network", "bridge"], message: `expected the host bridge ${c.hypervisor.network.bridge}` });
  }
  issues.push(...broadNetworkIssues(c.hypervisor.nfs.clients, ["hypervisor", "nfs", "clients"]));
  uniqueValues(issues, c.hypervisor.nfs.shares, ["hypervisor", "nfs", "shares"], "share name");
  if (c.gamingVm.cores > c.proxmox.hardware.cpuThreads) {
    issues.push({ path: ["gamingVm", "cores"], message: `expected at most ${c.proxmox.hardware.cpuThreads} vCPUs (the host's thread count)` });
  }
  issues.push(...homePlatformIssues(c.platform, c.cluster, [{ ip: c.proxmox.address, path: "proxmox.address" }]));
  // The prod stack owns the NFS server, so its clusters' nfs-media class must point at it.
  const mediaRoot = `/${c.hypervisor.zfs.pool}/media`;
  if (c.platform.storage.nfs.path !== mediaRoot) issues.push({ path: ["platform", "storage", "nfs", "path"], message: `expected ${mediaRoot}, the media root the host exports (hypervisor.zfs.pool)` });
  if (c.platform.storage.nfs.server !== c.proxmox.address) issues.push({ path: ["platform", "storage", "nfs", "server"], message: `expected ${c.proxmox.address}, the Proxmox host that serves NFS (proxmox.address)` });
  return issues;
}

export function devIssues(c: DevConfig): Issue[] {
  return [...homeClusterIssues(c.cluster, c.proxmox, []), ...homePlatformIssues(c.platform, c.cluster, [{ ip: c.proxmox.address, path: "proxmox.address" }])];
}

export function cloudIssues(c: CloudConfig): Issue[] {
  const issues: Issue[] = [...versionIssues(c.cluster.versions, ["cluster", "versions"])];
  const { vcnCidr, subnetCidr } = c.oci.network;
  if (!cidrWithin(vcnCidr, subnetCidr)) {
    issues.push({ path: ["oci", "network", "subnetCidr"], message: `expected a subnet inside the VCN ${vcnCidr}` });
  }
  const inSubnet = (ip: string) => cidrContains(subnetCidr, ip) && isHostAddress(subnetCidr, ip);
  if (!inSubnet(c.omni.vm.privateIp)) {
    issues.push({ path: ["omni", "vm", "privateIp"], message: `expected a host address inside the subnet ${subnetCidr}` });
  }
  c.cluster.nodes.forEach((node, i) => {
    if (!inSubnet(node.privateIp)) issues.push({ path: ["cluster", "nodes", i, "privateIp"], message: `expected a host address inside the subnet ${subnetCidr}` });
    if (node.privateIp === c.omni.vm.privateIp) issues.push({ path: ["cluster", "nodes", i, "privateIp"], message: `expected a unique IP; ${node.privateIp} is the management VM's` });
  });
  uniqueBy(issues, c.cluster.nodes, ["cluster", "nodes"], "name", "node name");
  uniqueBy(issues, c.cluster.nodes, ["cluster", "nodes"], "privateIp", "node IP");
  c.cluster.nodes.forEach((node, i) => {
    if (node.name === c.omni.vm.name) issues.push({ path: ["cluster", "nodes", i, "name"], message: `expected a unique name; ${node.name} is the management VM's` });
  });
  issues.push(...broadNetworkIssues(c.oci.network.adminCidrs, ["oci", "network", "adminCidrs"]));
  if (!c.cluster.nodes.some((n) => n.role === "controlplane")) {
    issues.push({ path: ["cluster", "nodes"], message: "expected at least one node with role controlplane" });
  }
  // Omni tells OCI roles apart by core count (their UUIDs are unknown up front).
  const coresByRole = new Map<string, Set<number>>();
  c.cluster.nodes.forEach((n) => coresByRole.set(n.role, (coresByRole.get(n.role) ?? new Set()).add(n.ocpus)));
  const cp = coresByRole.get("controlplane") ?? new Set<number>();
  const workers = coresByRole.get("worker") ?? new Set<number>();
  if (cp.size > 1 || workers.size > 1 || [...cp].some((n) => workers.has(n))) {
    issues.push({ path: ["cluster", "nodes"], message: "expected one OCPU count per role, different between controlplane and worker (Omni selects OCI machines by core count)" });
  }
  const totals = ociTotals(c);
  const over = (value: number, limit: number, unit: string) => `expected the Always Free total of ${limit} ${unit} or less; management VM + cluster nodes use ${value} ${unit}`;
  if (totals.ocpus > ociAlwaysFree.ocpus) issues.push({ path: ["cluster", "nodes"], message: over(totals.ocpus, ociAlwaysFree.ocpus, "OCPUs") });
  if (totals.memoryGb > ociAlwaysFree.memoryGb) issues.push({ path: ["cluster", "nodes"], message: over(totals.memoryGb, ociAlwaysFree.memoryGb, "GB of RAM") });
  if (totals.blockStorageGb > ociAlwaysFree.blockStorageGb) issues.push({ path: ["cluster", "nodes"], message: over(totals.blockStorageGb, ociAlwaysFree.blockStorageGb, "GB of block storage") });
  issues.push(...platformIssues(c.platform, { clusterName: c.cluster.name, workloadNodeCount: workloadNodes(c.cluster.nodes).length }));
  return issues;
}

/** OCPU, RAM and block storage of every A1 instance the cloud stack creates. */
export function ociTotals(c: Pick<CloudConfig, "omni" | "cluster">) {
  const machines = [c.omni.vm, ...c.cluster.nodes];
  return {
    ocpus: machines.reduce((s, m) => s + m.ocpus, 0),
    memoryGb: machines.reduce((s, m) => s + m.memoryGb, 0),
    blockStorageGb: machines.reduce((s, m) => s + m.bootVolumeGb, 0),
  };
}
