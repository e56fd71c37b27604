// The identity of a stack: every URN with what decides its fate on the next
// `pulumi up` (type, parent, provider, the options, and the inputs whose change
// replaces it). A committed snapshot of it per stack (test/identity/) is
// compared with a fresh run: a URN that disappears without an alias is a
// delete, a changed replacement input is a replace. This is the offline form
// of "upgrade the program and see that nothing is replaced".
import { ProgramRun, RecordedResource } from "./mockRuntime";

export interface IdentityEntry {
  urn: string;
  type: string;
  parent: string | null;
  /** Provider URN; the engine's default providers are named without their version (a package bump does not replace). */
  provider: string | null;
  protect: boolean;
  retainOnDelete: boolean;
  deleteBeforeReplace?: boolean;
  ignoreChanges: string[];
  replaceOnChanges: string[];
  aliases: string[];
  dependsOn: string[];
  /** An `import` ID: on a stack without this resource it is adopted; where the ID in state differs, it is import-replaced. */
  importId?: string;
  /** The inputs whose change replaces the resource, with their values (secrets shown as "[secret]"). */
  replaceKeys: Record<string, unknown>;
}

/**
 * Inputs a provider replaces the resource on, for the types this program
 * creates ("*": every input). From the providers' schemas: bpg/proxmox
 * (vm_id and node_name force a new VM; a file, bridge or mapping is recreated
 * when its name or place changes), OCI (an instance's availability domain),
 * pulumi-kubernetes (an object's name and namespace, a release's name and
 * namespace), and the random and tls providers (every argument is ForceNew).
 * pulumi-command replaces only on `triggers`, which the SDK also declares as
 * replaceOnChanges.
 */
export const providerReplaceKeys: Record<string, string[] | "*"> = {
  "proxmoxve:index/vmLegacy:VmLegacy": ["vmId", "nodeName"],
  "proxmoxve:index/fileLegacy:FileLegacy": ["nodeName", "datastoreId", "contentType", "sourceFile"],
  "proxmoxve:network/linux/bridge:Bridge": ["nodeName", "name"],
  "proxmoxve:node/disk/zfs:Zfs": ["nodeName", "name", "raidlevel", "devices", "ashift"],
  "proxmoxve:hardware/mapping/pci:Pci": ["name"],
  "oci:Core/instance:Instance": ["availabilityDomain"],
  "oci:Core/vcn:Vcn": ["dnsLabel"],
  "oci:Core/subnet:Subnet": ["vcnId", "cidrBlock", "dnsLabel", "prohibitPublicIpOnVnic"],
  "kubernetes:helm.sh/v3:Release": ["name", "namespace"],
  "random:index/randomPassword:RandomPassword": "*",
  "tls:index/privateKey:PrivateKey": "*",
  "tls:index/selfSignedCert:SelfSignedCert": "*",
};

const kubernetesObject = (type: string) => type.startsWith("kubernetes:") && !type.startsWith("kubernetes:helm.sh/") && !type.startsWith("kubernetes:yaml/");

/** The value at a property path like `metadata.name` or `triggers[*]` (a trailing [*] means the whole list). */
function valueAt(inputs: Record<string, unknown>, path: string): unknown {
  return path
    .replace(/\[\*\]$/, "")
    .split(".")
    .reduce<unknown>((v, k) => (v !== null && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined), inputs);
}

function replaceKeysOf(r: RecordedResource): Record<string, unknown> {
  const declared = providerReplaceKeys[r.type];
  const keys = declared === "*" ? Object.keys(r.inputs) : [...(declared ?? []), ...(kubernetesObject(r.type) ? ["metadata.name", "metadata.namespace"] : []), ...r.options.replaceOnChanges];
  const ignored = new Set(r.options.ignoreChanges.map((k) => k.replace(/\[\*\]$/, "")));
  return Object.fromEntries(
    [...new Set(keys)]
      .sort()
      .filter((k) => !ignored.has(k.replace(/\[\*\]$/, "")))
      .map((k) => [k, valueAt(r.inputs, k) ?? null]),
  );
}

const defaultProvider = /^(urn:pulumi:[^:]+::[^:]+::pulumi:providers:[^:]+::default)(_[0-9_a-z]+)?$/;
const providerOf = (urn: string | null) => (urn === null ? null : urn.replace(defaultProvider, "$1"));

export function identityOf(run: ProgramRun): IdentityEntry[] {
  return run.resources.map((r) => ({
    urn: r.urn,
    type: r.type,
    parent: r.parentUrn,
    provider: providerOf(r.provider),
    protect: r.options.protect,
    retainOnDelete: r.options.retainOnDelete,
    ...(r.options.deleteBeforeReplace !== undefined ? { deleteBeforeReplace: r.options.deleteBeforeReplace } : {}),
    ignoreChanges: r.options.ignoreChanges,
    replaceOnChanges: r.options.replaceOnChanges,
    aliases: r.options.aliases,
    dependsOn: [...r.options.dependsOn].sort(),
    ...(r.options.importId !== undefined ? { importId: r.options.importId } : {}),
    replaceKeys: replaceKeysOf(r),
  }));
}

