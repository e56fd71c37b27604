// Twingate, the private path between the two sites (FR-010): what is
// reachable, from where, by whom. Twingate's model fixes where each piece
// runs: a connector sits in the network that holds the resources (home, on
// the prod cluster) and dials out; a client runs where traffic starts (the
// cloud cluster's nodes, whose kubelet mounts the home NFS share; a family
// member's phone or laptop). Pure: TwingateAccess, the clusters' manifests and
// the plan's table all read these.
import type { ServiceEntry } from "../../services/entry";
import { telemetryPorts } from "../monitoring/telemetry";

/** Two connectors, each with its own tokens (Twingate's advice: a connector restart keeps the network up). */
export const homeConnectors = ["home-a", "home-b"] as const;
export type HomeConnector = (typeof homeConnectors)[number];

/** Twingate groups: admins reach everything, family the LAN apps that are not admin apps. */
export const twingateGroups = { admins: "homelab admins", family: "homelab family" } as const;
export type TwingateGroup = keyof typeof twingateGroups;

/** Bitwarden secrets the cloud stack writes and the clusters read (External Secrets). */
export const twingateBitwarden = {
  /** <network> of <network>.twingate.com, for the connectors. */
  network: "twingate-network",
  accessToken: (c: HomeConnector) => `twingate-connector-${c}-access-token`,
  refreshToken: (c: HomeConnector) => `twingate-connector-${c}-refresh-token`,
  /** The cloud nodes' service key (the JSON Twingate's headless client reads). */
  cloudServiceKey: "twingate-cloud-nodes-service-key",
} as const;

/** NFS v4 needs TCP 2049 only (no portmapper, no mountd): the one port the NFS resource opens. */
export const nfsPort = 2049;

export interface PrivateResource {
  /** Logical name part; from the catalog entry's name, never from config. */
  id: string;
  name: string;
  /** An IP address, or a name the home connectors resolve (the prod cluster's DNS). */
  address: string;
  /** The name a Twingate client uses, where the address is not one a person would type. */
  alias?: string;
  tcp: number[];
  udp: number[];
  groups: TwingateGroup[];
  /** The cloud nodes' service account may use it. */
  cloudNodes: boolean;
  /** The management VM's service account may use it. */
  managementVm: boolean;
  why: string;
}

/** LAN apps reached through Twingate answer at <entry>.lan.<domain> on a Twingate client. */
export const lanAliasDomain = (domain: string) => `lan.${domain}`;

/**
 * What Twingate publishes: the home NFS share (for the cloud cluster's nodes,
 * and admins), then every LAN app of the prod catalog by its cluster DNS name
 * (no LoadBalancer address needed; the connectors run in that cluster).
 */
export function privateResources(args: { nfsServer: string; telemetryAddress: string; domain: string; catalog: readonly ServiceEntry[]; publicHostnames: readonly string[] }): PrivateResource[] {
  const resources: PrivateResource[] = [
    {
      id: "home-nfs",
      name: "home NFS (media library and files)",
      address: args.nfsServer,
      tcp: [nfsPort],
      udp: [],
      groups: ["admins"],
      cloudNodes: true,
      managementVm: false,
      why: "the cloud cluster's apps mount their library folders from the home NFS server",
    },
    {
      id: "prod-telemetry",
      name: "prod telemetry (logs and metrics in)",
      address: args.telemetryAddress,
      tcp: [telemetryPorts.logs, telemetryPorts.metrics],
      udp: [],
      // Machines send here, people never: no group.
      groups: [],
      cloudNodes: true,
      managementVm: true,
      why: "the cloud cluster's and the management VM's Alloy send their logs, metrics and probes to prod",
    },
  ];
  for (const e of args.catalog) {
    if (e.home !== "prod" || e.exposure.kind !== "lan") continue;
    const alias = `${e.name}.${lanAliasDomain(args.domain)}`;
    if (args.publicHostnames.includes(alias)) throw new Error(`Twingate: the alias ${alias} of ${e.name} is also a public hostname; expected names of their own under ${lanAliasDomain(args.domain)}`);
    const ports = (protocol: "TCP" | "UDP") => [...new Set(e.exposure.kind === "lan" ? e.exposure.ports.filter((p) => p.protocol === protocol).map((p) => p.port) : [])].sort((a, b) => a - b);
    resources.push({
      id: e.name,
      name: `${e.name} (home LAN app)`,
      address: `${e.exposure.service}.${e.name}.svc.cluster.local`,
      alias,
      tcp: ports("TCP"),
      udp: ports("UDP"),
      groups: e.auth === "admin" ? ["admins"] : ["admins", "family"],
      cloudNodes: false,
      managementVm: false,
      why: e.auth === "admin" ? "an admin app of the home LAN, for admins away from home" : "a home LAN app, for the family away from home",
    });
  }
  return resources;
}

/** Twingate's port list: each port as a string, or the policy that denies the protocol when there is none. */
export function protocolRule(ports: number[]): { policy: "RESTRICTED" | "DENY_ALL"; ports: string[] } {
  return ports.length ? { policy: "RESTRICTED", ports: ports.map(String) } : { policy: "DENY_ALL", ports: [] };
}

/** The plan's table row: what a client types, what the connectors reach, which ports, who may use it. */
export function resourceRow(r: PrivateResource): { resource: string; address: string; reaches: string; ports: string; who: string } {
  const ports = [...r.tcp.map((p) => `${p}/tcp`), ...r.udp.map((p) => `${p}/udp`)].join(" ");
  const who = [...r.groups.map((g) => twingateGroups[g]), ...(r.cloudNodes ? ["the cloud cluster's nodes"] : []), ...(r.managementVm ? ["the management VM"] : [])].join(", ");
  return { resource: r.id, address: r.alias ?? r.address, reaches: r.address, ports, who };
}
