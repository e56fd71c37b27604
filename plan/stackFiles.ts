// Reads a committed Pulumi.<stack>.yaml the way the Pulumi CLI hands it to
// the program (full keys, JSON text for structured values), and lists the
// values marked "# PLACEHOLDER".
import * as fs from "fs";
import * as path from "path";
import { isPair, isScalar, isSeq, parseDocument, visit } from "yaml";
import { NAMESPACE, parseConfigValue } from "../config/load";
import { StackKind, requiredSecrets } from "../config/schema";

export interface Placeholder {
  key: string;
  value: string;
  note: string;
}

export interface StackFile {
  /** Full config keys to the strings the CLI would pass. */
  config: Record<string, string>;
  placeholders: Placeholder[];
}

export const projectRoot = path.resolve(__dirname, "..", fs.existsSync(path.resolve(__dirname, "..", "Pulumi.yaml")) ? "" : "..");

export function stackFilePath(stack: string, root = projectRoot): string {
  return path.join(root, `Pulumi.${stack}.yaml`);
}

export function parseStackFile(text: string, file = "stack file"): StackFile {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0].message}`);
  const values = (doc.toJS() as { config?: Record<string, unknown> } | null)?.config ?? {};
  const config = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
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
  return { config, placeholders };
}

export function readStackFile(stack: string, root = projectRoot): StackFile {
  const file = stackFilePath(stack, root);
  return parseStackFile(fs.readFileSync(file, "utf8"), path.basename(file));
}

/** Obviously fake values for a stack's required secrets, so the plan runs without any. */
export function fakeSecrets(kind: StackKind): { config: Record<string, string>; secretKeys: string[] } {
  const names = requiredSecrets[kind];
  return {
    config: Object.fromEntries(names.map((n) => [`${NAMESPACE}:${n}`, `fake-${n}-for-offline-plan`])),
    secretKeys: names.map((n) => `${NAMESPACE}:${n}`),
  };
}

/** A committed stack's config as the program reads it (namespace stripped), with fake required secrets. */
export function committedRawConfig(stack: StackKind, root = projectRoot): { values: Record<string, unknown>; secretKeys: Set<string> } {
  const file = readStackFile(stack, root);
  const secrets = fakeSecrets(stack);
  const values: Record<string, unknown> = {};
  for (const [k, v] of Object.entries({ ...file.config, ...secrets.config })) values[k.slice(NAMESPACE.length + 1)] = parseConfigValue(v);
  return { values, secretKeys: new Set(secrets.secretKeys.map((k) => k.slice(NAMESPACE.length + 1))) };
}

/** What the cloud stack exports, faked for the home stacks' StackReference. */
export const fakeCloudOutputs = {
  omni: {
    endpoint: "https://omni.homelab.example:443",
    publicIp: "198.51.100.7",
    caCertPem: "-----BEGIN CERTIFICATE-----\nmock\n-----END CERTIFICATE-----",
    serviceAccountKey: "fake-omni-service-account-key-for-offline-plan",
  },
};
