// Minimal synthetic resources for the policy tests, run through the offline
// analyzer exactly as recorded resources are: resource policies see the
// inputs, stack policies the outputs (the inputs, after a deploy; nothing for
// Kubernetes resources in a first preview, when `firstPreview` is set).
import { Policies } from "@pulumi/policy";
import { PolicyConfig, Violation, analyze } from "../../plan/analyzer";
import { ProgramRun, RecordedOptions, RecordedResource, UNKNOWN_WIRE } from "../../plan/mockRuntime";
import { types } from "../../policies/rules/types";

export interface ResourceUnderPolicy {
  type: string;
  name: string;
  urn: string;
  inputs: Record<string, unknown>;
  /** URNs this resource depends on. */
  dependencies?: string[];
}

/** A value not known until deploy, as the engine sends it. */
export const unknown = UNKNOWN_WIRE;
/** A secret value, as the engine sends it (the analyzer hands policies the plain value). */
export const secret = (value: unknown) => ({ "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value });

export function resource(type: string, name: string, inputs: Record<string, unknown>, stack = "test"): ResourceUnderPolicy {
  return { type, name, urn: `urn:pulumi:${stack}::homelab::${type}::${name}`, inputs };
}

/** A JS value as the SDK puts it on the wire: undefined properties dropped, undefined list items as null. */
function wire(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : wire(v)));
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).flatMap(([k, v]) => (v === undefined ? [] : [[k, wire(v)]])));
  return value;
}

const noOptions: RecordedOptions = { protect: false, retainOnDelete: false, ignoreChanges: [], replaceOnChanges: [], additionalSecretOutputs: [], aliases: [], dependsOn: [] };

/** A recorded run holding `resources`, as the mock runtime records one. */
export function runOf(resources: ResourceUnderPolicy[], opts: { stack?: string; firstPreview?: boolean } = {}): ProgramRun {
  const stack = opts.stack ?? "test";
  const root: RecordedResource = {
    type: "pulumi:pulumi:Stack",
    name: `homelab-${stack}`,
    urn: `urn:pulumi:${stack}::homelab::pulumi:pulumi:Stack::homelab-${stack}`,
    parent: null,
    parentUrn: null,
    custom: false,
    external: false,
    provider: null,
    dependencies: [],
    propertyDependencies: {},
    inputs: {},
    wireInputs: {},
    wireOutputs: {},
    options: noOptions,
  };
  const recorded = resources.map(
    (r): RecordedResource => ({
      type: r.type,
      name: r.name,
      urn: r.urn,
      parent: null,
      parentUrn: null,
      custom: true,
      external: false,
      provider: null,
      dependencies: r.dependencies ?? [],
      propertyDependencies: {},
      inputs: r.inputs,
      wireInputs: wire(r.inputs) as Record<string, unknown>,
      wireOutputs: opts.firstPreview && r.type.startsWith("kubernetes:") ? {} : (wire(r.inputs) as Record<string, unknown>),
      options: noOptions,
    }),
  );
  return { stack, project: "homelab", phase: opts.firstPreview ? "preview" : "update", resources: recorded, defaultProviders: [], root, outputs: {} };
}

/** The violations the analyzer reports for `resources`. */
export async function runPolicies(policies: Policies, resources: ResourceUnderPolicy[], config: PolicyConfig = {}, opts: { firstPreview?: boolean } = {}): Promise<Violation[]> {
  return (await analyze(policies, runOf(resources, opts), config)).violations;
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
