// Runs the real program (index.ts) for one stack under Pulumi's mock runtime:
// no CLI, no provider calls. It records what the engine would hold for every
// resource: URN (computed as the engine computes it), parent, provider,
// dependencies, every resource option, and the inputs and outputs in the
// form they travel in (secrets and unknowns marked), so the offline analyzer
// can hand policies exactly what the CrossGuard analyzer would.
//
// Two phases, as a real user meets them:
// - "preview": the first `pulumi preview` of a stack, nothing deployed yet.
//   Outputs not set by the program are unknown, and a provider whose
//   configuration is not fully known (a Kubernetes provider whose kubeconfig
//   comes from a command that has not run) hands back an empty property map,
//   as the engine does (pkg/resource/plugin/provider_plugin.go, Create).
// - "update": everything known, as after `pulumi up` (or any later preview).
import * as pulumi from "@pulumi/pulumi";
import { homelab } from "../stacks";

export const SECRET = "[secret]";
export const UNKNOWN = "[unknown]";

export type Phase = "preview" | "update";

/** The options the engine records for a resource (what `pulumi preview` acts on). */
export interface RecordedOptions {
  protect: boolean;
  retainOnDelete: boolean;
  /** Only present when the program set it (true or false), as the engine tells the analyzer. */
  deleteBeforeReplace?: boolean;
  ignoreChanges: string[];
  replaceOnChanges: string[];
  additionalSecretOutputs: string[];
  /** Every earlier URN this resource claims, resolved as the engine resolves alias specs. */
  aliases: string[];
  /** Dependencies that no input explains: the program's `dependsOn`. */
  dependsOn: string[];
  deletedWith?: string;
  customTimeouts?: { create?: string; update?: string; delete?: string };
  /** An `import` ID: the resource is adopted, not created. */
  importId?: string;
}

export interface RecordedResource {
  type: string;
  name: string;
  urn: string;
  parent: string | null;
  parentUrn: string | null;
  /** Custom resources have a provider; components and the stack do not. */
  custom: boolean;
  /** A resource read, not managed (StackReference). */
  external: boolean;
  /** URN of the provider that manages it (explicit, or the engine's default provider). */
  provider: string | null;
  dependencies: string[];
  propertyDependencies: Record<string, string[]>;
  /** Inputs for people and documents: secrets "[secret]", unknowns "[unknown]", references as URNs. */
  inputs: Record<string, unknown>;
  /** Inputs as they travel to the engine (secret and unknown sentinels intact). */
  wireInputs: Record<string, unknown>;
  /** What the engine holds as the resource's outputs in this phase, wire form. */
  wireOutputs: Record<string, unknown>;
  options: RecordedOptions;
}

export interface ProgramRun {
  stack: string;
  project: string;
  phase: Phase;
  resources: RecordedResource[];
  /** Providers the engine creates on its own for resources without an explicit provider. */
  defaultProviders: RecordedResource[];
  /** The root stack resource (its outputs are the program's). */
  root: RecordedResource;
  outputs: Record<string, unknown>;
}

export interface RunOptions {
  project?: string;
  stack: string;
  phase?: Phase;
  /** Full config keys (`homelab:cluster`) to their string form, as the CLI passes them. */
  config: Record<string, string>;
  secretKeys: string[];
  /**
   * Outputs of the stacks a StackReference may read, by fully qualified name.
   * A name not listed is a stack that does not exist, and reading it fails as in the engine.
   */
  stackReferences?: Record<string, Record<string, unknown>>;
}

const rpc = pulumi.runtime as unknown as {
  deserializeProperties(struct: unknown, keepUnknowns?: boolean): Record<string, unknown>;
  specialSigKey: string;
  specialSecretSig: string;
  specialResourceSig: string;
  unknownValue: string;
  getMonitor(): MockMonitorLike;
  waitForRPCs(): Promise<void>;
  runInPulumiStack(init: () => Promise<unknown>): Promise<unknown>;
};

/** The engine's wire sentinel for a value not known until deploy. */
export const UNKNOWN_WIRE = rpc.unknownValue;
const secretSig = { key: rpc.specialSigKey, secret: rpc.specialSecretSig, resource: rpc.specialResourceSig };

