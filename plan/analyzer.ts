// The offline CrossGuard analyzer: runs the policy pack over a recorded
// program run exactly as `pulumi preview|up --policy-pack` would.
//
// The engine's side (pkg/resource/deploy/step_generator.go, pkg/resource/analyzer):
// - policy config: each policy's schema defaults, then the given config per
//   property (and "all" for the enforcement level), then validated against the
//   schema; a config the schema refuses stops the run;
// - resource policies (Analyze) see every registered resource's *checked
//   inputs*: what the program passed (a provider whose config is unknown skips
//   Check), secrets decrypted, unknowns as the unknown sentinel;
// - stack policies (AnalyzeStack) see every resource of the new state,
//   default providers and the root stack included, with its *outputs*: in the
//   first preview, empty behind an unconfigured provider, the inputs otherwise.
// The SDK's side (@pulumi/policy server.js) is reproduced here on the SDK's
// own helpers: props are unwrapped by its deserializer and wrapped in its
// unknown-checking proxy; reading an unknown turns the policy's result into
// an advisory "can't run ... during preview"; `notApplicable()` and the
// `validateResourceOfType` fast path behave the same; reported messages are
// the policy's description followed by the message.
import { Policies, PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import Ajv from "ajv";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { ProgramRun, RecordedResource, UNKNOWN_WIRE } from "./mockRuntime";

// The SDK's internal helpers, loaded from the copy the policies themselves use.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sdkDeserialize: { deserializeProperties(struct: Struct, proxySecrets: boolean): Record<string, unknown> } = require("@pulumi/policy/deserialize");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sdkProxy: { unknownCheckingProxy<T>(o: T): T; UnknownValueError: new (...args: never[]) => Error } = require("@pulumi/policy/proxy");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sdkPolicy: { getPulumiType(o: unknown): string | undefined; isResourcePolicy(p: unknown): boolean; isStackPolicy(p: unknown): boolean } = require("@pulumi/policy/policy");

export type EnforcementLevel = "advisory" | "mandatory" | "remediate" | "disabled";

/** Per-policy configuration, by policy name (the shape of --policy-pack-config). */
export type PolicyConfig = Record<string, Record<string, unknown>>;

export interface Violation {
  policy: string;
  /** Name of the resource the violation is about; null for the stack as a whole. */
  resource: string | null;
  urn: string | null;
  /** The policy's own message (what `pulumi preview` prints after the description). */
  message: string;
  level: "mandatory" | "advisory";
}

export interface NotApplicable {
  policy: string;
  urn: string | null;
  reason: string;
}

export interface AnalysisResult {
  violations: Violation[];
  notApplicable: NotApplicable[];
}

export class PolicyConfigError extends Error {}

class NotApplicableError extends Error {
  constructor(readonly reason?: string) {
    super(reason ?? "Policy does not apply");
  }
}
const throwNotApplicable = (reason?: string): never => {
  throw new NotApplicableError(reason);
};

type AnyPolicy = ResourceValidationPolicy | StackValidationPolicy;

/** The engine's config reconciliation: schema defaults, then given properties, then schema validation. */
export function reconcilePolicyConfig(policies: Policies, given: PolicyConfig, packLevel: EnforcementLevel): Map<string, { level: EnforcementLevel; properties: Record<string, unknown> }> {
  const ajv = new Ajv({ strict: false, allErrors: true });
  const all = given.all?.enforcementLevel as EnforcementLevel | undefined;
  const result = new Map<string, { level: EnforcementLevel; properties: Record<string, unknown> }>();
  const problems: string[] = [];
  for (const p of policies as AnyPolicy[]) {
    const schema = p.configSchema;
    const defaults = Object.fromEntries(Object.entries(schema?.properties ?? {}).flatMap(([k, s]) => ("default" in (s as object) ? [[k, (s as { default: unknown }).default]] : [])));
    const { enforcementLevel, ...properties } = given[p.name] ?? {};
    const merged = { ...defaults, ...properties };
    if (schema) {
      const validate = ajv.compile({ type: "object", ...schema });
      if (!validate(merged)) problems.push(...(validate.errors ?? []).map((e) => `${p.name}${e.instancePath.replace(/\//g, ".")}: ${e.message}`));
    }
    result.set(p.name, { level: (enforcementLevel as EnforcementLevel | undefined) ?? all ?? p.enforcementLevel ?? packLevel, properties: merged });
  }
  if (problems.length > 0) throw new PolicyConfigError(`policy pack config does not match the policies' schemas:\n${problems.map((m) => `  - ${m}`).join("\n")}`);
  return result;
}

/** Wire value to what the engine sends an analyzer: resource references become their ID (custom) or URN. */
function forAnalyzer(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(forAnalyzer);
  if (value !== null && typeof value === "object") {
    const record = value as Record<string, unknown>;
    if (record["4dabf18193072939515e22adb298388d"] === "5cf8f73096256a8f31e491e813e4eb8e") return record.id === undefined || record.id === "" ? record.urn : record.id;
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, forAnalyzer(v)]));
  }
  return value;
}

