// The typed shape of every stack's configuration. Each field says what it
// expects in words, because those words end up in the error a user reads.
import { z } from "zod";
import { addressAt, cidrContains, cidrSize, cidrWithin, isCidr, isHostAddress, isIpv4, isPrivateCidr, parseCidr, podSubnet, privateRanges, reservedRangeOf } from "./net";
import { checkTalosKubernetesPair } from "./versions";
import { ociAlwaysFree } from "../contract/policyConfig";

/** The LoadBalancer Service (namespace/name) where prod receives the other clusters' telemetry (components/monitoring/telemetry.ts). */
export const telemetryServiceRef = "monitoring/telemetry";
/** The LAN Service Moonlight reaches a KubeVirt gaming session at (hypervisor.gpu.consumer kubevirt), as namespace/name. */
export const gamingStreamServiceRef = (sessionName: string) => `gaming/${sessionName}-stream`;

/** Prod's fixed telemetry address; the prod config rules refuse a config without it. */
export function telemetryAddressOf(p: { lanLoadBalancer?: { addresses?: Record<string, string> } }): string {
  const address = p.lanLoadBalancer?.addresses?.[telemetryServiceRef];
  if (!address) throw new Error(`platform.lanLoadBalancer.addresses.${telemetryServiceRef}: expected prod's fixed telemetry address`);
  return address;
}

// ---------------------------------------------------------------- primitives

const expect = (what: string) => ({ error: `expected ${what}` });

/** A config section; a missing one says so in the same words as every other rule. */
const section = <T extends z.ZodRawShape>(shape: T) =>
  z.strictObject(shape, { error: (issue) => (issue.input === undefined ? "expected this section (see docs/configuration.md)" : "expected a mapping of keys") });

/** A whole number from `min` to `max`: every number in the config is bounded by what the hardware can hold. */
export const wholeNumber = (what: string, min: number, max: number) => {
  const expected = expect(`${what} from ${min} to ${max}`);
  return z.number(expected).int(expected).min(min, expected).max(max, expected);
};

/** The largest sizes any machine of this homelab can have (the host's, OCI's A1 shape), before the per-stack checks. */
export const limits = {
  vcpus: 512,
  memoryGb: 16384,
  diskGb: 1048576,
  threads: 1024,
} as const;

const name = z
  .string(expect("a lowercase name (a-z, 0-9, '-')"))
  .regex(/^[a-z][a-z0-9-]{0,62}$/, expect("a lowercase name (a-z, 0-9, '-')"));

const ipv4 = z.string(expect("an IPv4 address like 192.168.68.51")).refine(isIpv4, expect("an IPv4 address like 192.168.68.51"));
/** A Kubernetes Service as namespace/name. */
const serviceRef = z.string(expect("a Service as namespace/name")).regex(/^[a-z0-9-]+\/[a-z0-9-]+$/, expect("a Service as namespace/name, e.g. adguard/adguard-dns"));

const cidr = z
  .string(expect("an IPv4 CIDR like 10.0.1.0/24"))
  .refine(isCidr, expect("an IPv4 CIDR like 10.0.1.0/24"));

/** A network of ours (LAN, VCN, cluster, NFS clients): a private range, never the internet. */
const privateCidr = cidr.refine(isPrivateCidr, expect(`a private network inside ${privateRanges.join(", ")}`));

const hostname = z
  .string(expect("a DNS name like homelab.example"))
  .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, expect("a DNS name like homelab.example"));

/** https, a host name or address (letters, digits, dots, dashes), an optional port, an optional path. */
const httpsUrl = z.string(expect("an https:// URL")).regex(/^https:\/\/[A-Za-z0-9.-]+(:\d{1,5})?(\/\S*)?$/, expect("an https:// URL"));

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
    memoryGb: wholeNumber("the host's RAM in whole GB", 1, limits.memoryGb),
    cpuThreads: wholeNumber("the host's CPU thread count", 1, limits.threads),
    /** RAM kept for the host itself and the ZFS ARC, never given to VMs. */
    reservedMemoryGb: wholeNumber("GB of RAM reserved for the host", 0, limits.memoryGb),
    /** Usable size of the VM datastore (the SSD): every cluster VM disk of dev and prod together must fit. */
    vmDatastoreGb: wholeNumber("the VM datastore's usable size in GB", 1, limits.diskGb),
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
  cores: wholeNumber("a whole number of vCPUs", 1, limits.vcpus),
  memoryGb: wholeNumber("a whole number of GB of RAM", 1, limits.memoryGb),
  diskGb: wholeNumber("a whole number of GB of disk", 1, limits.diskGb),
  ip: ipv4,
  /** Cluster control-plane nodes also schedule workloads (single-node clusters). */
  schedulable: z.boolean(expect("true or false")).optional(),
});

const homeNetwork = section({
  bridge: z.string(expect("a Linux bridge name like vmbr0")).regex(/^vmbr\d+$/, expect("a Linux bridge name like vmbr0")),
  cidr: privateCidr,
  gateway: ipv4,
  vlanId: z.number(expect("a VLAN ID 1-4094")).int(expect("a VLAN ID 1-4094")).min(1, expect("a VLAN ID 1-4094")).max(4094, expect("a VLAN ID 1-4094")).optional(),
});

const homeCluster = section({
  name,
  versions,
  network: homeNetwork,
  nodes: z.array(proxmoxNode, expect("a list of nodes")).min(1, expect("at least one node")).max(16, expect("at most 16 nodes")),
});

const omniClient = section({
  cloudStack: cloudStackRef,
});

// ---------------------------------------------------------------- prod: the hypervisor host

/** The GPU's possible consumers; it serves exactly one. */
export const gpuConsumers = ["gaming-vm", "kubevirt"] as const;
export type GpuConsumer = (typeof gpuConsumers)[number];

