// One Proxmox host and one LAN, described by two stacks: prod, which owns
// them, and dev, which puts its cluster beside prod's. Prod exports what it
// holds on the host (its `site` output); dev's program reads it through a
// StackReference and checks its own config against it before it registers
// anything, and the offline plan checks the two committed stack files the same
// way. Pure: the same function judges both.
import { cidrContains, cidrsOverlap } from "./net";
import { DevConfig, ProdConfig, ProxmoxConfig, telemetryServiceRef } from "./schema";

/** A VM on the host, and where its config says so. */
export interface SiteMachine {
  /** Config path of the machine, e.g. cluster.nodes[1] or gamingVm. */
  path: string;
  vmId: number;
  machineUuid?: string;
  ip?: string;
  memoryGb: number;
  diskGb: number;
  /** On the VM datastore (cluster VMs) or on the ZFS pool (the gaming VM). */
  datastore: "vm" | "pool";
}

/** What one stack holds on the shared host and LAN. */
export interface HomeSite {
  proxmox: ProxmoxConfig;
  clusterName: string;
  lan: { bridge: string; cidr: string; gateway: string };
  lanPool?: string;
  /** Prod's fixed telemetry address (where it receives), or where dev sends its telemetry. */
  telemetryAddress?: string;
  machines: SiteMachine[];
}

/** What either home stack holds on the host through its cluster: the LAN it uses and its node VMs. */
function clusterSite(c: ProdConfig | DevConfig): Omit<HomeSite, "machines"> {
  return {
    proxmox: c.proxmox,
    clusterName: c.cluster.name,
    lan: { bridge: c.cluster.network.bridge, cidr: c.cluster.network.cidr, gateway: c.cluster.network.gateway },
    lanPool: c.platform.lanLoadBalancer?.pool,
  };
}

const clusterMachines = (c: ProdConfig | DevConfig): SiteMachine[] =>
  c.cluster.nodes.map((n, i) => ({ path: `cluster.nodes[${i}]`, vmId: n.vmId, machineUuid: n.machineUuid, ip: n.ip, memoryGb: n.memoryGb, diskGb: n.diskGb, datastore: "vm" as const }));

export function siteOfProd(c: ProdConfig): HomeSite {
  return {
    ...clusterSite(c),
    telemetryAddress: c.platform.lanLoadBalancer?.addresses?.[telemetryServiceRef],
    machines: [
      ...clusterMachines(c),
      // Without the GPU (KubeVirt has it, and the session's RAM is the gpu-worker's) the VM stays off:
      // the config holds it to started false, and `npm run gaming` starts the KubeVirt session instead.
      { path: "gamingVm", vmId: c.gamingVm.vmId, memoryGb: c.hypervisor.gpu.consumer === "kubevirt" ? 0 : c.gamingVm.memoryGb, diskGb: c.gamingVm.diskGb, datastore: "pool" as const },
    ],
  };
}

export function siteOfDev(c: DevConfig): HomeSite {
  return { ...clusterSite(c), telemetryAddress: c.monitoring.telemetryAddress, machines: clusterMachines(c) };
}

export interface SiteIssue {
  /** Key path in the checked stack's config. */
  path: (string | number)[];
  message: string;
}

const hostKeys = ["endpoint", "nodeName", "address", "vmDatastore", "isoDatastore"] as const;
const hardwareKeys = ["memoryGb", "cpuThreads", "reservedMemoryGb", "vmDatastoreGb"] as const;

const pathOf = (p: string): (string | number)[] => p.split(/[.[\]]/).filter(Boolean).map((x) => (/^\d+$/.test(x) ? Number(x) : x));

/**
 * What is wrong with `site` (the checked stack's) beside `owner` (what the
 * prod stack holds), as issues on the checked stack's keys. `owner` names the
 * stack it came from, for the messages.
 */
