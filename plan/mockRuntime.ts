// Runs the real program (index.ts) for one stack under Pulumi's mock
// runtime: no CLI, no provider calls. Every registered resource is recorded
// with its parent, dependencies and inputs, secrets replaced by "[secret]".
import * as pulumi from "@pulumi/pulumi";
import { homelab } from "../stacks";

export const SECRET = "[secret]";
export const UNKNOWN = "[unknown]";

export interface RecordedResource {
  type: string;
  name: string;
  urn: string;
  parent: string | null;
  parentUrn: string | null;
  custom: boolean;
  dependencies: string[];
  inputs: Record<string, unknown>;
}

export interface ProgramRun {
  stack: string;
  resources: RecordedResource[];
  outputs: Record<string, unknown>;
}

export interface RunOptions {
  project?: string;
  stack: string;
  /** Full config keys (`homelab:cluster`) to their string form, as the CLI passes them. */
  config: Record<string, string>;
  secretKeys: string[];
  /** Outputs the mocked StackReferences return, by referenced stack name. */
  stackReferences?: Record<string, Record<string, unknown>>;
}

const rpc = pulumi.runtime as unknown as {
  deserializeProperties(struct: unknown, keepUnknowns?: boolean): Record<string, unknown>;
  specialSigKey: string;
  specialSecretSig: string;
  specialResourceSig: string;
  getMonitor(): MockMonitorLike;
  waitForRPCs(): Promise<void>;
  runInPulumiStack(init: () => Promise<unknown>): Promise<unknown>;
};

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getObject(): unknown;
  getDependenciesList(): string[];
}

interface MockMonitorLike {
  registerResource(req: RegisterRequest, callback: (err: unknown, resp?: { getUrn(): string }) => void): Promise<void>;
}

/** Replaces secrets and unknowns with markers and resource references with their URN. */
export function sanitize(value: unknown): unknown {
  if (value === pulumi.runtime.unknownValue) return UNKNOWN;
  if (Array.isArray(value)) return value.map(sanitize);
  if (value !== null && typeof value === "object") {
    const record = value as Record<string, unknown>;
    const sig = record[rpc.specialSigKey];
    if (sig === rpc.specialSecretSig) return SECRET;
    if (sig === rpc.specialResourceSig) return record.urn;
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, sanitize(v)]));
  }
  return value;
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

/** Outputs the mocks give resources whose real outputs come from their provider. */
function mockState(args: pulumi.runtime.MockResourceArgs, stackReferences: RunOptions["stackReferences"]): Record<string, unknown> {
  const id = `${args.name}-id`;
  switch (args.type) {
    case "pulumi:pulumi:StackReference": {
      const outputs = stackReferences?.[args.inputs.name as string] ?? {};
      return { ...args.inputs, outputs, secretOutputNames: Object.keys(outputs) };
    }
    case "tls:index/privateKey:PrivateKey":
      return { ...args.inputs, privateKeyPem: "mock-private-key", publicKeyPem: "mock-public-key", publicKeyOpenssh: "ssh-ed25519 AAAAmock" };
    case "tls:index/selfSignedCert:SelfSignedCert":
      return { ...args.inputs, certPem: "-----BEGIN CERTIFICATE-----\nmock\n-----END CERTIFICATE-----" };
    case "random:index/randomPassword:RandomPassword":
      return { ...args.inputs, result: "mock-random-password" };
    case "command:local:Command":
    case "command:remote:Command":
      return { ...args.inputs, stdout: String(args.inputs.create ?? "").includes("omnictl kubeconfig") ? mockKubeconfig : "", stderr: "" };
    case "oci:Core/instance:Instance":
      return { ...args.inputs, bootVolumeId: `ocid1.bootvolume.oc1..mock${args.name}`, id };
    case "oci:Core/publicIp:PublicIp":
      return { ...args.inputs, ipAddress: "198.51.100.7" };
    default:
      return { ...args.inputs, id };
  }
}

function mockCall(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
  if (args.token === "oci:Core/getPrivateIps:getPrivateIps") {
    return { privateIps: [{ id: "ocid1.privateip.oc1..mock", ipAddress: args.inputs.ipAddress }] };
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

/** Runs `program` inside a mocked Pulumi stack and records every resource it registers. */
export async function recordResources(opts: RunOptions, program: () => unknown): Promise<ProgramRun> {
  const project = opts.project ?? "homelab";
  const records: RecordedResource[] = [];

  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        const state = mockState(args, opts.stackReferences);
        return { id: (state.id as string | undefined) ?? `${args.name}-id`, state };
      },
      call: mockCall,
    },
    project,
    opts.stack,
    false,
  );
  pulumi.runtime.setAllConfig(opts.config, opts.secretKeys);

  const monitor = rpc.getMonitor();
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) =>
    register(req, (err, resp) => {
      if (!err && resp) {
        records.push({
          type: req.getType(),
          name: req.getName(),
          urn: resp.getUrn(),
          parent: null,
          parentUrn: req.getParent() || null,
          custom: req.getCustom(),
          dependencies: req.getDependenciesList(),
          inputs: sanitize(rpc.deserializeProperties(req.getObject(), true)) as Record<string, unknown>,
        });
      }
      callback(err, resp);
    });

  let programError: unknown;
  const outputs = (await rpc.runInPulumiStack(async () => {
    try {
      return await program();
    } catch (err) {
      programError = err;
      return {};
    }
  })) as Record<string, unknown>;
  await rpc.waitForRPCs();
  if (programError) throw programError;

  const byUrn = new Map(records.map((r) => [r.urn, r]));
  const stackUrn = records.find((r) => r.type === "pulumi:pulumi:Stack")?.urn;
  const resources = records
    .filter((r) => r.type !== "pulumi:pulumi:Stack")
    .map((r) => {
      const parentUrn = r.parentUrn === stackUrn ? null : r.parentUrn;
      return { ...r, parentUrn, parent: parentUrn ? (byUrn.get(parentUrn)?.name ?? null) : null };
    })
    // Registration order depends on async timing; URN order does not.
    .sort((a, b) => (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0));
  return { stack: opts.stack, resources, outputs: sanitize(outputs) as Record<string, unknown> };
}