export type IdentityChangeKind = "deleted" | "replaced" | "renamed" | "added" | "options";

export interface IdentityChange {
  kind: IdentityChangeKind;
  urn: string;
  /** The new URN, for a rename. */
  to?: string;
  detail: string;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const optionKeys = ["protect", "retainOnDelete", "deleteBeforeReplace", "ignoreChanges", "replaceOnChanges", "dependsOn", "parent", "importId"] as const;

/**
 * What the next `pulumi up` would do to what `before` describes, if `after` is
 * the program: as the engine decides it (an alias keeps a resource, a changed
 * provider replaces it unless both are default providers or the old one is
 * aliased, a changed replacement input replaces it, a protected resource cannot
 * be replaced or deleted).
 */
export function compareIdentity(before: IdentityEntry[], after: IdentityEntry[]): IdentityChange[] {
  const byUrn = new Map(after.map((e) => [e.urn, e]));
  const byAlias = new Map(after.flatMap((e) => e.aliases.map((a) => [a, e] as const)));
  const matched = new Set<string>();
  const renamedProviders = new Map<string, string>();
  const pairs: [IdentityEntry, IdentityEntry][] = [];
  const changes: IdentityChange[] = [];
  for (const old of before) {
    const now = byUrn.get(old.urn) ?? byAlias.get(old.urn);
    if (!now) {
      const protectedNote = old.protect ? "; it is protected, so `pulumi up` stops instead" : "";
      changes.push({ kind: "deleted", urn: old.urn, detail: `no resource of the program claims this URN (no alias)${old.retainOnDelete ? ", retained on delete" : ""}${protectedNote}` });
      continue;
    }
    matched.add(now.urn);
    pairs.push([old, now]);
    if (now.urn !== old.urn) {
      changes.push({ kind: "renamed", urn: old.urn, to: now.urn, detail: "kept through an alias" });
      if (old.type.startsWith("pulumi:providers:")) renamedProviders.set(old.urn, now.urn);
    }
  }
  // URNs inside options (parent, dependsOn) are read through the renames.
  const renamed = new Map(pairs.filter(([o, n]) => o.urn !== n.urn).map(([o, n]) => [o.urn, n.urn]));
  const through = (urn: string | null) => (urn === null ? null : (renamed.get(urn) ?? urn));
  for (const [old, now] of pairs) {
    const reasons: string[] = [];
    if (old.type !== now.type) reasons.push(`type ${old.type} -> ${now.type}`);
    // The engine imports whenever the goal's import ID differs from the one it imported with (or the ID in
    // state): a changed import ID adopts the other resource in place of this one.
    if (old.importId !== undefined && now.importId !== undefined && old.importId !== now.importId) reasons.push(`import ${old.importId} -> ${now.importId}`);
    if (old.provider !== now.provider && renamedProviders.get(old.provider ?? "") !== now.provider) reasons.push(`provider ${old.provider} -> ${now.provider}`);
    // An ignored input keeps its old value, as the engine's processIgnoreChanges does.
    const ignored = new Set(now.ignoreChanges.map((k) => k.replace(/\[\*\]$/, "")));
    for (const key of new Set([...Object.keys(old.replaceKeys), ...Object.keys(now.replaceKeys)])) {
      if (ignored.has(key.replace(/\[\*\]$/, ""))) continue;
      if (!same(old.replaceKeys[key] ?? null, now.replaceKeys[key] ?? null)) reasons.push(`${key} ${JSON.stringify(old.replaceKeys[key] ?? null)} -> ${JSON.stringify(now.replaceKeys[key] ?? null)}`);
    }
    if (reasons.length > 0) {
      const blocked = old.protect && now.protect ? "; it is protected, so `pulumi up` stops instead" : "";
      const order = now.deleteBeforeReplace ? " (deleted first)" : "";
      changes.push({ kind: "replaced", urn: now.urn, detail: `${reasons.join(", ")}${order}${blocked}` });
    }
    const oldOptions = { ...old, parent: through(old.parent), dependsOn: old.dependsOn.map((d) => through(d) as string).sort() };
    const optionChanges = optionKeys.filter((k) => !same(oldOptions[k], now[k])).map((k) => `${k} ${JSON.stringify(oldOptions[k] ?? null)} -> ${JSON.stringify(now[k] ?? null)}`);
    if (optionChanges.length > 0) changes.push({ kind: "options", urn: now.urn, detail: optionChanges.join(", ") });
  }
  for (const e of after) if (!matched.has(e.urn)) changes.push({ kind: "added", urn: e.urn, detail: "new resource" });
  return changes;
}

/** One line per change, for test failures and the plan. */
export const describeChanges = (changes: IdentityChange[]): string =>
  changes.map((c) => `${c.kind.toUpperCase()} ${c.urn}${c.to ? ` -> ${c.to}` : ""}: ${c.detail}`).join("\n");