export function siteIssues(owner: HomeSite, ownerStack: string, site: HomeSite): SiteIssue[] {
  const issues: SiteIssue[] = [];
  const theirs = (what: string) => `${ownerStack}'s ${what}`;
  for (const key of hostKeys) {
    if (site.proxmox[key] !== owner.proxmox[key]) issues.push({ path: ["proxmox", key], message: `expected ${JSON.stringify(owner.proxmox[key])}, ${theirs(`proxmox.${key}`)}: both stacks describe the same host` });
  }
  for (const key of hardwareKeys) {
    if (site.proxmox.hardware[key] !== owner.proxmox.hardware[key]) {
      issues.push({ path: ["proxmox", "hardware", key], message: `expected ${owner.proxmox.hardware[key]}, ${theirs(`proxmox.hardware.${key}`)}: both stacks describe the same host` });
    }
  }
  if (site.clusterName === owner.clusterName) issues.push({ path: ["cluster", "name"], message: `expected a cluster name of its own; ${JSON.stringify(owner.clusterName)} is ${theirs("cluster")} in Omni` });
  if (site.lan.bridge !== owner.lan.bridge) issues.push({ path: ["cluster", "network", "bridge"], message: `expected ${owner.lan.bridge}, the host's bridge (${theirs("cluster.network.bridge")})` });
  const sameLan = site.lan.cidr === owner.lan.cidr;
  if (!sameLan && cidrsOverlap(site.lan.cidr, owner.lan.cidr)) {
    issues.push({ path: ["cluster", "network", "cidr"], message: `expected ${owner.lan.cidr} (the same LAN) or a network apart from it; it overlaps ${theirs("cluster.network.cidr")}` });
  }
  if (sameLan && site.lan.gateway !== owner.lan.gateway) {
    issues.push({ path: ["cluster", "network", "gateway"], message: `expected ${owner.lan.gateway}, ${theirs("cluster.network.gateway")} on the same LAN` });
  }
  for (const m of site.machines) {
    const other = owner.machines.find((o) => o.vmId === m.vmId);
    if (other) issues.push({ path: [...pathOf(m.path), "vmId"], message: `expected a VM ID of its own; ${m.vmId} is ${theirs(`${other.path}.vmId`)}` });
    const twin = m.machineUuid && owner.machines.find((o) => o.machineUuid === m.machineUuid);
    if (twin) issues.push({ path: [...pathOf(m.path), "machineUuid"], message: `expected a machine UUID of its own; Omni knows it as ${theirs(`${twin.path}.machineUuid`)}` });
    if (m.ip) {
      const sharing = owner.machines.find((o) => o.ip === m.ip);
      if (sharing) issues.push({ path: [...pathOf(m.path), "ip"], message: `expected an address of its own; ${m.ip} is ${theirs(`${sharing.path}.ip`)}` });
      else if (owner.lanPool && cidrContains(owner.lanPool, m.ip)) {
        issues.push({ path: [...pathOf(m.path), "ip"], message: `expected an address outside ${theirs("LAN LoadBalancer pool")} ${owner.lanPool}` });
      }
    }
  }
  if (site.lanPool && owner.lanPool && cidrsOverlap(site.lanPool, owner.lanPool)) {
    issues.push({ path: ["platform", "lanLoadBalancer", "pool"], message: `expected a range apart from ${theirs("LAN LoadBalancer pool")} ${owner.lanPool}` });
  }
  if (site.lanPool) {
    for (const o of owner.machines.filter((o) => o.ip && cidrContains(site.lanPool as string, o.ip))) {
      issues.push({ path: ["platform", "lanLoadBalancer", "pool"], message: `expected a range that leaves out ${o.ip} (${theirs(`${o.path}.ip`)})` });
    }
  }
  // Deployed before this check existed, prod's site says nothing of it: then there is nothing to compare.
  if (owner.telemetryAddress && site.telemetryAddress !== owner.telemetryAddress) {
    issues.push({ path: ["monitoring", "telemetryAddress"], message: `expected ${owner.telemetryAddress}, ${theirs(`platform.lanLoadBalancer.addresses.${telemetryServiceRef}`)}, where its logs and metrics are received` });
  }
  // Everything on at once: both clusters run all the time, and the gaming VM may start whenever someone plays.
  const hw = owner.proxmox.hardware;
  const usable = hw.memoryGb - hw.reservedMemoryGb;
  const sum = (ms: SiteMachine[], key: "memoryGb" | "diskGb") => ms.reduce((s, m) => s + m[key], 0);
  const memory = sum(owner.machines, "memoryGb") + sum(site.machines, "memoryGb");
  if (memory > usable) {
    issues.push({
      path: ["cluster", "nodes"],
      message: `expected every VM of the host to fit at once: ${ownerStack} ${sum(owner.machines, "memoryGb")} GB + these ${sum(site.machines, "memoryGb")} GB = ${memory} GB, over the ${usable} GB the host gives VMs (${hw.memoryGb} GB minus ${hw.reservedMemoryGb} GB reserved)`,
    });
  }
  const onSsd = (ms: SiteMachine[]) => sum(ms.filter((m) => m.datastore === "vm"), "diskGb");
  const disks = onSsd(owner.machines) + onSsd(site.machines);
  if (disks > hw.vmDatastoreGb) {
    issues.push({ path: ["cluster", "nodes"], message: `expected the VM disks of both stacks to fit the VM datastore: ${ownerStack} ${onSsd(owner.machines)} GB + these ${onSsd(site.machines)} GB = ${disks} GB, over ${hw.vmDatastoreGb} GB` });
  }
  return issues;
}