const hypervisor = section({
  cpuVendor: z.enum(["amd", "intel"], expect("amd or intel (selects the IOMMU kernel argument)")),
  network: section({
    bridge: z.string(expect("a Linux bridge name like vmbr0")).regex(/^vmbr\d+$/, expect("a Linux bridge name like vmbr0")),
    port: z.string(expect("the physical NIC name, e.g. enp1s0")).regex(/^[a-z][a-z0-9.]{1,14}$/, expect("the physical NIC name, e.g. enp1s0")),
    cidr: privateCidr,
    gateway: ipv4,
  }),
  zfs: section({
    pool: name,
    layout: z.enum(["mirror", "single"], expect("mirror or single")),
    disks: z
      .array(z.string(expect("a /dev/disk/by-id/ path")).regex(/^\/dev\/disk\/by-id\/[A-Za-z0-9._:+-]+$/, expect("a stable /dev/disk/by-id/ path")), expect("a list of disks"))
      .min(1, expect("at least one disk"))
      .max(24, expect("at most 24 disks")),
    /** Size of each data disk: the pool holds one disk's worth as a mirror, all of them as single disks striped. */
    diskSizeGb: wholeNumber("each data disk's size in GB", 1, limits.diskGb),
    arcMaxGb: wholeNumber("the ZFS ARC ceiling in whole GB", 1, limits.memoryGb),
    scrubSchedule: z.enum(["weekly", "monthly"], expect("weekly or monthly")),
    alertEmail: z.string(expect("an email address for ZFS event alerts")).email(expect("an email address for ZFS event alerts")),
  }),
  gpu: section({
    mappingName: name,
    pciAddress: z.string(expect("a PCI address like 0000:01:00.0")).regex(/^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/, expect("a PCI address like 0000:01:00.0")),
    vendorDeviceIds: z.array(z.string(expect("a vendor:device id like 10de:2684")).regex(/^[0-9a-f]{4}:[0-9a-f]{4}$/, expect("a vendor:device id like 10de:2684")), expect("a list of vendor:device ids")).min(1, expect("the GPU's vendor:device ids (GPU and its audio function)")),
    iommuGroup: wholeNumber("the GPU's IOMMU group number", 0, 4095),
    /**
     * Who has the GPU (one device, one consumer): the Windows VM on Proxmox, or
     * PROD's gpu-worker node, where KubeVirt runs the gaming sessions
     * (docs/runbooks/gaming.md weighs the two).
     */
    consumer: z.enum(gpuConsumers, expect(`one of ${gpuConsumers.join(", ")} (who has the GPU: the Proxmox gaming VM, or KubeVirt on the cluster's gpu-worker node)`)),
  }),
  nfs: section({
    /** Media library datasets, exported as <pool>/media/<name>. */
    shares: z.array(name, expect("a list of share names")).min(1, expect("at least one share")).max(64, expect("at most 64 shares")),
    /** Networks allowed to mount the shares: the cluster networks only. */
    clients: z.array(privateCidr, expect("a list of client CIDRs")).min(1, expect("at least one client CIDR")).max(16, expect("at most 16 client networks")),
  }),
  /** How many snapshots sanoid keeps, at most two years' worth of each. */
  snapshots: section({
    hourly: wholeNumber("hourly snapshots to keep", 0, 24 * 14),
    daily: wholeNumber("daily snapshots to keep", 0, 731),
    weekly: wholeNumber("weekly snapshots to keep", 0, 104),
    monthly: wholeNumber("monthly snapshots to keep", 0, 24),
  }),
});

const gamingVm = section({
  name,
  vmId: proxmoxNode.shape.vmId,
  cores: proxmoxNode.shape.cores,
  memoryGb: proxmoxNode.shape.memoryGb,
  diskGb: proxmoxNode.shape.diskGb,
  /** Off by default: the VM is started on demand. */
  started: z.boolean(expect("true or false")),
  /** A second disk for the game library, G: in Windows. */
  gamesDiskGb: wholeNumber("GB", 1, limits.diskGb),
  /** The unattended Windows install (components/gaming/unattend.ts); left out, the VM boots nothing until the admin installs by hand. */
  install: section({
    /** The Windows 11 ISO the admin uploaded to the ISO storage (proxmox.isoDatastore). */
    windowsIso: z.string(expect("an ISO file name like Win11_25H2_English_x64.iso")).regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,126}\.iso$/, expect("an ISO file name like Win11_25H2_English_x64.iso")),
    edition: z.string(expect("the image name in the ISO, like Windows 11 Pro")).regex(/^Windows 11 [A-Za-z ]{2,40}$/, expect("the image name in the ISO, like Windows 11 Pro")),
    locale: z.string(expect("a locale like en-US")).regex(/^[a-z]{2,3}-[A-Z]{2}$/, expect("a locale like en-US")),
    keyboard: z.string(expect("a keyboard layout like 0409:00000409 or en-US")).regex(/^([0-9a-fA-F]{4}:[0-9a-fA-F]{8}|[a-z]{2,3}-[A-Z]{2})$/, expect("a keyboard layout like 0409:00000409 or en-US")),
    timeZone: z.string(expect("a Windows time zone ID like Romance Standard Time")).regex(/^[A-Za-z][A-Za-z0-9 .()+-]{1,63}$/, expect("a Windows time zone ID like Romance Standard Time")),
    user: z.string(expect("a lowercase account name (a-z, 0-9, '-', at most 20)")).regex(/^[a-z][a-z0-9-]{0,19}$/, expect("a lowercase account name (a-z, 0-9, '-', at most 20)")),
    productKey: z
      .string(expect("the edition's generic install key like VK7JG-NPHTM-C97JM-9MPGT-3V66T"))
      .regex(/^([A-Z0-9]{5}-){4}[A-Z0-9]{5}$/, expect("the edition's generic install key like VK7JG-NPHTM-C97JM-9MPGT-3V66T"))
      .optional(),
    /** One of hypervisor.nfs.shares: the game library, mounted on L: at every logon (read as the share lets everyone read). */
    libraryShare: name.optional(),
  }).optional(),
  /** The host shuts it down after `minutes` with no stream and the GPU idle (components/gaming/idleWatch.ts). */
  idleShutdown: section({
    minutes: wholeNumber("minutes", 5, 24 * 60),
    gpuPercent: wholeNumber("a GPU load in percent", 1, 100),
    // Bounded by the host's link: no stream sends more than 1 Gbit/s.
    streamKbps: wholeNumber("kbit/s of network output", 100, 1_000_000),
  }),
});

// ---------------------------------------------------------------- cloud