interface Struct {
  toJavaScript(): Record<string, unknown>;
}
interface AliasSpecProto {
  getName(): string;
  getType(): string;
  getStack(): string;
  getProject(): string;
  getParenturn(): string;
  getNoparent(): boolean;
}
interface AliasProto {
  getUrn(): string;
  getSpec(): AliasSpecProto | undefined;
}
interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getObject(): Struct;
  getDependenciesList(): string[];
  getPropertydependenciesMap(): { forEach(cb: (v: { getUrnsList(): string[] }, k: string) => void): void };
  getProvider(): string;
  getVersion(): string;
  getProtect(): boolean;
  getRetainondelete(): boolean;
  getDeletebeforereplace(): boolean;
  getDeletebeforereplacedefined(): boolean;
  getIgnorechangesList(): string[];
  getReplaceonchangesList(): string[];
  getAdditionalsecretoutputsList(): string[];
  getAliasesList(): AliasProto[];
  getDeletedwith(): string;
  getImportid(): string;
  getCustomtimeouts(): { getCreate(): string; getUpdate(): string; getDelete(): string } | undefined;
}
interface ReadRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getId(): string;
  getProperties(): Struct;
  getProvider(): string;
  getDependenciesList(): string[];
  getVersion(): string;
}
interface OutputsRequest {
  getUrn(): string;
  getOutputs(): Struct | undefined;
}
interface MockMonitorLike {
  newUrn(parent: string, type: string, name: string): string;
  registerResource(req: RegisterRequest, callback: (err: unknown, resp?: { getUrn(): string; getObject(): Struct }) => void): Promise<void>;
  readResource(req: ReadRequest, callback: (err: unknown, resp?: { getUrn(): string; getProperties(): Struct }) => void): Promise<void>;
  registerResourceOutputs(req: OutputsRequest, callback: (err: unknown, resp?: unknown) => void): void;
}

const rootStackType = "pulumi:pulumi:Stack";

/** The URN the engine gives a resource: the parent's whole type chain, the root stack left out. */
export function engineUrn(stack: string, project: string, parentUrn: string, type: string, name: string): string {
  const parentType = parentUrn ? parentUrn.split("::")[2] : "";
  const qualified = parentType && parentType !== rootStackType ? `${parentType}$${type}` : type;
  return `urn:pulumi:${stack}::${project}::${qualified}::${name}`;
}

/** A provider reference (`<urn>::<id>`) without its ID. */
export const providerUrnOf = (ref: string): string => (ref ? ref.slice(0, ref.lastIndexOf("::")) : "");

/** The engine's default provider for a package at a version: `default_4_21_2`. */
export function defaultProviderUrn(stack: string, project: string, pkg: string, version: string): string {
  const name = version ? `default_${version.replace(/[.+-]/g, "_")}` : "default";
  return engineUrn(stack, project, "", `pulumi:providers:${pkg}`, name);
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** True when a wire value holds an unknown anywhere. */
export function hasUnknown(value: unknown): boolean {
  if (value === UNKNOWN_WIRE) return true;
  if (Array.isArray(value)) return value.some(hasUnknown);
  if (isRecord(value)) return Object.values(value).some(hasUnknown);
  return false;
}

/** Wire form to the form people read: "[secret]", "[unknown]", resource references as their URN. */
export function sanitize(value: unknown): unknown {
  if (value === UNKNOWN_WIRE || value === pulumi.runtime.unknownValue) return UNKNOWN;
  if (Array.isArray(value)) return value.map(sanitize);
  if (isRecord(value)) {
    const sig = value[secretSig.key];
    if (sig === secretSig.secret) return SECRET;
    if (sig === secretSig.resource) return value.urn;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, sanitize(v)]));
  }
  return value;
}

/** Resolves an alias to a URN the way the engine does: unset parts default to the resource's own. */
export function aliasUrn(alias: AliasProto, self: { stack: string; project: string; type: string; name: string; parentUrn: string }): string {
  const spec = alias.getSpec();
  if (!spec) return alias.getUrn();
  const parent = spec.getNoparent() ? "" : spec.getParenturn() || self.parentUrn;
  return engineUrn(spec.getStack() || self.stack, spec.getProject() || self.project, parent, spec.getType() || self.type, spec.getName() || self.name);
}

