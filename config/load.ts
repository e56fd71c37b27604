// Turns a stack's raw configuration into typed, validated config. Nothing
// here registers a resource, so a bad value stops the program before
// anything is created.
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import {
  CloudConfig,
  DevConfig,
  ProdConfig,
  StackKind,
  cloudConfigSchema,
  cloudIssues,
  devConfigSchema,
  devIssues,
  prodConfigSchema,
  prodIssues,
  requiredSecrets,
  optionalSecrets,
  stackKinds,
  type BackupConfig,
} from "./schema";

export const NAMESPACE = "homelab";

export type StackConfig =
  | { kind: "cloud"; stack: string; config: CloudConfig }
  | { kind: "prod"; stack: string; config: ProdConfig }
  | { kind: "dev"; stack: string; config: DevConfig };

/**
 * Raised for any invalid configuration; lists every problem, one per line.
 * A RunError, so the Pulumi CLI prints its message alone, without a trace.
 */
export class ConfigError extends pulumi.RunError {
  constructor(
    readonly stackName: string,
    readonly problems: string[],
  ) {
    super(`Invalid configuration for stack '${stackName}':\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** How deep a config value may nest: the deepest key the schema knows is 5 levels down. */
export const maxConfigDepth = 16;

/** How deep `value` nests objects and lists (a scalar is 0), stopping once past `limit`. */
export function nestingDepth(value: unknown, limit = maxConfigDepth): number {
  if (value === null || typeof value !== "object") return 0;
  if (limit < 0) return 1;
  const children = Object.values(value as Record<string, unknown>);
  return 1 + children.reduce<number>((deepest, v) => Math.max(deepest, nestingDepth(v, limit - 1)), 0);
}

/** Raw input: the stack's `homelab:` keys (namespace removed) and which of them are stored as secrets. */
export interface RawConfig {
  values: Record<string, unknown>;
  secretKeys: ReadonlySet<string>;
}

function formatPath(path: PropertyKey[]): string {
  return path.reduce<string>((acc, part) => (typeof part === "number" ? `${acc}[${part}]` : `${acc}.${String(part)}`), NAMESPACE).replace(`${NAMESPACE}.`, `${NAMESPACE}:`);
}

function valueAt(root: unknown, path: PropertyKey[]): unknown {
  return path.reduce<unknown>((node, part) => (node !== null && typeof node === "object" ? (node as Record<PropertyKey, unknown>)[part] : undefined), root);
}

function show(value: unknown): string {
  if (value === undefined) return "(missing)";
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function describeIssue(root: unknown, issue: { path: PropertyKey[]; message: string; code?: string; keys?: string[] }): string[] {
  if (issue.code === "unrecognized_keys" && issue.keys) {
    return issue.keys.map((key) => `${formatPath([...issue.path, key])}: unknown key; expected one of the documented keys (see docs/configuration.md)`);
  }
  return [`${formatPath(issue.path)} = ${show(valueAt(root, issue.path))}: ${issue.message}`];
}

/** One line per issue, naming the key path, the value found there and what is expected. */
export function describeIssues(root: unknown, issues: { path: PropertyKey[]; message: string }[]): string[] {
  return issues.flatMap((issue) => describeIssue(root, issue));
}

const schemas = {
  cloud: [cloudConfigSchema, cloudIssues],
  prod: [prodConfigSchema, prodIssues],
  dev: [devConfigSchema, devIssues],
} as const;

/**
 * Validates a stack's raw config. Throws ConfigError naming the stack, each
 * bad key path, its value and what is expected.
 */
export function validateConfig(stack: string, raw: RawConfig): StackConfig {
  if (!(stackKinds as readonly string[]).includes(stack)) {
    throw new ConfigError(stack, [`stack name '${stack}': expected one of ${stackKinds.join(", ")}`]);
  }
  const kind = stack as StackKind;
  const secretNames = requiredSecrets[kind];
  // No prototype: a key named __proto__ stays a key (and is refused as unknown).
  const plain: Record<string, unknown> = Object.create(null);
  const problems: string[] = [];

  for (const [key, value] of Object.entries(raw.values)) {
    if (secretNames.includes(key) || optionalSecrets.includes(key)) continue;
    if (raw.secretKeys.has(key)) {
      problems.push(`${NAMESPACE}:${key}: unknown secret; expected one of ${[...secretNames, ...optionalSecrets].join(", ")}`);
      continue;
    }
    if (nestingDepth(value) > maxConfigDepth) {
      problems.push(`${NAMESPACE}:${key}: nested more than ${maxConfigDepth} levels deep; expected the shape in docs/configuration.md`);
      continue;
    }
    plain[key] = value;
  }
  if (problems.some((p) => p.includes("levels deep"))) throw new ConfigError(stack, problems);
  for (const secret of secretNames) {
    if (!Object.hasOwn(raw.values, secret)) {
      problems.push(`${NAMESPACE}:${secret} = (missing): expected a secret, set it with \`pulumi config set --secret ${secret} <value>\``);
    } else if (!raw.secretKeys.has(secret)) {
      problems.push(`${NAMESPACE}:${secret} = [plaintext]: expected an encrypted value, set it with \`pulumi config set --secret ${secret} <value>\``);
    }
  }

  const [schema, crossChecks] = schemas[kind];
  const parsed = (schema as z.ZodType).safeParse(plain);
  if (!parsed.success) {
    problems.push(...parsed.error.issues.flatMap((issue) => describeIssue(plain, issue as never)));
    throw new ConfigError(stack, problems);
  }
  problems.push(...describeIssues(plain, (crossChecks as (c: unknown) => { path: PropertyKey[]; message: string }[])(parsed.data)));
  problems.push(...optionalSecretIssues(raw, (parsed.data as { backup: BackupConfig }).backup));
  if (problems.length > 0) throw new ConfigError(stack, problems);
  return { kind, stack, config: parsed.data } as StackConfig;
}