const ociNode = section({
  name,
  role: z.enum(["controlplane", "worker"], expect("controlplane or worker")),
  // One A1 instance can never exceed the tenancy's Always Free totals.
  ocpus: wholeNumber("a whole number of OCPUs", 1, ociAlwaysFree.ocpus),
  memoryGb: wholeNumber("a whole number of GB of RAM", 1, ociAlwaysFree.memoryGb),
  bootVolumeGb: z
    .number(expect("a boot volume of at least 50 GB"))
    .int(expect("a whole number of GB"))
    .min(50, expect("a boot volume of at least 50 GB (OCI minimum)"))
    .max(ociAlwaysFree.blockStorageGb, expect(`a boot volume of at most ${ociAlwaysFree.blockStorageGb} GB (the Always Free block storage)`)),
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
  /** The tenancy's Object Storage namespace (OCI console: Tenancy details), part of the backup bucket's S3 address. */
  objectStorageNamespace: z.string(expect("an Object Storage namespace (lowercase letters and digits)")).regex(/^[a-z0-9]{1,63}$/, expect("an Object Storage namespace (lowercase letters and digits)")),
  network: section({
    vcnCidr: privateCidr,
    subnetCidr: privateCidr,
    /** Only these networks may reach SSH on the management VM: the admins' own public addresses. */
    adminCidrs: z.array(cidr, expect("a list of admin CIDRs")).min(1, expect("at least one admin CIDR")).max(16, expect("at most 16 admin CIDRs")),
  }),
  images: section({
    /** Ubuntu 24.04 aarch64 platform image for the management VM. */
    ubuntu: ocid("image"),
    /**
     * Talos aarch64 custom image downloaded from this Omni (it carries the join configuration).
     * Left out on the first deploy: the stack then builds Omni alone, which is what the image comes from.
     */
    talos: ocid("image").optional(),
  }),
});

const omniServer = section({
  vm: section({
    name,
    ocpus: ociNode.shape.ocpus,
    memoryGb: ociNode.shape.memoryGb,
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
  initialUsers: z.array(z.string(expect("an email address")).email(expect("an email address")), expect("a list of email addresses")).min(1, expect("at least one initial user")).max(32, expect("at most 32 initial users")),
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
  nodes: z.array(ociNode, expect("a list of nodes")).min(1, expect("at least one node")).max(ociAlwaysFree.ocpus, expect(`at most ${ociAlwaysFree.ocpus} nodes (one OCPU each at least)`)),
});

// ---------------------------------------------------------------- cluster platform

const email = (what: string) => z.string(expect(what)).email(expect(what));

/** What every cluster runs before any service: CNI, GitOps, certificates, secrets, storage. */
const platform = section({
  gitops: section({
    /** Cluster whose Argo CD delivers this stack's Applications; the brief puts it on prod. */
    hubCluster: name,
    /** False only while the hub's Argo CD is down (rebuilding a spoke); wave 1+ then waits for the next deploy. */
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
    pool: privateCidr.refine((c) => parseCidr(c).bits >= 24, expect("a LAN range of /24 or smaller")),
    /** Node interfaces that answer ARP for pool addresses (regular expressions). */
    interfaces: z.array(z.string(expect("an interface regex like ^ens[0-9]+$")).min(1, expect("an interface regex like ^ens[0-9]+$")), expect("a list of interface regexes")).min(1, expect("at least one interface regex")),
    /** The only Services allowed a LAN address, as namespace/name. */
    services: z.array(serviceRef, expect("a list of namespace/name")).min(1, expect("at least one Service")),
    /** Fixed pool addresses by namespace/name, for what clients are told to use (the LAN's DNS server, handed out by the router). */
    addresses: z.record(serviceRef, ipv4, expect("a map of namespace/name to an address of the pool")).optional(),
  }).optional(),
  certManager: section({
    acmeEmail: email("the email Let's Encrypt writes to about expiring certificates"),
    /** Cloudflare zones the DNS01 solver may answer for. */
    dnsZones: z.array(hostname, expect("a list of DNS zones")).min(1, expect("at least one DNS zone")).max(8, expect("at most 8 DNS zones")),
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
    longhorn: section({ replicas: wholeNumber("a whole number of replicas per volume", 1, 16) }).optional(),
    /** The media library on the Proxmox host's NFS server. */
    nfs: section({
      server: z.string(expect("an IPv4 address or DNS name")).refine((v) => isIpv4(v) || /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(v), expect("an IPv4 address or DNS name")),
      path: z.string(expect("an absolute path like /tank/media")).regex(/^\/[A-Za-z0-9._/-]+$/, expect("an absolute path like /tank/media")),
    }),
  }),
  /** RAM kept free beyond every counted request (platform and catalog services): room for rollouts and what is not counted yet. */
  servicesReserveGb: z
    .number(expect("GB of RAM kept for services (0 or more)"))
    .nonnegative(expect("GB of RAM kept for services (0 or more)"))
    .max(limits.memoryGb, expect(`GB of RAM kept for services, at most ${limits.memoryGb}`)),
});

// ---------------------------------------------------------------- services

/** What the catalog's services need from the stack (services/ holds the services themselves). */
const services = section({
  /** Public hostnames are <subdomain>.<domain>; dev uses a domain of its own so it never shadows prod. */
  domain: hostname,
  /** IANA time zone of the family, e.g. Europe/Paris. */
  timezone: z
    .string(expect("an IANA time zone like Europe/Paris"))
    .regex(/^(UTC|[A-Z][A-Za-z_]+(\/[A-Z][A-Za-z_+-]+){1,2})$/, expect("an IANA time zone like Europe/Paris")),
  /** Home Assistant's USB radios (Zigbee, Z-Wave sticks), passed from the Proxmox host to the workload node and into its pod (prod only). */
  homeAssistant: section({
    usbDevices: z
      .array(
        section({
          /** vendor:product as lsusb shows it on the host. */
          usbId: z.string(expect("a vendor:product id like 10c4:ea60")).regex(/^[0-9a-f]{4}:[0-9a-f]{4}$/, expect("a vendor:product id like 10c4:ea60")),
          /** Its stable name on the node, e.g. /dev/serial/by-id/usb-...; the same path inside the pod. */
          path: z
            .string(expect("a device path like /dev/serial/by-id/usb-Silicon_Labs_CP2102N-if00-port0"))
            .regex(/^\/dev\/[A-Za-z0-9._:/+-]+$/, expect("a device path like /dev/serial/by-id/usb-Silicon_Labs_CP2102N-if00-port0"))
            .refine((p) => !p.split("/").includes(".."), expect("a device path without ..")),
          /** The group that owns the device on the node (dialout is 20 on most systems): Home Assistant runs with it. */
          group: wholeNumber("a group ID", 1, 65535),
        }),
        expect("a list of USB devices"),
      )
      .min(1, expect("at least one USB device"))
      .max(4, expect("at most 4 USB devices")),
  }).optional(),
  dashboard: section({
    /** The weather widget's place, as Open-Meteo's geocoding finds it: "City, Country". */
    weatherLocation: z
      .string(expect("a place like Paris, France"))
      .regex(/^[\p{L}][\p{L} .'-]{0,60}, [\p{L}][\p{L} .'-]{0,60}$/u, expect("a place like Paris, France")),
  }),
});

// ---------------------------------------------------------------- stacks

export const stackKinds = ["dev", "prod", "cloud"] as const;
export type StackKind = (typeof stackKinds)[number];

/** Secret keys each stack requires (set with `pulumi config set --secret`). */
export const requiredSecrets: Record<StackKind, readonly string[]> = {
  cloud: ["ociPrivateKey", "sshPrivateKey", "bitwardenMachineToken", "bitwardenWriterToken", "cloudflareApiToken", "twingateApiToken", "backupRepositoryPassword", "githubDispatchToken"],
  prod: ["proxmoxApiToken", "proxmoxSshPrivateKey", "bitwardenMachineToken", "backupRepositoryPassword"],
  dev: ["proxmoxApiToken", "proxmoxSshPrivateKey", "bitwardenMachineToken", "backupRepositoryPassword"],
};

/** Secret keys a stack takes only with some settings: the OVH bucket's secret key (backup.offsite.target ovh). */
export const optionalSecrets: readonly string[] = ["backupS3SecretAccessKey"];

/** owner/name on GitHub: what its rules allow (it goes into API URLs unencoded). */
const githubRepository = z.string(expect("a GitHub repository as owner/name")).regex(/^[A-Za-z0-9-]{1,39}\/(?!\.\.?$)[A-Za-z0-9._-]{1,100}$/, expect("a GitHub repository as owner/name"));

const sshPublicKey = z
  .string(expect("an OpenSSH public key (ssh-ed25519 AAAA...)"))
  .regex(/^(ssh-ed25519|ecdsa-sha2-nistp256|ssh-rsa) [A-Za-z0-9+/=]+( \S+)?$/, expect("an OpenSSH public key (ssh-ed25519 AAAA...)"));

const cloudflareId = (what: string) => z.string(expect(`a Cloudflare ${what} ID (32 hex digits)`)).regex(/^[0-9a-f]{32}$/, expect(`a Cloudflare ${what} ID (32 hex digits)`));

/** Cloudflare: the account that holds the tunnels and Access, the zone of the public hostnames. */
const edge = section({
  accountId: cloudflareId("account"),
  zoneId: cloudflareId("zone"),
  /** The Zero Trust team name: Access signs in at <team>.cloudflareaccess.com. */
  accessTeam: z.string(expect("a Zero Trust team name (lowercase letters, digits, dashes)")).regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, expect("a Zero Trust team name (lowercase letters, digits, dashes)")),
});

/** Twingate: the private path from the cloud to the home NFS share, and the family to the home LAN apps. */
const twingate = section({
  /** <network> of <network>.twingate.com. */
  network: z.string(expect("a Twingate network name (lowercase letters, digits, dashes)")).regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, expect("a Twingate network name (lowercase letters, digits, dashes)")),
  /** The digest of docker.io/twingate/client:latest the cloud nodes run (Twingate publishes no release tags for it). */
  clientImageDigest: z.string(expect("an image digest like sha256:<64 hex digits>")).regex(/^sha256:[0-9a-f]{64}$/, expect("an image digest like sha256:<64 hex digits>")),
});

