// Reads a committed Pulumi.<stack>.yaml the way the Pulumi CLI hands it to
// the program: full keys (`namespace:name`), scalars as their text, structured
// values as JSON, keys stored with `secure:` marked secret. Keys of other
// namespaces (`proxmoxve:`, `oci:`) pass through untouched, as the CLI passes
// them; the program ignores them. The plan cannot decrypt `secure:` values, so
// they become stand-ins; a required secret written in plain text stays plain
// text, and the program refuses it exactly as a real run would.
//
// A file the CLI itself would refuse (YAML syntax, duplicate keys, tabs,
// alias bombs, a key without a namespace) is refused here with one line per
// problem, naming the file, line and column.
import * as fs from "fs";
import * as path from "path";
import { LineCounter, isPair, isScalar, isSeq, parseDocument, visit } from "yaml";
import { NAMESPACE, RawConfig, rawConfigFrom, validateConfig } from "../config/load";
import { CloudConfig, DevConfig, ProdConfig, StackKind, requiredSecrets } from "../config/schema";

export interface Placeholder {
  key: string;
  value: string;
  note: string;
}

export interface StackFile {
  /** Full config keys to the strings the CLI would pass. */
  config: Record<string, string>;
  /** Full keys stored encrypted in the file (their values above are stand-ins). */
  secretKeys: string[];
  placeholders: Placeholder[];
}

/** A stack file the CLI would not load: one problem per line. */
export class StackFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file} cannot be read:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "StackFileError";
  }
}

export const projectRoot = path.resolve(__dirname, "..", fs.existsSync(path.resolve(__dirname, "..", "Pulumi.yaml")) ? "" : "..");

export function stackFilePath(stack: string, root = projectRoot): string {
  return path.join(root, `Pulumi.${stack}.yaml`);
}

/** The stand-in for a secret the plan cannot (or need not) decrypt; the leak check refuses any output holding one. */
export const secretStandIn = (key: string) => `fake-${key.replace(/[^A-Za-z0-9-]/g, "-")}-for-offline-plan`;

const isSecure = (v: unknown): v is { secure: string } =>
  v !== null && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 1 && typeof (v as { secure?: unknown }).secure === "string";

/** Replaces every `secure:` leaf with a stand-in; says whether there was one. */
function withStandIns(value: unknown, key: string): { value: unknown; secret: boolean } {
  if (isSecure(value)) return { value: secretStandIn(key), secret: true };
  if (Array.isArray(value)) {
    const items = value.map((v) => withStandIns(v, key));
    return { value: items.map((i) => i.value), secret: items.some((i) => i.secret) };
  }
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).map(([k, v]) => [k, withStandIns(v, key)] as const);
    const out: Record<string, unknown> = Object.create(null);
    for (const [k, v] of entries) out[k] = v.value;
    return { value: out, secret: entries.some(([, v]) => v.secret) };
  }
  return { value, secret: false };
}

/** Config keys as the CLI accepts them: `namespace:name`, or the old `namespace:config:name`. */
function normalizeKey(key: string): string | undefined {
  const m = /^([A-Za-z0-9_.-]+):(?:config:)?([^:\s][^\s]*)$/.exec(key);
  return m ? `${m[1]}:${m[2]}` : undefined;
}