/** What `omnictl kubeconfig --service-account` prints, in shape (the values are fake). */
const mockKubeconfig = [
  "apiVersion: v1",
  "kind: Config",
  "clusters: [{ name: mock, cluster: { server: \"https://omni.homelab.example:8100/\" } }]",
  "users: [{ name: mock, user: { token: mock-service-account-token } }]",
  "contexts: [{ name: mock, context: { cluster: mock, user: mock } }]",
  "current-context: mock",
].join("\n");

/** Outputs the mocks give, after a real deploy, to resources whose outputs come from their provider. */
function deployedState(args: pulumi.runtime.MockResourceArgs): Record<string, unknown> {
  switch (args.type) {
    case "tls:index/privateKey:PrivateKey":
      return { ...args.inputs, privateKeyPem: "mock-private-key", publicKeyPem: "mock-public-key", publicKeyOpenssh: "ssh-ed25519 AAAAmock" };
    case "tls:index/selfSignedCert:SelfSignedCert":
      return { ...args.inputs, certPem: "-----BEGIN CERTIFICATE-----\nmock\n-----END CERTIFICATE-----" };
    case "random:index/randomPassword:RandomPassword":
      return { ...args.inputs, result: "mock-random-password" };
    case "random:index/randomString:RandomString": {
      // As long as asked, from the classes allowed (lowercase letters and digits unless upper or special are on).
      const length = Number(args.inputs.length ?? 16);
      return { ...args.inputs, result: "mock0random0string0".repeat(Math.ceil(length / 19)).slice(0, length) };
    }
    case "random:index/randomBytes:RandomBytes": {
      const bytes = Buffer.alloc(Number(args.inputs.length ?? 32), 7);
      return { ...args.inputs, base64: bytes.toString("base64"), hex: bytes.toString("hex") };
    }
    case "command:local:Command":
    case "command:remote:Command":
      return { ...args.inputs, stdout: String(args.inputs.create ?? "").includes("omnictl kubeconfig") ? mockKubeconfig : "", stderr: "" };
    case "oci:Core/instance:Instance":
      return { ...args.inputs, bootVolumeId: `ocid1.bootvolume.oc1..mock${args.name}`, privateIp: (args.inputs.createVnicDetails as { privateIp?: string } | undefined)?.privateIp };
    case "twingate:index/twingateServiceAccountKey:TwingateServiceAccountKey":
      // The provider returns the key as the JSON document Twingate's headless client reads (here, its shape only).
      return { ...args.inputs, token: JSON.stringify({ version: "1", network: "mock.twingate.com", service_account_id: "mock", private_key: "mock", key_id: "mock", expires_at: null, login_path: "/api/v4/headless/login" }) };
    case "proxmoxve:user/token:Token":
      // The provider returns the whole token, <user>!<name>=<secret>, when it creates one.
      return { ...args.inputs, value: `${String(args.inputs.userId)}!${String(args.inputs.tokenName)}=00000000-0000-0000-0000-000000000000` };
    case "oci:Core/publicIp:PublicIp":
      return { ...args.inputs, ipAddress: "198.51.100.7" };
    default:
      return { ...args.inputs };
  }
}

function mockCall(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
  if (args.token === "oci:Core/getPrivateIps:getPrivateIps") {
    // The data source echoes its arguments, as OCI's does.
    return { ...args.inputs, privateIps: [{ id: "ocid1.privateip.oc1..mock", ipAddress: args.inputs.ipAddress, subnetId: args.inputs.subnetId }] };
  }
  return args.inputs;
}

/**
 * Runs the program (the function index.ts runs) for `opts.stack` and returns
 * what it registered. Throws what the program throws (a ConfigError for bad config).
 */
export async function runProgram(opts: RunOptions): Promise<ProgramRun> {
  return recordResources(opts, homelab);
}

