import { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { libraryStorageClass, resticPasswordKey, veleroDefaultRepositoryPassword, veleroRepositorySecret } from "../../contract/backup";
import { backupLabel } from "../../contract/labels";
import { types } from "./types";

type Props = Record<string, unknown>;
const rec = (v: unknown): Props => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Props) : {});
const text = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const meta = (p: Props) => ({ name: text(rec(p.metadata).name), namespace: text(rec(p.metadata).namespace), labels: rec(rec(p.metadata).labels) });
/** A CronJob's containers (its pod template's). */
const cronContainers = (p: Props): Props[] => {
  const list = rec(rec(rec(rec(rec(p.spec).jobTemplate).spec).template).spec).containers;
  return Array.isArray(list) ? list.map(rec) : [];
};
/** Everything a CronJob's containers run: each one's command and arguments, as one text. */
const commandsOf = (p: Props): string[] => cronContainers(p).map((c) => [...(Array.isArray(c.command) ? c.command : []), ...(Array.isArray(c.args) ? c.args : [])].join(" "));
const runsResticBackup = (p: Props) => commandsOf(p).some((c) => /\brestic backup\b/.test(c));
/** A Secret's value for a key, from stringData or (base64) data. */
function secretValue(p: Props, key: string): string | undefined {
  const plain = text(rec(p.stringData)[key]);
  if (plain !== undefined) return plain;
  const encoded = text(rec(p.data)[key]);
  return encoded === undefined ? undefined : Buffer.from(encoded, "base64").toString("utf8");
}

/**
 * FR-024/FR-025: every volume and database of a critical entry has its
 * offsite copies. A critical claim (label homelab.io/backup=critical, not a
 * library folder, which the host copies) needs a VolSync ReplicationSource
 * of its own and a Velero Schedule that includes its namespace; a critical
 * database (CloudNativePG) needs the nightly dump CronJob in its namespace.
 * A stack policy: in a first preview Kubernetes objects show no properties,
 * and a claim that shows none is not judged then.
 */
export const criticalBackupsPolicy: StackValidationPolicy = {
  name: "critical-data-offsite",
  description: "Every critical PersistentVolumeClaim (library folders aside) has a VolSync ReplicationSource and is in a Velero Schedule's namespaces, and every critical database has its dump CronJob.",
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    const of = (type: string) => args.resources.filter((r) => r.type === type);
    const sources = of(types.replicationSource).map((r) => ({ ...meta(r.props), pvc: text(rec(r.props.spec).sourcePVC), repository: text(rec(rec(r.props.spec).restic).repository) }));
    const scheduled = new Set(of(types.veleroSchedule).flatMap((r) => {
      const included = rec(rec(r.props.spec).template).includedNamespaces;
      return Array.isArray(included) ? included.filter((n): n is string => typeof n === "string") : [];
    }));
    const dumps = of(types.cronJob).filter((r) => runsResticBackup(r.props) && commandsOf(r.props).some((c) => /\bpg_dump\b/.test(c)));
    for (const r of of(types.persistentVolumeClaim)) {
      const m = meta(r.props);
      if (m.labels[backupLabel] !== "critical" || m.name === undefined) continue;
      if (rec(r.props.spec).storageClassName === libraryStorageClass) continue;
      const where = `${m.namespace}/${m.name}`;
      if (!sources.some((s) => s.namespace === m.namespace && s.pvc === m.name && s.repository)) reportViolation(`critical claim ${where} has no VolSync ReplicationSource with a restic repository; expected its offsite copy (components/backup/kubernetes.ts)`);
      if (!scheduled.has(m.namespace ?? "") && !scheduled.has("*")) reportViolation(`critical claim ${where} is in no Velero Schedule's includedNamespaces; expected the critical schedules to include ${m.namespace}`);
    }
    for (const r of of(types.cnpgCluster)) {
      const m = meta(r.props);
      if (m.labels[backupLabel] !== "critical" || m.name === undefined) continue;
      if (!dumps.some((d) => meta(d.props).namespace === m.namespace)) reportViolation(`critical database ${m.namespace}/${m.name} has no dump CronJob (pg_dump and restic backup) in its namespace; expected its nightly offsite dump`);
    }
  },
};

/**
 * Nothing reaches the bucket in the clear: restic and kopia encrypt, but
 * only with a password of the stack's. Velero creates its repositories'
 * password itself when its secret is missing (a default everyone knows);
 * every VolSync repository's Secret must carry a password; every backup
 * CronJob names its password file; the bucket admits no public reads.
 */
