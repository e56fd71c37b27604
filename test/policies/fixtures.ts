// Minimal synthetic resources for the policy tests, in the shape the offline
// plan records them ({ type, name, urn, inputs }).
import { ResourceUnderPolicy, Violation } from "../../policies/runner";
import { types } from "../../policies/rules/types";

export function resource(type: string, name: string, inputs: Record<string, unknown>, stack = "test"): ResourceUnderPolicy {
  return { type, name, urn: `urn:pulumi:${stack}::homelab::${type}::${name}`, inputs };
}

/** A Proxmox VM; memory in MiB as the provider takes it. */
export function vm(name: string, opts: { memoryMiB?: number; cores?: number; sockets?: number; started?: boolean; tags?: string[] } = {}): ResourceUnderPolicy {
  const inputs: Record<string, unknown> = {
    tags: opts.tags ?? ["prod", "cluster-prod", "backup-none"],
    memory: { dedicated: opts.memoryMiB ?? 4096 },
    cpu: { cores: opts.cores ?? 2, sockets: opts.sockets ?? 1, type: "host" },
  };
  if (opts.started !== undefined) inputs.started = opts.started;
  return resource(types.proxmoxVm, name, inputs);
}

/** An OCI A1 instance; boot volume size is a string, as the provider takes it. */
export function instance(
  name: string,
  opts: { ocpus?: number; memoryGb?: number; bootVolumeGb?: number; freeformTags?: Record<string, string> } = {},
): ResourceUnderPolicy {
  return resource(types.ociInstance, name, {
    shape: "VM.Standard.A1.Flex",
    shapeConfig: { ocpus: opts.ocpus ?? 1, memoryInGbs: opts.memoryGb ?? 6 },
    sourceDetails: { sourceType: "image", sourceId: "ocid1.image.oc1..x", ...(opts.bootVolumeGb === undefined ? {} : { bootVolumeSizeInGbs: String(opts.bootVolumeGb) }) },
    freeformTags: opts.freeformTags ?? { stack: "cloud", cluster: "cloud", backup: "none" },
  });
}

export interface IngressRule {
  protocol: string;
  source: string;
  tcpOptions?: { min: number; max: number };
  udpOptions?: { min: number; max: number };
}

export function securityList(name: string, ingressSecurityRules: IngressRule[]): ResourceUnderPolicy {
  return resource(types.ociSecurityList, name, { ingressSecurityRules, egressSecurityRules: [{ protocol: "all", destination: "0.0.0.0/0" }] });
}

export const tcp = (port: number, source: string): IngressRule => ({ protocol: "6", source, tcpOptions: { min: port, max: port } });
export const udp = (port: number, source: string): IngressRule => ({ protocol: "17", source, udpOptions: { min: port, max: port } });

export const messages = (violations: Violation[]) => violations.map((v) => `${v.policy}: ${v.message}`);

/** A deep copy of recorded resources, safe to modify in one test. */
export const deepCopy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