/** The offsite copies' S3 store (FR-024): OCI Object Storage the cloud stack creates (default), or a bucket at OVH. */
export const offsiteTargets = ["oci", "ovh"] as const;
export type OffsiteTarget = (typeof offsiteTargets)[number];
/** The bucket the cloud stack creates when nothing else is said. */
export const defaultBackupBucket = "homelab-backups";

const bucketName = z
  .string(expect("a bucket name (3 to 63 lowercase letters, digits, dots or dashes)"))
  .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, expect("a bucket name (3 to 63 lowercase letters, digits, dots or dashes)"));

/**
 * Backups (FR-024, FR-025). `offsite.target: oci` is the cloud stack's bucket
 * (the cloud stack creates it; dev and prod read it from the cloud stack);
 * `ovh` names a bucket of one's own, its access key ID here and its secret
 * key in `pulumi config set --secret backupS3SecretAccessKey`.
 */
const backup = section({
  /**
   * prod only: the second medium of the host (another disk than the ZFS
   * pool, mounted here by the admin): every library folder is copied there
   * each night (the local copy of 3-2-1).
   */
  host: section({
    localMount: z.string(expect("an absolute path like /mnt/backup")).regex(/^\/[A-Za-z0-9._/-]+$/, expect("an absolute path like /mnt/backup")),
  }).optional(),
  offsite: section({
    target: z.enum(offsiteTargets, expect(`one of ${offsiteTargets.join(", ")}`)),
    /** oci: the name the cloud stack gives its bucket (default homelab-backups), set on the cloud stack only. ovh: the bucket. */
    bucket: bucketName.optional(),
    /** ovh only: the S3 endpoint, e.g. https://s3.gra.io.cloud.ovh.net. */
    endpoint: httpsUrl.optional(),
    /** ovh only: the region, e.g. gra. */
    region: z.string(expect("an S3 region like gra")).regex(/^[a-z][a-z0-9-]{1,30}$/, expect("an S3 region like gra")).optional(),
    /** ovh only: the S3 access key ID (its secret is the secret config backupS3SecretAccessKey). */
    accessKeyId: z.string(expect("an S3 access key ID (16 to 128 letters and digits)")).regex(/^[A-Za-z0-9]{16,128}$/, expect("an S3 access key ID (16 to 128 letters and digits)")).optional(),
  }),
});

/** What the offsite settings must hold for their target, on a stack that creates the bucket (cloud) or reads it (dev, prod). */
export function backupIssues(b: BackupConfig, stack: StackKind): Issue[] {
  const o = b.offsite;
  const path = (key: string) => ["backup", "offsite", key];
  const ovhKeys = ["endpoint", "region", "accessKeyId"] as const;
  const hostIssues: Issue[] =
    stack === "prod"
      ? b.host === undefined
        ? [{ path: ["backup", "host"], message: "expected the host's second medium (localMount): the local copy of the library folders" }]
        : []
      : b.host !== undefined
        ? [{ path: ["backup", "host"], message: "expected nothing: only prod owns the host" }]
        : [];
  if (o.target === "ovh") return [...hostIssues, ...[...ovhKeys, "bucket" as const].filter((k) => o[k] === undefined).map((k) => ({ path: path(k), message: "expected a value: the OVH bucket's settings (docs/configuration.md, backup)" }))];
  const issues: Issue[] = [...hostIssues, ...ovhKeys.filter((k) => o[k] !== undefined).map((k) => ({ path: path(k), message: "expected nothing: the oci target is the cloud stack's bucket, whose endpoint and keys the program creates" }))];
  if (stack !== "cloud" && o.bucket !== undefined) issues.push({ path: path("bucket"), message: "expected nothing: the cloud stack names its bucket (set it there); this stack reads it from the cloud stack" });
  return issues;
}