/** The string the CLI passes for a value: scalars as their text, structures as JSON. */
function asCliString(value: unknown): string {
  if (value === null || value === undefined) return "";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

export function parseStackFile(text: string, file = "stack file"): StackFile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false, lineCounter: lines });
  const where = (offset: number) => {
    const pos = lines.linePos(offset);
    return `${file}:${pos.line}:${pos.col}`;
  };
  const problems = doc.errors.map((e) => `${where(e.pos[0])}: ${e.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "")}`);
  if (problems.length > 0) throw new StackFileError(file, problems);
  let js: unknown;
  try {
    js = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw new StackFileError(file, [`${file}: ${(err as Error).message}; expected plain YAML without alias expansion`]);
  }
  const top = (js ?? {}) as Record<string, unknown>;
  if (typeof top !== "object" || Array.isArray(top)) throw new StackFileError(file, [`${file}: expected a mapping with a config section`]);
  const values = top.config ?? {};
  if (typeof values !== "object" || values === null || Array.isArray(values)) throw new StackFileError(file, [`${file}: config: expected a mapping of namespace:key to values`]);

  const config: Record<string, string> = Object.create(null);
  const secretKeys: string[] = [];
  for (const [rawKey, rawValue] of Object.entries(values)) {
    const key = normalizeKey(rawKey);
    if (!key) {
      problems.push(`${file}: config key "${rawKey}": expected namespace:name, e.g. ${NAMESPACE}:cluster`);
      continue;
    }
    if (Object.hasOwn(config, key)) {
      problems.push(`${file}: config key "${rawKey}": ${key} is set twice`);
      continue;
    }
    const { value, secret } = withStandIns(rawValue, key);
    config[key] = asCliString(value);
    if (secret) secretKeys.push(key);
  }
  if (problems.length > 0) throw new StackFileError(file, problems);

  const placeholders: Placeholder[] = [];
  visit(doc, {
    Scalar(_key, node, ancestors) {
      if (!node.comment || !/PLACEHOLDER/.test(node.comment)) return;
      let key = "";
      ancestors.forEach((a, i) => {
        if (isPair(a) && isScalar(a.key) && String(a.key.value) !== "config") key += key ? `.${String(a.key.value)}` : String(a.key.value);
        if (isSeq(a)) {
          const next = ancestors[i + 1] ?? node;
          key += `[${a.items.indexOf(next as never)}]`;
        }
      });
      placeholders.push({ key, value: String(node.value), note: node.comment.replace(/^\s*PLACEHOLDER:?\s*/, "") });
    },
  });
  return { config, secretKeys, placeholders };
}

export function readStackFile(stack: string, root = projectRoot): StackFile {
  const file = stackFilePath(stack, root);
  return parseStackFile(fs.readFileSync(file, "utf8"), path.basename(file));
}

/**
 * The config a run of `stack` receives: the file's, plus stand-ins for the
 * required secrets the file does not hold (set with `pulumi config set
 * --secret` on a real machine). A required secret the file holds in plain
 * text is passed as it is, not as a secret.
 */
export function runConfig(stack: StackKind, file: StackFile): { config: Record<string, string>; secretKeys: string[] } {
  const config: Record<string, string> = Object.assign(Object.create(null), file.config);
  const secretKeys = [...file.secretKeys];
  for (const name of requiredSecrets[stack]) {
    const key = `${NAMESPACE}:${name}`;
    if (Object.hasOwn(config, key)) continue;
    config[key] = secretStandIn(key);
    secretKeys.push(key);
  }
  return { config, secretKeys };
}

/** A stack's config as the program reads it: its own namespace only (namespace stripped), other namespaces left out. */
export function programRawConfig(run: { config: Record<string, string>; secretKeys: string[] }): RawConfig {
  return rawConfigFrom(run.config, (key) => run.secretKeys.includes(key));
}

/** A committed stack's config as the program reads it, with stand-ins for the required secrets it lacks. */
export function committedRawConfig(stack: StackKind, root = projectRoot): RawConfig {
  return programRawConfig(runConfig(stack, readStackFile(stack, root)));
}

type ConfigOf = { cloud: CloudConfig; prod: ProdConfig; dev: DevConfig };

/** A committed stack's validated config, typed for its kind (what the delivery and gaming commands act on). */
export function committedConfig<K extends StackKind>(kind: K, root = projectRoot): ConfigOf[K] {
  // validateConfig returns the kind it was given; its signature cannot say so.
  return validateConfig(kind, committedRawConfig(kind, root)).config as ConfigOf[K];
}

/** What the cloud stack exports, faked for the home stacks' StackReference. */
export const fakeCloudOutputs = {
  omni: {
    endpoint: "https://omni.homelab.example:443",
    publicIp: "198.51.100.7",
    caCertPem: "-----BEGIN CERTIFICATE-----\nmock\n-----END CERTIFICATE-----",
    serviceAccountKey: secretStandIn("omni-service-account-key"),
  },
  backupStore: {
    provider: "oci",
    endpoint: "https://axabcdefghij.compat.objectstorage.eu-paris-1.oraclecloud.com",
    region: "eu-paris-1",
    bucket: "homelab-backups",
    accessKeyId: "0123456789abcdef0123456789abcdef01234567",
    secretAccessKey: secretStandIn("backup-store-secret-key"),
  },
};