/** The OVH bucket's secret key: required with backup.offsite.target ovh, refused without it (nothing unused lies in the config). */
function optionalSecretIssues(raw: RawConfig, backup: BackupConfig): string[] {
  const key = "backupS3SecretAccessKey";
  const has = Object.hasOwn(raw.values, key);
  if (backup.offsite.target === "ovh") {
    if (!has) return [`${NAMESPACE}:${key} = (missing): expected the OVH bucket's secret key (backup.offsite.target is ovh), set it with \`pulumi config set --secret ${key} <value>\``];
    if (!raw.secretKeys.has(key)) return [`${NAMESPACE}:${key} = [plaintext]: expected an encrypted value, set it with \`pulumi config set --secret ${key} <value>\``];
    return [];
  }
  return has ? [`${NAMESPACE}:${key}: expected nothing: only the ovh offsite target takes a secret key (backup.offsite.target is ${backup.offsite.target})`] : [];
}

// The SDK knows which keys the CLI stored encrypted; the function is marked internal in its typings.
const runtimeSecrets = pulumi.runtime as unknown as { isConfigSecret(key: string): boolean };

/**
 * The program's own keys out of everything the CLI passes (`namespace:name`
 * to its text): namespace stripped, other namespaces left out. The record
 * has no prototype, so a key named `__proto__` is a key like any other (and
 * refused as unknown).
 */
export function rawConfigFrom(all: Record<string, string>, isSecret: (fullKey: string) => boolean): RawConfig {
  const values: Record<string, unknown> = Object.create(null);
  const secretKeys = new Set<string>();
  for (const [fullKey, text] of Object.entries(all)) {
    const colon = fullKey.indexOf(":");
    if (colon < 0 || fullKey.slice(0, colon) !== NAMESPACE) continue;
    const key = fullKey.slice(colon + 1);
    values[key] = parseConfigValue(text);
    if (isSecret(fullKey)) secretKeys.add(key);
  }
  return { values, secretKeys };
}

/** Reads the running stack's `homelab:` config from the Pulumi runtime. */
export function readRawConfig(): RawConfig {
  return rawConfigFrom(pulumi.runtime.allConfig(), (key) => runtimeSecrets.isConfigSecret(key));
}

/** Structured values arrive as JSON text; scalars as plain strings. */
export function parseConfigValue(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
    try {
      return JSON.parse(trimmed);
    } catch {
      return text;
    }
  }
  return text;
}

/** A required secret of this stack, as a secret Output. Only call after validateConfig. */
export function secret(name: string): pulumi.Output<string> {
  return new pulumi.Config(NAMESPACE).requireSecret(name);
}