/** Where a cluster without Prometheus sends its logs, metrics and probes: prod's telemetry address (its fixed LAN address monitoring/telemetry). */
const telemetrySender = section({
  telemetryAddress: ipv4,
});

/**
 * Account provisioning (docs/delivery.md): Authentik starts the repository's
 * provision.yml on user and group changes, with the fine-grained GitHub token
 * in the secret config githubDispatchToken (Contents: write on this repository only).
 */
const provisioning = section({
  /** owner/name of the GitHub repository that holds this program and its workflows. */
  repository: githubRepository,
});

export const cloudConfigSchema = section({
  domain: hostname,
  sshPublicKey,
  oci,
  omni: omniServer,
  edge,
  twingate,
  monitoring: telemetrySender,
  cluster: cloudCluster,
  platform,
  services,
  backup,
  provisioning,
});

/** Alerting (prod runs Prometheus and Alertmanager for every site). */
const monitoring = section({
  /** The Telegram chat critical alerts go to (the bot's token is the Bitwarden secret telegram-bot-token). */
  telegramChatId: z
    .number(expect("a Telegram chat ID (a non-zero whole number; groups are negative)"))
    .int(expect("a Telegram chat ID (a non-zero whole number; groups are negative)"))
    .refine((n) => n !== 0 && Number.isSafeInteger(n), expect("a Telegram chat ID (a non-zero whole number; groups are negative)")),
});

/** How a change reaches PROD (docs/delivery.md). */
const delivery = section({
  /** How long DEV must run a commit, healthy, before the promotion gate lets it go to PROD (US-007). */
  promotionWindowHours: wholeNumber("hours DEV runs a commit before PROD takes it", 24, 48),
  /** The homelab's own GitHub Actions runner on prod (the workflows' `homelab` jobs); left out, those jobs wait for a runner. */
  runner: section({
    /** owner/name of the GitHub repository it serves. */
    repository: githubRepository,
    /** Jobs at once (each a pod of up to 4 GiB on prod). */
    maxRunners: wholeNumber("runners at once", 1, 4),
  }).optional(),
});

export const prodConfigSchema = section({
  omni: omniClient,
  proxmox,
  hypervisor,
  cluster: homeCluster,
  gamingVm,
  monitoring,
  platform,
  services,
  backup,
  delivery,
});

export const devConfigSchema = section({
  omni: omniClient,
  /** The stack that owns the Proxmox host and its LAN (prod): dev is checked against what it deployed. */
  hostStack: cloudStackRef,
  proxmox,
  cluster: homeCluster,
  monitoring: telemetrySender,
  platform,
  services,
  backup,
});

export type CloudConfig = z.infer<typeof cloudConfigSchema>;
export type ProdConfig = z.infer<typeof prodConfigSchema>;
export type DevConfig = z.infer<typeof devConfigSchema>;
export type ProxmoxConfig = z.infer<typeof proxmox>;
export type HomeClusterConfig = z.infer<typeof homeCluster>;
export type ProxmoxNodeConfig = z.infer<typeof proxmoxNode>;
export type HypervisorConfig = z.infer<typeof hypervisor>;
export type GamingVmConfig = z.infer<typeof gamingVm>;
export type MonitoringConfig = z.infer<typeof monitoring>;
export type BackupConfig = z.infer<typeof backup>;
export type DeliveryConfig = z.infer<typeof delivery>;
export type TelemetrySenderConfig = z.infer<typeof telemetrySender>;
export type OciConfig = z.infer<typeof oci>;
export type OciNodeConfig = z.infer<typeof ociNode>;
export type OmniServerConfig = z.infer<typeof omniServer>;
export type CloudClusterConfig = z.infer<typeof cloudCluster>;
export type ServicesConfig = z.infer<typeof services>;
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

/** At most this many addresses may reach the admin ports, all admin CIDRs together (a /16). */
export const maxAdminAddresses = 65536;

/** Admin CIDRs: no reserved range, and a bounded number of addresses in total (networks broader than /8 are refused already). */
function adminCidrIssues(all: string[], path: (string | number)[]): Issue[] {
  const cidrs = all.filter((c) => parseCidr(c).bits >= 8);
  const issues: Issue[] = cidrs.flatMap((c) => {
    const i = all.indexOf(c);
    const reserved = reservedRangeOf(c);
    return reserved ? [{ path: [...path, i], message: `expected a routable network; ${c} overlaps the reserved range ${reserved}` }] : [];
  });
  const total = cidrs.reduce((sum, c) => sum + cidrSize(c), 0);
  if (total > maxAdminAddresses) issues.push({ path, message: `expected at most ${maxAdminAddresses} addresses in all (a /16); these cover ${total}` });
  return issues;
}

/** A host address must not be in a reserved range (loopback, link-local, multicast...). */
function reservedAddressIssue(ip: string, path: (string | number)[]): Issue[] {
  const reserved = reservedRangeOf(ip);
  return reserved ? [{ path, message: `expected a usable host address; ${ip} is in the reserved range ${reserved}` }] : [];
}

function versionIssues(v: ClusterVersions, path: (string | number)[]): Issue[] {
  const problem = checkTalosKubernetesPair(v.talos, v.kubernetes);
  return problem ? [{ path: [...path, problem.field], message: problem.message }] : [];
}

/** What a Proxmox host's own config must hold together. */
function hostIssues(host: ProxmoxConfig): Issue[] {
  const hw = host.hardware;
  const issues: Issue[] = [...reservedAddressIssue(host.address, ["proxmox", "address"])];
  if (hw.reservedMemoryGb >= hw.memoryGb) issues.push({ path: ["proxmox", "hardware", "reservedMemoryGb"], message: `expected less than the host's ${hw.memoryGb} GB, leaving room for VMs` });
  return issues;
}

/** What the Proxmox host gives VMs: its RAM minus what it keeps for itself (ZFS's ARC among it), in GB. */
export const vmMemoryGb = (host: ProxmoxConfig) => host.hardware.memoryGb - host.hardware.reservedMemoryGb;

