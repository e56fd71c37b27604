// The offline CrossGuard analyzer: runs the policy pack over a recorded
// program run exactly as `pulumi preview|up --policy-pack` would. It has two
// halves, kept apart so each can be checked against the real thing:
//
// The engine's half (pkg/resource/deploy/step_generator.go,
// pkg/resource/analyzer): what an analyzer is sent.
// - policy config: each policy's schema defaults, then the given config per
//   property (and "all" for the enforcement level), then validated against the
//   schema; a config the schema refuses stops the run;
// - Analyze, once per registered resource: its *checked inputs* (a provider
//   whose config is unknown skips Check, so the program's inputs), secrets
//   and unknowns in wire form, the options, the provider with its inputs;
// - AnalyzeStack, once: every resource of the new state, default providers and
//   the root stack included, with its *outputs* (in the first preview, empty
//   behind an unconfigured provider).
//
// The SDK's half (@pulumi/policy server.js): how policies are run on it. Props
// go through the SDK's own deserializer (secrets decrypted) and unknown-checking
// proxy; reading an unknown turns that policy's result into an advisory "can't
// run ... during preview"; `notApplicable()` and the `validateResourceOfType`
// fast path behave the same; `isType`/`asType` compare type tokens.
// test/policies/analyzerContract.test.ts sends the engine half's requests to
// the real SDK server (the pack run as the CLI runs it) and compares verdicts.
import { Policies, PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import Ajv from "ajv";
import * as fs from "fs";
import * as path from "path";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { ProgramRun, RecordedResource } from "./mockRuntime";
import { projectRoot } from "./stackFiles";

// The SDK's internal helpers.
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

/** The pack's name and version, as the SDK puts them in its messages. */
export interface PackIdentity {
  name: string;
  version: string;
}

/** The homelab pack: policies/index.ts names it, policies/package.json versions it. */
export const homelabPack: PackIdentity = {
  name: "homelab",
  version: (JSON.parse(fs.readFileSync(path.join(projectRoot, "policies", "package.json"), "utf8")) as { version: string }).version,
};

// ---------------------------------------------------------------- the engine's half

/** One resource as the engine describes it to an analyzer. */
export interface AnalyzerResource {
  urn: string;
  type: string;
  name: string;
  /** Wire form: secrets and unknowns marked, resource references replaced. */
  properties: Record<string, unknown>;
  options: {
    protect: boolean;
    ignoreChanges: string[];
    deleteBeforeReplace?: boolean;
    additionalSecretOutputs: string[];
    aliases: string[];
  };
  provider?: { urn: string; type: string; name: string; properties: Record<string, unknown> };
  /** Stack analysis only. */
  parent?: string;
  dependencies: string[];
  propertyDependencies: Record<string, string[]>;
}

export interface ReconciledPolicyConfig {
  level: EnforcementLevel;
  properties: Record<string, unknown>;
}

type AnyPolicy = ResourceValidationPolicy | StackValidationPolicy;

const ajv = new Ajv({ strict: false, allErrors: true });
/** Compiled schema validators, one per policy object. */
const validators = new WeakMap<object, ReturnType<Ajv["compile"]>>();

/** The engine's config reconciliation: schema defaults, then given properties, then schema validation. */
export function reconcilePolicyConfig(policies: Policies, given: PolicyConfig, packLevel: EnforcementLevel): Map<string, ReconciledPolicyConfig> {
  const all = given.all?.enforcementLevel as EnforcementLevel | undefined;
  const result = new Map<string, ReconciledPolicyConfig>();
  const problems: string[] = [];
  for (const p of policies as AnyPolicy[]) {
    const schema = p.configSchema;
    const defaults = Object.fromEntries(Object.entries(schema?.properties ?? {}).flatMap(([k, s]) => ("default" in (s as object) ? [[k, (s as { default: unknown }).default]] : [])));
    const { enforcementLevel, ...properties } = given[p.name] ?? {};
    const merged = { ...defaults, ...properties };
    if (schema) {
      const validate = validators.get(p) ?? ajv.compile({ type: "object", ...schema });
      validators.set(p, validate);
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

/** Every resource the engine holds for the run: the root stack, default providers, then what the program registered. */
export const stateOf = (run: ProgramRun): RecordedResource[] => [run.root, ...run.defaultProviders, ...run.resources];

function describe(r: RecordedResource, byUrn: Map<string, RecordedResource>, properties: Record<string, unknown>): AnalyzerResource {
  const provider = r.provider ? byUrn.get(r.provider) : undefined;
  return {
    urn: r.urn,
    type: r.type,
    name: r.name,
    properties: forAnalyzer(properties) as Record<string, unknown>,
    options: {
      protect: r.options.protect,
      ignoreChanges: r.options.ignoreChanges,
      ...(r.options.deleteBeforeReplace !== undefined ? { deleteBeforeReplace: r.options.deleteBeforeReplace } : {}),
      additionalSecretOutputs: r.options.additionalSecretOutputs,
      aliases: r.options.aliases,
    },
    ...(provider ? { provider: { urn: provider.urn, type: provider.type, name: provider.name, properties: forAnalyzer(provider.wireInputs) as Record<string, unknown> } } : {}),
    dependencies: r.dependencies,
    propertyDependencies: r.propertyDependencies,
  };
}

/** What the engine sends Analyze: each registration (not reads), with its checked inputs. */
export function analyzeRequests(run: ProgramRun): AnalyzerResource[] {
  const state = stateOf(run);
  const byUrn = new Map(state.map((r) => [r.urn, r]));
  return state.filter((r) => !r.external).map((r) => describe(r, byUrn, r.wireInputs));
}

/** What the engine sends AnalyzeStack: every resource of the new state, with its outputs and parent. */
export function analyzeStackRequest(run: ProgramRun): AnalyzerResource[] {
  const state = stateOf(run);
  const byUrn = new Map(state.map((r) => [r.urn, r]));
  return state.map((r) => {
    // The engine's state parents top-level resources to the root stack.
    const parent = r.parentUrn ?? (r.urn === run.root.urn ? undefined : run.root.urn);
    return { ...describe(r, byUrn, r.wireOutputs), ...(parent ? { parent } : {}) };
  });
}

// ---------------------------------------------------------------- the SDK's half

class NotApplicableError extends Error {
  constructor(readonly reason?: string) {
    super(reason ?? "Policy does not apply");
  }
}
const throwNotApplicable = (reason?: string): never => {
  throw new NotApplicableError(reason);
};

/** Properties as the SDK deserializes them for a policy: secrets unwrapped, unknowns as the sentinel. */
export const plainProps = (wire: Record<string, unknown>): Record<string, unknown> =>
  sdkDeserialize.deserializeProperties(Struct.fromJavaScript(forAnalyzer(wire) as Record<string, never>), false);

/**
 * ...and as a policy receives them: reading an unknown throws. Deserialized
 * once per property bag; each policy gets its own copy, as from the SDK.
 */
const deserialized = new WeakMap<object, Record<string, unknown>>();
/** A copy of plain data made in this realm (structuredClone's objects are not, under Jest, and the SDK's proxy skips them). */
const copy = (v: unknown): unknown =>
  Array.isArray(v) ? v.map(copy) : v !== null && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, copy(x)])) : v;
function policyProps(wire: Record<string, unknown>): Record<string, unknown> {
  let plain = deserialized.get(wire);
  if (!plain) deserialized.set(wire, (plain = plainProps(wire)));
  return sdkProxy.unknownCheckingProxy(copy(plain) as Record<string, unknown>);
}

const policyOptions = (r: AnalyzerResource) => ({
  protect: r.options.protect,
  ignoreChanges: r.options.ignoreChanges,
  aliases: r.options.aliases,
  customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
  additionalSecretOutputs: r.options.additionalSecretOutputs,
  ...(r.options.deleteBeforeReplace !== undefined ? { deleteBeforeReplace: r.options.deleteBeforeReplace } : {}),
});

const policyProvider = (r: AnalyzerResource) => (r.provider ? { provider: { type: r.provider.type, props: policyProps(r.provider.properties), urn: r.provider.urn, name: r.provider.name } } : {});

const isTypeOf = (type: string, resourceClass: unknown): boolean => {
  const pulumiType = sdkPolicy.getPulumiType(resourceClass);
  if (pulumiType) return type === pulumiType;
  const isInstance = (resourceClass as { isInstance?: unknown } | undefined)?.isInstance;
  return typeof isInstance === "function" && isInstance({ __pulumiType: type }) === true;
};

/**
 * Runs `policies` on the engine's requests as the SDK's analyzer server does.
 * Rethrows any error a policy throws other than an unknown value or
 * not-applicable (the CLI fails the same way).
 */
export async function runPolicyPack(
  policies: Policies,
  requests: { analyze: AnalyzerResource[]; stack: AnalyzerResource[] },
  config: Map<string, ReconciledPolicyConfig>,
  pack: PackIdentity = homelabPack,
): Promise<AnalysisResult> {
  const violations: Violation[] = [];
  const notApplicable: NotApplicable[] = [];
  const names = new Map(requests.stack.map((r) => [r.urn, r.name]));

  for (const policy of policies as AnyPolicy[]) {
    const { level: configured, properties } = config.get(policy.name) ?? { level: policy.enforcementLevel ?? "advisory", properties: {} };
    if (configured === "disabled") continue;
    const level: Violation["level"] = configured === "advisory" ? "advisory" : "mandatory";
    // The engine's Configure call carries each policy's config as a protobuf Struct: keys come back sorted.
    const asConfigured = Struct.fromJavaScript(properties as Record<string, never>).toJavaScript();
    const getConfig = () => asConfigured;
    const report = (urn: string | null) => (message: string | { message?: string; urn?: string }, explicitUrn?: string) => {
      const text = typeof message === "string" ? message : (message.message ?? "");
      const at = (typeof message === "object" ? message.urn : undefined) ?? explicitUrn ?? urn ?? null;
      violations.push({ policy: policy.name, resource: at ? (names.get(at) ?? at) : null, urn: at, message: text, level });
    };
    const handle = (urn: string | null, err: unknown) => {
      if (err instanceof sdkProxy.UnknownValueError) {
        const message = `can't run policy '${policy.name}' from policy pack '${pack.name}@v${pack.version}' during preview: ${err.message}`;
        violations.push({ policy: policy.name, resource: urn ? (names.get(urn) ?? urn) : null, urn, message, level: "advisory" });
      } else if (err instanceof NotApplicableError) notApplicable.push({ policy: policy.name, urn, reason: err.reason ?? "" });
      else throw new Error(`Error validating resource with policy '${policy.name}': ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    };

    if (sdkPolicy.isResourcePolicy(policy)) {
      const rp = policy as ResourceValidationPolicy;
      if (!rp.validateResource) continue;
      const validations = Array.isArray(rp.validateResource) ? rp.validateResource : [rp.validateResource];
      const onlyType = Array.isArray(rp.validateResource) ? undefined : sdkPolicy.getPulumiType(rp.validateResource);
      for (const r of requests.analyze) {
        if (onlyType && r.type !== onlyType) {
          notApplicable.push({ policy: policy.name, urn: r.urn, reason: `Policy only applies to resources of type '${onlyType}'` });
          continue;
        }
        for (const validate of validations) {
          try {
            const props = policyProps(r.properties);
            const args = {
              type: r.type,
              props,
              urn: r.urn,
              name: r.name,
              opts: policyOptions(r),
              stackTags: new Map<string, string>(),
              isType: (cls: unknown) => isTypeOf(r.type, cls),
              asType: (cls: unknown) => (isTypeOf(r.type, cls) ? props : undefined),
              getConfig,
              notApplicable: throwNotApplicable,
              ...policyProvider(r),
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
      if (onlyType && !requests.stack.some((r) => r.type === onlyType)) {
        notApplicable.push({ policy: policy.name, urn: null, reason: `Policy only applies to resources of type '${onlyType}'` });
        continue;
      }
      try {
        const resources = requests.stack.map((r) => {
          const props = policyProps(r.properties);
          return {
            type: r.type,
            props,
            urn: r.urn,
            name: r.name,
            opts: policyOptions(r),
            dependencies: [] as PolicyResource[],
            propertyDependencies: {} as Record<string, PolicyResource[]>,
            isType: (cls: unknown) => isTypeOf(r.type, cls),
            asType: (cls: unknown) => (isTypeOf(r.type, cls) ? props : undefined),
            ...policyProvider(r),
          } as PolicyResource & { parent?: PolicyResource };
        });
        const byUrn = new Map(resources.map((p) => [p.urn, p]));
        requests.stack.forEach((r, i) => {
          const parent = r.parent ? byUrn.get(r.parent) : undefined;
          if (parent) resources[i].parent = parent;
          (resources[i] as { dependencies: PolicyResource[] }).dependencies = r.dependencies.flatMap((d) => byUrn.get(d) ?? []);
          for (const [k, urns] of Object.entries(r.propertyDependencies)) resources[i].propertyDependencies[k] = urns.flatMap((d) => byUrn.get(d) ?? []);
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

/**
 * Runs `policies` over a recorded run as the analyzer does in that run's
 * phase. Throws PolicyConfigError when the config does not fit the schemas.
 */
export async function analyze(policies: Policies, run: ProgramRun, config: PolicyConfig = {}, packLevel: EnforcementLevel = "mandatory", pack: PackIdentity = homelabPack): Promise<AnalysisResult> {
  return runPolicyPack(policies, { analyze: analyzeRequests(run), stack: analyzeStackRequest(run) }, reconcilePolicyConfig(policies, config, packLevel), pack);
}