/** Properties as the SDK deserializes them for a policy: secrets unwrapped, unknowns as the sentinel. */
export const plainProps = (wire: Record<string, unknown>): Record<string, unknown> =>
  sdkDeserialize.deserializeProperties(Struct.fromJavaScript(forAnalyzer(wire) as Record<string, never>), false);

/** ...and as a policy receives them: reading an unknown throws. */
const policyProps = (wire: Record<string, unknown>): Record<string, unknown> => sdkProxy.unknownCheckingProxy(plainProps(wire));

const resourceOptions = (r: RecordedResource) => ({
  protect: r.options.protect,
  ignoreChanges: r.options.ignoreChanges,
  aliases: r.options.aliases,
  customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
  additionalSecretOutputs: r.options.additionalSecretOutputs,
  ...(r.options.deleteBeforeReplace !== undefined ? { deleteBeforeReplace: r.options.deleteBeforeReplace } : {}),
});

const isTypeOf = (type: string, resourceClass: unknown): boolean => {
  const pulumiType = sdkPolicy.getPulumiType(resourceClass);
  if (pulumiType) return type === pulumiType;
  const isInstance = (resourceClass as { isInstance?: unknown } | undefined)?.isInstance;
  return typeof isInstance === "function" && isInstance({ __pulumiType: type }) === true;
};

/** Every resource the engine holds for the run: the root stack, default providers, then what the program registered. */
export const stateOf = (run: ProgramRun): RecordedResource[] => [run.root, ...run.defaultProviders, ...run.resources];

/**
 * Runs `policies` over a recorded run as the analyzer does in that run's
 * phase. Throws PolicyConfigError when the config does not fit the schemas,
 * and rethrows any other error a policy throws (the CLI fails the same way).
 */