function homeClusterIssues(cluster: HomeClusterConfig, host: ProxmoxConfig, vmIdsElsewhere: { vmId: number; path: string }[]): Issue[] {
  const issues: Issue[] = [...versionIssues(cluster.versions, ["cluster", "versions"]), ...hostIssues(host), ...reservedAddressIssue(cluster.network.gateway, ["cluster", "network", "gateway"])];
  uniqueBy(issues, cluster.nodes, ["cluster", "nodes"], "name", "node name");
  uniqueBy(issues, cluster.nodes, ["cluster", "nodes"], "vmId", "VM ID");
  uniqueBy(issues, cluster.nodes, ["cluster", "nodes"], "ip", "node IP");
  uniqueBy(issues, cluster.nodes, ["cluster", "nodes"], "machineUuid", "machine UUID");
  const usable = vmMemoryGb(host);
  const { cidr: net, gateway } = cluster.network;
  if (!cidrContains(net, gateway)) {
    issues.push({ path: ["cluster", "network", "gateway"], message: `expected an address inside ${net}` });
  }
  cluster.nodes.forEach((node, i) => {
    if (!cidrContains(net, node.ip) || !isHostAddress(net, node.ip)) {
      issues.push({ path: ["cluster", "nodes", i, "ip"], message: `expected a host address inside the cluster network ${net}` });
    } else if (node.ip === gateway) {
      issues.push({ path: ["cluster", "nodes", i, "ip"], message: `expected a free address; ${node.ip} is the gateway (cluster.network.gateway)` });
    } else if (node.ip === host.address) {
      issues.push({ path: ["cluster", "nodes", i, "ip"], message: `expected a free address; ${node.ip} is the Proxmox host (proxmox.address)` });
    }
    if (node.diskGb > host.hardware.vmDatastoreGb) {
      issues.push({ path: ["cluster", "nodes", i, "diskGb"], message: `expected at most ${host.hardware.vmDatastoreGb} GB (proxmox.hardware.vmDatastoreGb)` });
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
  const disks = cluster.nodes.reduce((sum, n) => sum + n.diskGb, 0);
  if (disks > host.hardware.vmDatastoreGb) {
    issues.push({ path: ["cluster", "nodes"], message: `expected the VM disks to fit the VM datastore's ${host.hardware.vmDatastoreGb} GB (proxmox.hardware.vmDatastoreGb); they take ${disks} GB` });
  }
  return issues;
}

/**
 * The nodes that run workloads: workers, and control planes marked schedulable.
 * A gpu-worker is tainted for KubeVirt's gaming sessions alone (components/omni/templates.ts).
 */
export const workloadNodes = <T extends { role: string; schedulable?: boolean }>(nodes: T[]): T[] =>
  nodes.filter((n) => n.role === "worker" || (n.role === "controlplane" && n.schedulable === true));

/** RAM and vCPUs a gpu-worker keeps beside a KubeVirt session: the kubelet, virt-handler, virt-launcher's own overhead, Longhorn's engine. */
export const gpuWorkerOverhead = { memoryGb: 3, cores: 1 } as const;

/** The GPU has one consumer: gaming-vm leaves no gpu-worker node; kubevirt needs exactly one, big enough for the session. */
function gpuConsumerIssues(c: ProdConfig): Issue[] {
  const gpuNodes = c.cluster.nodes.flatMap((n, i) => (n.role === "gpu-worker" ? [{ n, i }] : []));
  if (c.hypervisor.gpu.consumer === "gaming-vm") {
    return gpuNodes.map(({ i }) => ({
      path: ["cluster", "nodes", i, "role"],
      message: "expected controlplane or worker: the GPU is the Proxmox gaming VM's (hypervisor.gpu.consumer is gaming-vm), and one GPU serves one consumer",
    }));
  }
  if (gpuNodes.length !== 1) {
    return [{ path: ["hypervisor", "gpu", "consumer"], message: `expected exactly one cluster node with role gpu-worker when the GPU is KubeVirt's (one GPU, one node); the cluster has ${gpuNodes.length}` }];
  }
  const { n, i } = gpuNodes[0];
  const issues: Issue[] = [];
  if (c.gamingVm.started) {
    issues.push({ path: ["gamingVm", "started"], message: "expected false: the GPU is KubeVirt's (hypervisor.gpu.consumer), so the Proxmox gaming VM stays off, its disks kept" });
  }
  const stream = gamingStreamServiceRef(c.gamingVm.name);
  if (!c.platform.lanLoadBalancer?.services.includes(stream)) {
    issues.push({ path: ["platform", "lanLoadBalancer", "services"], message: `expected ${stream} among the Services: Moonlight reaches the KubeVirt session's Sunshine there` });
  }
  const memoryGb = c.gamingVm.memoryGb + gpuWorkerOverhead.memoryGb;
  if (n.memoryGb < memoryGb) {
    issues.push({ path: ["cluster", "nodes", i, "memoryGb"], message: `expected at least ${memoryGb} GB: the KubeVirt session takes gamingVm.memoryGb (${c.gamingVm.memoryGb} GB) and the node keeps ${gpuWorkerOverhead.memoryGb} GB` });
  }
  const cores = c.gamingVm.cores + gpuWorkerOverhead.cores;
  if (n.cores < cores) {
    issues.push({ path: ["cluster", "nodes", i, "cores"], message: `expected at least ${cores} vCPUs: the KubeVirt session takes gamingVm.cores (${c.gamingVm.cores}) and the node keeps ${gpuWorkerOverhead.cores}` });
  }
  return issues;
}

interface PlatformContext {
  clusterName: string;
  workloadNodeCount: number;
  /** RAM of the nodes that run workloads, in GB. */
  workloadMemoryGb: number;
  /** The home LAN the cluster sits on; undefined on OCI (no layer 2 there). */
  lan?: { cidr: string; reserved: { ip: string; path: string }[] };
}

function platformIssues(p: PlatformConfig, ctx: PlatformContext): Issue[] {
  const issues: Issue[] = [];
  const isHub = p.gitops.hubCluster === ctx.clusterName;
  if (isHub && !p.argocd) issues.push({ path: ["platform", "argocd"], message: `expected this section: cluster ${ctx.clusterName} is the GitOps hub (platform.gitops.hubCluster)` });
  if (!isHub && p.argocd) issues.push({ path: ["platform", "argocd"], message: `expected no argocd section: Argo CD runs on the hub cluster ${p.gitops.hubCluster}` });
  // The identity plane registers Argo CD's client under this id (components/identity/blueprints.ts).
  if (p.argocd && p.argocd.oidc.clientId !== "argocd") issues.push({ path: ["platform", "argocd", "oidc", "clientId"], message: "expected argocd: the client the identity plane registers in Authentik" });
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
    const fixed = Object.entries(lb.addresses ?? {});
    for (const [service, ip] of fixed) {
      const path = ["platform", "lanLoadBalancer", "addresses", service];
      if (!lb.services.includes(service)) issues.push({ path, message: `expected a Service listed in platform.lanLoadBalancer.services (${lb.services.join(", ")})` });
      else if (!cidrContains(lb.pool, ip) || !isHostAddress(lb.pool, ip)) issues.push({ path, message: `expected a host address of the pool ${lb.pool}` });
    }
    for (const [ip, idx] of duplicates(fixed, ([, a]) => a)) {
      for (const i of idx.slice(1)) issues.push({ path: ["platform", "lanLoadBalancer", "addresses", fixed[i][0]], message: `expected a unique address; ${ip} is also given to ${fixed[idx[0]][0]}` });
    }
  }
  uniqueValues(issues, p.certManager.dnsZones, ["platform", "certManager", "dnsZones"], "DNS zone");
  if (p.servicesReserveGb >= ctx.workloadMemoryGb) {
    issues.push({ path: ["platform", "servicesReserveGb"], message: `expected less than the ${ctx.workloadMemoryGb} GB of RAM the cluster's workload nodes have` });
  }
  return issues;
}

function homePlatformIssues(p: PlatformConfig, cluster: HomeClusterConfig, extraReserved: { ip: string; path: string }[]): Issue[] {
  const reserved = [
    { ip: cluster.network.gateway, path: "cluster.network.gateway" },
    ...cluster.nodes.map((n, i) => ({ ip: n.ip, path: `cluster.nodes[${i}].ip` })),
    ...extraReserved,
  ];
  const workload = workloadNodes(cluster.nodes);
  return platformIssues(p, { clusterName: cluster.name, workloadNodeCount: workload.length, workloadMemoryGb: workload.reduce((s, n) => s + n.memoryGb, 0), lan: { cidr: cluster.network.cidr, reserved } });
}

export function prodIssues(c: ProdConfig): Issue[] {
  const issues = [...homeClusterIssues(c.cluster, c.proxmox, [{ vmId: c.gamingVm.vmId, path: "gamingVm.vmId" }]), ...backupIssues(c.backup, "prod")];
  const mount = c.backup.host?.localMount.replace(/\/+$/, "");
  const pool = `/${c.hypervisor.zfs.pool}`;
  if (mount !== undefined && (mount === pool || mount.startsWith(`${pool}/`) || mount === "" || mount.split("/").includes(".."))) {
    issues.push({ path: ["backup", "host", "localMount"], message: `expected the mount of another disk than the pool ${c.hypervisor.zfs.pool} (the second copy must survive the pool), without '..'` });
  }
  const usable = vmMemoryGb(c.proxmox);
  if (c.gamingVm.memoryGb > usable) {
    issues.push({ path: ["gamingVm", "memoryGb"], message: `expected at most ${usable} GB (host ${c.proxmox.hardware.memoryGb} GB minus ${c.proxmox.hardware.reservedMemoryGb} GB reserved)` });
  } else if (c.hypervisor.gpu.consumer === "gaming-vm") {
    // Gaming mode: PROD keeps running while someone plays. (With KubeVirt, the session is inside PROD's gpu-worker.)
    const prodGb = c.cluster.nodes.reduce((sum, n) => sum + n.memoryGb, 0);
    if (prodGb + c.gamingVm.memoryGb > usable) {
      issues.push({ path: ["gamingVm", "memoryGb"], message: `expected at most ${Math.max(0, usable - prodGb)} GB: with PROD's ${prodGb} GB running, the host gives VMs ${usable} GB` });
    }
  }
  issues.push(...gpuConsumerIssues(c));
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
  const poolGb = zfsPoolCapacityGb(c.hypervisor.zfs);
  if (c.gamingVm.diskGb + c.gamingVm.gamesDiskGb > poolGb) {
    issues.push({
      path: ["gamingVm", "gamesDiskGb"],
      message: `expected at most ${Math.max(0, poolGb - c.gamingVm.diskGb)} GB: with the system disk's ${c.gamingVm.diskGb} GB, the ZFS pool holds ${poolGb} GB (${c.hypervisor.zfs.layout} of ${c.hypervisor.zfs.disks.length} x ${c.hypervisor.zfs.diskSizeGb} GB)`,
    });
  }
  const library = c.gamingVm.install?.libraryShare;
  if (library !== undefined && !c.hypervisor.nfs.shares.includes(library)) {
    issues.push({ path: ["gamingVm", "install", "libraryShare"], message: `expected one of hypervisor.nfs.shares (${c.hypervisor.nfs.shares.join(", ")}): the host exports only those` });
  }
  if (c.gamingVm.install && c.gamingVm.name.length > 15) {
    issues.push({ path: ["gamingVm", "name"], message: "expected at most 15 characters: with gamingVm.install it is Windows' computer name" });
  }
  if (c.hypervisor.network.gateway === c.proxmox.address) {
    issues.push({ path: ["hypervisor", "network", "gateway"], message: `expected the router's address; ${c.proxmox.address} is the Proxmox host (proxmox.address)` });
  }
  issues.push(...homePlatformIssues(c.platform, c.cluster, [{ ip: c.proxmox.address, path: "proxmox.address" }]));
  const usb = c.services.homeAssistant?.usbDevices ?? [];
  if (usb.length > 0 && workloadNodes(c.cluster.nodes).length !== 1) {
    issues.push({ path: ["services", "homeAssistant", "usbDevices"], message: `expected a cluster with one workload node: a USB device is attached to one VM (this cluster has ${workloadNodes(c.cluster.nodes).length})` });
  }
  for (const [id, idx] of duplicates(usb, (d) => d.usbId)) {
    for (const i of idx.slice(1)) issues.push({ path: ["services", "homeAssistant", "usbDevices", i, "usbId"], message: `expected a unique USB device; ${id} is also services.homeAssistant.usbDevices[${idx[0]}]` });
  }
  // Dev and the cloud send their logs, metrics and probes to one fixed address of prod's LAN pool.
  const lb = c.platform.lanLoadBalancer;
  if (!lb?.services.includes(telemetryServiceRef)) {
    issues.push({ path: ["platform", "lanLoadBalancer", "services"], message: `expected ${telemetryServiceRef} among the Services: prod receives the other clusters' logs and metrics there` });
  } else if (!lb.addresses?.[telemetryServiceRef]) {
    issues.push({ path: ["platform", "lanLoadBalancer", "addresses", telemetryServiceRef], message: "expected a fixed address of the pool: dev and the cloud (homelab:monitoring.telemetryAddress) send to it" });
  }
  // The prod stack owns the NFS server, so its clusters' nfs-media class must point at it.
  const mediaRoot = `/${c.hypervisor.zfs.pool}/media`;
  if (c.platform.storage.nfs.path !== mediaRoot) issues.push({ path: ["platform", "storage", "nfs", "path"], message: `expected ${mediaRoot}, the media root the host exports (hypervisor.zfs.pool)` });
  if (c.platform.storage.nfs.server !== c.proxmox.address) issues.push({ path: ["platform", "storage", "nfs", "server"], message: `expected ${c.proxmox.address}, the Proxmox host that serves NFS (proxmox.address)` });
  return issues;
}

/** What the data pool holds: one disk's worth as a mirror, every disk's as single disks striped. */
export function zfsPoolCapacityGb(zfs: Pick<HypervisorConfig["zfs"], "layout" | "disks" | "diskSizeGb">): number {
  return zfs.layout === "mirror" ? zfs.diskSizeGb : zfs.diskSizeGb * zfs.disks.length;
}

export function devIssues(c: DevConfig): Issue[] {
  return [
    ...backupIssues(c.backup, "dev"),
    ...homeClusterIssues(c.cluster, c.proxmox, []),
    ...homePlatformIssues(c.platform, c.cluster, [{ ip: c.proxmox.address, path: "proxmox.address" }]),
    ...(isPrivateCidr(`${c.monitoring.telemetryAddress}/32`) ? [] : [{ path: ["monitoring", "telemetryAddress"], message: "expected a private address of the home network (prod's monitoring/telemetry LAN address)" }]),
    // The host has one GPU, and prod decides who has it (hypervisor.gpu.consumer).
    ...c.cluster.nodes.flatMap((n, i) => (n.role === "gpu-worker" ? [{ path: ["cluster", "nodes", i, "role"], message: "expected controlplane or worker: the host's one GPU is prod's to give (hypervisor.gpu.consumer)" }] : [])),
    // The host's USB radios belong to prod's Home Assistant, which dev does not run.
    ...(c.services.homeAssistant ? [{ path: ["services", "homeAssistant"], message: "expected no homeAssistant section: Home Assistant does not run on dev" }] : []),
  ];
}

export function cloudIssues(c: CloudConfig): Issue[] {
  const issues: Issue[] = [...versionIssues(c.cluster.versions, ["cluster", "versions"]), ...backupIssues(c.backup, "cloud")];
  if (c.services.homeAssistant) issues.push({ path: ["services", "homeAssistant"], message: "expected no homeAssistant section: Home Assistant runs at home (prod)" });
  const { vcnCidr, subnetCidr } = c.oci.network;
  if (!cidrWithin(vcnCidr, subnetCidr)) {
    issues.push({ path: ["oci", "network", "subnetCidr"], message: `expected a subnet inside the VCN ${vcnCidr}` });
  }
  // OCI keeps a subnet's first two addresses (network, gateway) and its last one.
  const ociReserved = [addressAt(subnetCidr, 0), addressAt(subnetCidr, 1), addressAt(subnetCidr, -1)];
  const subnetIssue = (ip: string, path: (string | number)[]): Issue[] => {
    if (!cidrContains(subnetCidr, ip) || !isHostAddress(subnetCidr, ip)) return [{ path, message: `expected a host address inside the subnet ${subnetCidr}` }];
    if (ociReserved.includes(ip)) return [{ path, message: `expected an address OCI hands out; ${ip} is reserved in ${subnetCidr} (its first two and last addresses)` }];
    return [];
  };
  issues.push(...subnetIssue(c.omni.vm.privateIp, ["omni", "vm", "privateIp"]));
  // The cloud nodes reach the home NFS server through Twingate by its address: kubelet resolves names
  // with the node's resolver, which knows nothing of the home network, and the route must not be one the nodes already have.
  const nfsServer = c.platform.storage.nfs.server;
  const nfsPath = ["platform", "storage", "nfs", "server"];
  if (!isIpv4(nfsServer)) issues.push({ path: nfsPath, message: "expected the home NFS server's IPv4 address (the cloud nodes reach it through Twingate by address)" });
  else if (!isPrivateCidr(`${nfsServer}/32`)) issues.push({ path: nfsPath, message: "expected a private address of the home network" });
  else if (cidrContains(vcnCidr, nfsServer) || cidrContains(podSubnet, nfsServer)) {
    issues.push({ path: nfsPath, message: `expected an address outside the VCN ${vcnCidr} and the pod network ${podSubnet}, which the cloud nodes route themselves` });
  }
  // Prod's telemetry address is reached through Twingate by address, like the NFS server.
  const telemetry = c.monitoring.telemetryAddress;
  const telemetryPath = ["monitoring", "telemetryAddress"];
  if (!isPrivateCidr(`${telemetry}/32`)) issues.push({ path: telemetryPath, message: "expected a private address of the home network (prod's monitoring/telemetry LAN address)" });
  else if (cidrContains(vcnCidr, telemetry) || cidrContains(podSubnet, telemetry)) {
    issues.push({ path: telemetryPath, message: `expected an address outside the VCN ${vcnCidr} and the pod network ${podSubnet}, which the cloud nodes route themselves` });
  }
  c.cluster.nodes.forEach((node, i) => {
    issues.push(...subnetIssue(node.privateIp, ["cluster", "nodes", i, "privateIp"]));
    if (node.privateIp === c.omni.vm.privateIp) issues.push({ path: ["cluster", "nodes", i, "privateIp"], message: `expected a unique IP; ${node.privateIp} is the management VM's` });
  });
  uniqueBy(issues, c.cluster.nodes, ["cluster", "nodes"], "name", "node name");
  uniqueBy(issues, c.cluster.nodes, ["cluster", "nodes"], "privateIp", "node IP");
  c.cluster.nodes.forEach((node, i) => {
    if (node.name === c.omni.vm.name) issues.push({ path: ["cluster", "nodes", i, "name"], message: `expected a unique name; ${node.name} is the management VM's` });
  });
  issues.push(...broadNetworkIssues(c.oci.network.adminCidrs, ["oci", "network", "adminCidrs"]), ...adminCidrIssues(c.oci.network.adminCidrs, ["oci", "network", "adminCidrs"]));
  // Every port the management VM listens on is its own: Omni's four and SSH.
  const ports = Object.entries(c.omni.ports) as [keyof OmniServerConfig["ports"], number][];
  ports.forEach(([key, value], i) => {
    const clash = value === 22 ? "SSH (22)" : ports.slice(0, i).find(([, other]) => other === value)?.[0];
    if (clash) issues.push({ path: ["omni", "ports", key], message: `expected a port of its own; ${value} is also ${value === 22 ? clash : `omni.ports.${clash}`}` });
  });
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
  const workload = workloadNodes(c.cluster.nodes);
  issues.push(...platformIssues(c.platform, { clusterName: c.cluster.name, workloadNodeCount: workload.length, workloadMemoryGb: workload.reduce((s, n) => s + n.memoryGb, 0) }));
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