/** Runs `program` inside a mocked Pulumi stack and records every resource as the engine would hold it. */
export async function recordResources(opts: RunOptions, program: () => unknown): Promise<ProgramRun> {
  const project = opts.project ?? "homelab";
  const stack = opts.stack;
  const phase = opts.phase ?? "update";
  const preview = phase === "preview";
  const records = new Map<string, RecordedResource>();
  /** Providers whose configuration holds an unknown: their resources get no outputs in preview. */
  const unconfiguredProviders = new Set<string>();

  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        if (args.type === "pulumi:pulumi:StackReference") {
          const name = String(args.inputs.name);
          const outputs = opts.stackReferences?.[name];
          // The engine's backend refuses a stack it does not have.
          if (outputs === undefined) throw new Error(`unknown stack "${name}"`);
          // Every output counts as secret: the cloud stack's `omni` holds its service-account key.
          return { id: name, state: { name, outputs, secretOutputNames: Object.keys(outputs) } };
        }
        if (!args.custom) return { id: undefined, state: {} };
        if (!preview || args.type.startsWith("pulumi:providers:")) return { id: `${args.name}-id`, state: deployedState(args) };
        // Preview of a create: outputs the program did not set stay unknown; none at all behind an unconfigured provider.
        if (unconfiguredProviders.has(providerUrnOf(args.provider ?? ""))) return { id: undefined, state: {} };
        return { id: undefined, state: { ...args.inputs } };
      },
      call: mockCall,
    },
    project,
    stack,
    preview,
  );
  pulumi.runtime.setAllConfig(opts.config, opts.secretKeys);

  const monitor = rpc.getMonitor();
  // The mock monitor keeps only the parent's last type in a URN; the engine keeps the whole chain.
  monitor.newUrn = (parent, type, name) => engineUrn(stack, project, parent, type, name);
  const record = (r: RecordedResource) => records.set(r.urn, r);
  const baseOptions = (): RecordedOptions => ({
    protect: false,
    retainOnDelete: false,
    ignoreChanges: [],
    replaceOnChanges: [],
    additionalSecretOutputs: [],
    aliases: [],
    dependsOn: [],
  });

  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) => {
    const wireInputs = req.getObject().toJavaScript();
    const parentUrn = req.getParent();
    const urn = engineUrn(stack, project, parentUrn, req.getType(), req.getName());
    if (req.getType().startsWith("pulumi:providers:") && hasUnknown(wireInputs)) unconfiguredProviders.add(urn);
    return register(req, (err, resp) => {
      if (!err && resp) {
        const propertyDependencies: Record<string, string[]> = {};
        req.getPropertydependenciesMap().forEach((v, k) => (propertyDependencies[k] = v.getUrnsList()));
        const fromInputs = new Set(Object.values(propertyDependencies).flat());
        const type = req.getType();
        const custom = req.getCustom();
        const providerRef = providerUrnOf(req.getProvider());
        const timeouts = req.getCustomtimeouts();
        const isProvider = type.startsWith("pulumi:providers:");
        const unconfigured = custom && !isProvider && unconfiguredProviders.has(providerRef);
        const options: RecordedOptions = {
          ...baseOptions(),
          protect: req.getProtect(),
          retainOnDelete: req.getRetainondelete(),
          ...(req.getDeletebeforereplacedefined() ? { deleteBeforeReplace: req.getDeletebeforereplace() } : {}),
          ignoreChanges: req.getIgnorechangesList(),
          replaceOnChanges: req.getReplaceonchangesList(),
          additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
          aliases: req.getAliasesList().map((a) => aliasUrn(a, { stack, project, type, name: req.getName(), parentUrn })),
          dependsOn: req.getDependenciesList().filter((d) => !fromInputs.has(d)),
          ...(req.getDeletedwith() ? { deletedWith: req.getDeletedwith() } : {}),
          ...(timeouts && (timeouts.getCreate() || timeouts.getUpdate() || timeouts.getDelete())
            ? { customTimeouts: { create: timeouts.getCreate() || undefined, update: timeouts.getUpdate() || undefined, delete: timeouts.getDelete() || undefined } }
            : {}),
          ...(req.getImportid() ? { importId: req.getImportid() } : {}),
        };
        const pkg = type.split(":")[0];
        const provider = !custom || isProvider ? null : providerRef || defaultProviderUrn(stack, project, pkg, req.getVersion());
        record({
          type,
          name: req.getName(),
          urn: resp.getUrn(),
          parent: null,
          parentUrn: parentUrn || null,
          custom,
          external: false,
          provider,
          dependencies: req.getDependenciesList(),
          propertyDependencies,
          inputs: sanitize(wireInputs) as Record<string, unknown>,
          wireInputs,
          // Preview: what the provider's preview hands back (nothing behind an unconfigured provider); update: the deployed state.
          wireOutputs: !custom ? {} : preview && !isProvider ? (unconfigured ? {} : wireInputs) : resp.getObject().toJavaScript(),
          options,
        });
      }
      callback(err, resp);
    });
  };

  const read = monitor.readResource.bind(monitor);
  monitor.readResource = (req, callback) =>
    read(req, (err, resp) => {
      if (!err && resp) {
        const wireInputs = req.getProperties().toJavaScript();
        const providerRef = providerUrnOf(req.getProvider());
        record({
          type: req.getType(),
          name: req.getName(),
          urn: resp.getUrn(),
          parent: null,
          parentUrn: req.getParent() || null,
          custom: true,
          external: true,
          // StackReferences are read by the engine itself, not by a provider plugin.
          provider: req.getType() === "pulumi:pulumi:StackReference" ? null : providerRef || defaultProviderUrn(stack, project, req.getType().split(":")[0], req.getVersion()),
          dependencies: req.getDependenciesList(),
          propertyDependencies: {},
          inputs: sanitize(wireInputs) as Record<string, unknown>,
          wireInputs,
          wireOutputs: resp.getProperties().toJavaScript(),
          options: baseOptions(),
        });
      }
      callback(err, resp);
    });

  const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
  monitor.registerResourceOutputs = (req, callback) => {
    const existing = records.get(req.getUrn());
    if (existing) existing.wireOutputs = req.getOutputs()?.toJavaScript() ?? {};
    registerOutputs(req, callback);
  };

  // As the Node.js runtime does, a rejection nobody handles (a failed read's own promise) fails the run.
  const unhandled: unknown[] = [];
  const onUnhandled = (err: unknown) => void unhandled.push(err);
  process.on("unhandledRejection", onUnhandled);
  let programError: unknown;
  try {
    await rpc.runInPulumiStack(async () => {
      try {
        return await program();
      } catch (err) {
        programError = err;
        return {};
      }
    });
    await rpc.waitForRPCs();
  } catch (err) {
    programError ??= err;
  } finally {
    // Give promises rejected during the run a turn to be reported.
    await new Promise((resolve) => setImmediate(resolve));
    process.off("unhandledRejection", onUnhandled);
  }
  if (programError) throw programError;
  if (unhandled.length > 0) throw unhandled[0];

  const all = [...records.values()];
  const stackRecord = all.find((r) => r.type === rootStackType);
  if (!stackRecord) throw new Error("the program registered no root stack resource");
  const byUrn = new Map(all.map((r) => [r.urn, r]));
  const resources = all
    .filter((r) => r.type !== rootStackType)
    .map((r) => {
      const parentUrn = r.parentUrn === stackRecord.urn ? null : r.parentUrn;
      return { ...r, parentUrn, parent: parentUrn ? (byUrn.get(parentUrn)?.name ?? null) : null };
    })
    // Registration order depends on async timing; URN order does not.
    .sort((a, b) => (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0));

  const defaultProviders = [...new Set(resources.map((r) => r.provider).filter((p): p is string => p !== null && !byUrn.has(p)))].sort().map(
    (urn): RecordedResource => {
      const name = urn.split("::").pop() as string;
      const version = name.startsWith("default_") ? name.slice("default_".length).replace(/_/g, ".") : "";
      const inputs = version ? { version } : {};
      return { type: urn.split("::")[2], name, urn, parent: null, parentUrn: null, custom: true, external: false, provider: null, dependencies: [], propertyDependencies: {}, inputs, wireInputs: inputs, wireOutputs: inputs, options: baseOptions() };
    },
  );
  // The stack's outputs reached the engine through registerResourceOutputs on the root resource.
  return { stack, project, phase, resources, defaultProviders, root: stackRecord, outputs: sanitize(stackRecord.wireOutputs) as Record<string, unknown> };
}