export const backupsEncryptedPolicy: StackValidationPolicy = {
  name: "backups-encrypted",
  description: `Velero's ${veleroRepositorySecret.name} exists beside every storage location with a password that is not Velero's default, every ReplicationSource's Secret carries ${resticPasswordKey}, every backup CronJob sets RESTIC_PASSWORD_FILE, and the backup bucket is private.`,
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    const secrets = args.resources.filter((r) => r.type === types.secret);
    const secretIn = (namespace: string | undefined, name: string | undefined) => secrets.find((s) => meta(s.props).namespace === namespace && meta(s.props).name === name);
    for (const r of args.resources.filter((x) => x.type === types.veleroStorageLocation)) {
      const m = meta(r.props);
      if (m.name === undefined) continue;
      const s = secretIn(m.namespace, veleroRepositorySecret.name);
      const password = s && secretValue(s.props, veleroRepositorySecret.key);
      if (!password) reportViolation(`Velero storage location ${m.namespace}/${m.name} has no ${veleroRepositorySecret.name} Secret with ${veleroRepositorySecret.key} beside it; Velero would create one with its default password`);
      else if (password === veleroDefaultRepositoryPassword) reportViolation(`Velero's ${m.namespace}/${veleroRepositorySecret.name} holds Velero's default password; expected the stack's backupRepositoryPassword`);
    }
    for (const r of args.resources.filter((x) => x.type === types.replicationSource)) {
      const m = meta(r.props);
      if (m.name === undefined) continue;
      const repository = text(rec(rec(r.props.spec).restic).repository);
      const s = secretIn(m.namespace, repository);
      if (!s || !secretValue(s.props, resticPasswordKey)) reportViolation(`ReplicationSource ${m.namespace}/${m.name}: its repository Secret ${JSON.stringify(repository ?? null)} is missing or has no ${resticPasswordKey}; expected the stack's repository password`);
    }
    for (const r of args.resources.filter((x) => x.type === types.cronJob && runsResticBackup(x.props))) {
      const env = cronContainers(r.props).flatMap((c) => (Array.isArray(c.env) ? (c.env as Props[]) : []));
      if (!env.some((e) => e.name === "RESTIC_PASSWORD_FILE" && text(e.value))) reportViolation(`backup CronJob ${meta(r.props).namespace}/${meta(r.props).name} sets no RESTIC_PASSWORD_FILE; expected the repository password from its Secret`);
    }
    for (const r of args.resources.filter((x) => x.type === types.ociBucket)) {
      if (r.props.accessType !== "NoPublicAccess") reportViolation(`bucket ${String(r.props.name ?? r.name)} has accessType ${JSON.stringify(r.props.accessType ?? null)}; expected NoPublicAccess`);
    }
  },
};

const positive = (v: unknown) => typeof v === "number" && Number.isInteger(v) && v > 0;
/** A Go duration as Velero's TTL reads it (e.g. 336h0m0s), in hours; undefined when it is not one. */
export function durationHours(v: unknown): number | undefined {
  const parts = typeof v === "string" && v !== "" ? /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(v) : null;
  if (!parts) return undefined;
  const [, h = "0", m = "0", s = "0"] = parts;
  return Number(h) + Number(m) / 60 + Number(s) / 3600;
}
/** A backup kept less than a day is no retention: the next night's would be all there is. */
export const minimumTtlHours = 24;

/** Every schedule keeps a bounded history: Velero's TTL, VolSync's retain, restic's forget. */
export const backupRetentionPolicy: ResourceValidationPolicy = {
  name: "backup-retention",
  description: "Every Velero Schedule sets a TTL, every ReplicationSource a restic retain policy and prune interval, and every backup CronJob runs restic forget with --keep-* after its backup.",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    const p = args.props as Props;
    if (args.type === types.veleroSchedule) {
      const ttl = rec(rec(p.spec).template).ttl;
      const hours = durationHours(ttl);
      if (hours === undefined || hours < minimumTtlHours) reportViolation(`Velero Schedule ${args.name} has ttl ${JSON.stringify(ttl ?? null)}; expected a retention of at least ${minimumTtlHours}h, like 336h0m0s (unset, Velero keeps each backup 30 days)`);
    }
    if (args.type === types.replicationSource) {
      const restic = rec(rec(p.spec).restic);
      const retain = rec(restic.retain);
      if (!["hourly", "daily", "weekly", "monthly", "yearly", "within"].some((k) => (k === "within" ? typeof retain[k] === "string" && retain[k] !== "" : positive(retain[k])))) {
        reportViolation(`ReplicationSource ${args.name} has no restic retain policy; expected e.g. daily, weekly and monthly counts (unset, every snapshot is kept)`);
      }
      if (!positive(restic.pruneIntervalDays)) reportViolation(`ReplicationSource ${args.name} sets no pruneIntervalDays; expected a whole number of days (forgotten snapshots' data is only freed by a prune)`);
    }
    if (args.type === types.cronJob && runsResticBackup(p)) {
      const forgets = commandsOf(p).some((c) => /\brestic forget\b[^\n]*--keep-(daily|weekly|monthly|last|within)/.test(c) && /--prune\b/.test(c));
      if (!forgets) reportViolation(`backup CronJob ${args.name} runs restic backup without restic forget --keep-* --prune; expected its class's retention`);
    }
  },
};