export async function analyze(policies: Policies, run: ProgramRun, config: PolicyConfig = {}, packLevel: EnforcementLevel = "mandatory"): Promise<AnalysisResult> {
  const reconciled = reconcilePolicyConfig(policies, config, packLevel);
  const violations: Violation[] = [];
  const notApplicable: NotApplicable[] = [];
  const state = stateOf(run);
  const byUrn = new Map(state.map((r) => [r.urn, r]));
  const providerOf = (r: RecordedResource) => {
    const p = r.provider ? byUrn.get(r.provider) : undefined;
    return p ? { type: p.type, props: policyProps(p.wireInputs), urn: p.urn, name: p.name } : undefined;
  };
  // The engine analyzes each registration (not reads) before acting on it.
  const registered = state.filter((r) => !r.external);

  for (const policy of policies as AnyPolicy[]) {
    const { level: configured, properties } = reconciled.get(policy.name) as { level: EnforcementLevel; properties: Record<string, unknown> };
    if (configured === "disabled") continue;
    const level: Violation["level"] = configured === "advisory" ? "advisory" : "mandatory";
    const getConfig = () => properties;
    const report = (urn: string | null) => (message: string | { message?: string; urn?: string }, explicitUrn?: string) => {
      const text = typeof message === "string" ? message : (message.message ?? "");
      const at = (typeof message === "object" ? message.urn : undefined) ?? explicitUrn ?? urn ?? null;
      violations.push({ policy: policy.name, resource: at ? (byUrn.get(at)?.name ?? at) : null, urn: at, message: text, level });
    };
    const cannotRun = (urn: string | null, err: Error) =>
      violations.push({ policy: policy.name, resource: urn ? (byUrn.get(urn)?.name ?? urn) : null, urn, message: `can't run policy '${policy.name}' during preview: ${err.message}`, level: "advisory" });
    const handle = (urn: string | null, err: unknown) => {
      if (err instanceof sdkProxy.UnknownValueError) cannotRun(urn, err);
      else if (err instanceof NotApplicableError) notApplicable.push({ policy: policy.name, urn, reason: err.reason ?? "" });
      else throw new Error(`Error validating resource with policy '${policy.name}': ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    };

    if (sdkPolicy.isResourcePolicy(policy)) {
      const rp = policy as ResourceValidationPolicy;
      if (!rp.validateResource) continue;
      const validations = Array.isArray(rp.validateResource) ? rp.validateResource : [rp.validateResource];
      const onlyType = Array.isArray(rp.validateResource) ? undefined : sdkPolicy.getPulumiType(rp.validateResource);
      for (const r of registered) {
        if (onlyType && r.type !== onlyType) {
          notApplicable.push({ policy: policy.name, urn: r.urn, reason: `Policy only applies to resources of type '${onlyType}'` });
          continue;
        }
        for (const validate of validations) {
          try {
            const props = policyProps(r.wireInputs);
            const provider = providerOf(r);
            const args = {
              type: r.type,
              props,
              urn: r.urn,
              name: r.name,
              opts: resourceOptions(r),
              stackTags: new Map<string, string>(),
              isType: (cls: unknown) => isTypeOf(r.type, cls),
              asType: (cls: unknown) => (isTypeOf(r.type, cls) ? props : undefined),
              getConfig,
              notApplicable: throwNotApplicable,
              ...(provider ? { provider } : {}),
            };
            await Promise.resolve(validate(args as never, report(r.urn) as never));
          } catch (err) {
            handle(r.urn, err);
          }
        }
      }
    } else if (sdkPolicy.isStackPolicy(policy)) {
      const sp = policy as StackValidationPolicy;
      if (!sp.validateStack) continue;
      const onlyType = sdkPolicy.getPulumiType(sp.validateStack);
      if (onlyType && !state.some((r) => r.type === onlyType)) {
        notApplicable.push({ policy: policy.name, urn: null, reason: `Policy only applies to resources of type '${onlyType}'` });
        continue;
      }
      try {
        const resources = state.map((r) => {
          const props = policyProps(r.wireOutputs);
          const provider = providerOf(r);
          return {
            type: r.type,
            props,
            urn: r.urn,
            name: r.name,
            opts: resourceOptions(r),
            dependencies: [] as PolicyResource[],
            propertyDependencies: {} as Record<string, PolicyResource[]>,
            isType: (cls: unknown) => isTypeOf(r.type, cls),
            asType: (cls: unknown) => (isTypeOf(r.type, cls) ? props : undefined),
            ...(provider ? { provider } : {}),
          } as PolicyResource & { parent?: PolicyResource };
        });
        const policyResources = new Map(resources.map((p) => [p.urn, p]));
        state.forEach((r, i) => {
          const parent = r.parentUrn ? policyResources.get(r.parentUrn) : r.urn !== run.root.urn ? policyResources.get(run.root.urn) : undefined;
          if (parent) resources[i].parent = parent;
          (resources[i] as { dependencies: PolicyResource[] }).dependencies = r.dependencies.flatMap((d) => policyResources.get(d) ?? []);
          for (const [k, urns] of Object.entries(r.propertyDependencies)) resources[i].propertyDependencies[k] = urns.flatMap((d) => policyResources.get(d) ?? []);
        });
        const args = { resources, getConfig, stackTags: new Map<string, string>(), notApplicable: throwNotApplicable };
        await Promise.resolve(sp.validateStack(args as never, report(null) as never));
      } catch (err) {
        handle(null, err);
      }
    }
  }
  return { violations, notApplicable };
}

/** The unknown sentinel, for tests that build wire values by hand. */
export const unknownWire = UNKNOWN_WIRE;
