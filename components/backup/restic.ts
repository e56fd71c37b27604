// The one way the homelab backs up and restores with restic (FR-024,
// FR-025): every producer (the host's timer, the clusters' database jobs,
// the management VM) runs the scripts rendered here, and the loopback drill
// (`npm run verify`) runs the very same scripts against a real PostgreSQL and
// a real restic. A backup records, inside the same snapshot, the fingerprint
// of what it saved (each table's row count and checksum; each file's
// SHA-256), so a restore proves itself: nothing lost is a comparison, not a
// hope. The repository's location, its password file and the object store's
// keys come from the environment (a systemd EnvironmentFile, a Kubernetes
// Secret), never from these scripts. Pure.
import type { BackupClass } from "../../contract/labels";
import { homelabMetrics as m } from "../monitoring/metrics";
import { shellQuote } from "../shell";

/** The recovery time objective (NFR-005): any single loss is restored within 4 hours. */
export const restoreObjectiveSeconds = 4 * 3600;

/** How many snapshots each class keeps (restic forget --keep-*): a month of days, a quarter of weeks, a year of months for what the family cannot lose. */
export const retentionByClass = {
  critical: { daily: 14, weekly: 8, monthly: 12 },
  local: { daily: 7, weekly: 4, monthly: 3 },
} as const satisfies Record<Exclude<BackupClass, "none">, Retention>;

export interface Retention {
  daily: number;
  weekly: number;
  monthly: number;
}

export interface FileSource {
  kind: "files";
  /** Absolute paths, backed up whole. */
  paths: string[];
  /**
   * How the fingerprint records each file: its SHA-256 (the default), or
   * only its size, for libraries of terabytes that a nightly job cannot
   * read whole (restic's own check reads the repository's data back).
   */
  fingerprint?: "checksums" | "sizes";
}

export interface PostgresSource {
  kind: "postgres";
  host: string;
  port: number;
  database: string;
  user: string;
}

export interface BackupJob {
  /** The job's name: a restic tag and the metrics' `backup` label. Letters, digits, - and _. */
  name: string;
  class: Exclude<BackupClass, "none">;
  source: FileSource | PostgresSource;
  retention: Retention;
}

/** Where a job stages what it backs up (the dump and the fingerprint): a fixed path, so every snapshot holds it at the same place. */
export const stagingDir = (job: BackupJob) => `/var/tmp/homelab-backup/${job.name}`;
export const fingerprintFile = "fingerprint.txt";
export const dumpFile = "database.dump";

function checkJob(job: BackupJob): void {
  if (!/^[A-Za-z0-9_-]{1,63}$/.test(job.name)) throw new Error(`backup job ${JSON.stringify(job.name)}: expected a name of letters, digits, - and _ (at most 63)`);
  for (const [k, v] of Object.entries(job.retention)) {
    if (!Number.isInteger(v) || v < 1 || v > 400) throw new Error(`backup job ${job.name}: retention.${k} = ${v}: expected a whole number of snapshots from 1 to 400`);
  }
  if (job.source.kind === "files") {
    if (job.source.paths.length === 0) throw new Error(`backup job ${job.name}: expected at least one path`);
    for (const p of job.source.paths) if (!p.startsWith("/") || p.split("/").includes("..") || /[\n\r]/.test(p)) throw new Error(`backup job ${job.name}: path ${JSON.stringify(p)}: expected an absolute path without .. or line breaks`);
  } else if (!Number.isInteger(job.source.port) || job.source.port < 1 || job.source.port > 65535) {
    throw new Error(`backup job ${job.name}: port ${job.source.port}: expected a TCP port from 1 to 65535`);
  }
}

const pg = (s: PostgresSource) => `-h ${shellQuote(s.host)} -p ${s.port} -U ${shellQuote(s.user)}`;

/**
 * SQL that prints one line per table of the database: its name, its row
 * count and the MD5 of its rows in a fixed order. Read with psql -At.
 */
export const tableFingerprintSql = [
  "SELECT format('SELECT %L, count(*), md5(coalesce(string_agg(t::text, %L ORDER BY t::text), %L)) FROM %I.%I t', schemaname || '.' || tablename, E'\\n', '', schemaname, tablename)",
  "FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY schemaname, tablename",
  "\\gexec",
].join("\n");

/** The source's paths relative to /, shell-quoted: the fingerprint then checks a restore wherever it lands. */
const relativePaths = (s: FileSource): string => s.paths.map((p) => shellQuote(p.replace(/^\/+/, "") || ".")).join(" ");

/** The fingerprint of a source as it is now, written to `out`. */
function fingerprintCommands(job: BackupJob, out: string): string[] {
  const s = job.source;
  if (s.kind === "postgres") return [`printf '%s\\n' ${shellQuote(tableFingerprintSql)} | psql ${pg(s)} -d ${shellQuote(s.database)} -v ON_ERROR_STOP=1 -At -F ' ' > ${out}`];
  const rel = relativePaths(s);
  if (s.fingerprint === "sizes") return [`(cd / && find ${rel} -type f -printf '%s %p\\0' | LC_ALL=C sort -z | tr '\\0' '\\n') > ${out}`];
  return [`(cd / && find ${rel} -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum) > ${out}`];
}

/**
 * The run's result, twice: one logfmt line on standard output (the clusters'
 * and the management VM's log shippers carry it to Loki, whose ruler records
 * it as the metrics below: logRules.ts), and, where a node exporter reads a
 * textfile folder (the host), the metrics themselves, written beside, then
 * renamed. The label is `backup`, not `job`: a scrape sets `job` itself.
 */
export const resultLogPrefix = "homelab-backup";
function metricsCommands(job: BackupJob, failed: 0 | 1): string[] {
  const labels = `{backup="${job.name}",class="${job.class}"}`;
  const line = `${resultLogPrefix} backup=${job.name} class=${job.class} status=${failed ? "failed" : "ok"} failed=${failed}`;
  const success = failed ? [] : [`echo ${shellQuote(`${m.backupLastSuccess}${labels}`)} "$(date +%s)"`];
  return [
    `echo "${line} finished=$(date +%s)"`,
    'if [ -n "${HOMELAB_METRICS_DIR:-}" ]; then',
    `  f="$HOMELAB_METRICS_DIR/backup-${job.name}.prom"`,
    // A failed run keeps the last success's timestamp: BackupStale measures from it.
    `  { ${[...success, `echo ${shellQuote(`${m.backupLastRunFailed}${labels} ${failed}`)}`].join("; ")}; ${failed ? `grep -s '^${m.backupLastSuccess}' "$f" || true; ` : ""}} > "$f.tmp" && mv "$f.tmp" "$f"`,
    "fi",
  ];
}

/**
 * The backup: stage the source's fingerprint (and a database's dump), back
 * the stage and the files up in one snapshot tagged with the job, apply the
 * class's retention, and write the job's metrics. Any failure stops it
 * (set -euo pipefail) and marks the run failed.
 */
export function backupScript(job: BackupJob): string {
  checkJob(job);
  const stage = shellQuote(stagingDir(job));
  const s = job.source;
  const r = job.retention;
  return [
    "#!/bin/bash",
    "set -euo pipefail",
    `# ${job.name}: ${job.class} backup with restic (generated by the homelab program)`,
    ": \"${RESTIC_REPOSITORY:?}\" \"${RESTIC_PASSWORD_FILE:?}\"",
    "on_failure() {",
    ...metricsCommands(job, 1).map((l) => `  ${l}`),
    "}",
    "trap on_failure ERR",
    // A repository that answers with another key is never re-initialised: init refuses an existing one.
    "restic cat config >/dev/null 2>&1 || restic init",
    `rm -rf ${stage} && install -d -m 0700 ${stage}`,
    ...(s.kind === "postgres" ? [`pg_dump ${pg(s)} --format=custom --no-owner --no-privileges -f ${stage}/${dumpFile} ${shellQuote(s.database)}`] : []),
    ...fingerprintCommands(job, `${stage}/${fingerprintFile}`),
    `restic backup --tag ${shellQuote(job.name)} --host homelab ${stage}${s.kind === "files" ? ` ${s.paths.map(shellQuote).join(" ")}` : ""}`,
    `restic forget --tag ${shellQuote(job.name)} --host homelab --keep-daily ${r.daily} --keep-weekly ${r.weekly} --keep-monthly ${r.monthly} --prune`,
    `rm -rf ${stage}`,
    ...metricsCommands(job, 0),
  ].join("\n") + "\n";
}

/**
 * The restore of the job's newest snapshot into `target` (a folder; for a
 * database, `database` too: the dump is loaded there, a scratch database for
 * a drill or the app's own after a loss).
 */
export function restoreScript(job: BackupJob, target: string, database?: string): string {
  checkJob(job);
  const s = job.source;
  if (s.kind === "postgres" && !database) throw new Error(`backup job ${job.name}: a database restore needs the database to load into`);
  return [
    "#!/bin/bash",
    "set -euo pipefail",
    `# ${job.name}: restore the newest snapshot (generated by the homelab program)`,
    ": \"${RESTIC_REPOSITORY:?}\" \"${RESTIC_PASSWORD_FILE:?}\"",
    `restic restore latest --tag ${shellQuote(job.name)} --host homelab --target ${shellQuote(target)}`,
    ...(s.kind === "postgres"
      ? [`pg_restore ${pg(s)} --clean --if-exists --no-owner --no-privileges --exit-on-error -d ${shellQuote(database as string)} ${shellQuote(`${target}${stagingDir(job)}/${dumpFile}`)}`]
      : []),
  ].join("\n") + "\n";
}

/**
 * Compares what was restored with the fingerprint the backup recorded:
 * prints `lost <n>` (tables whose count or checksum differ, or files missing
 * or changed) and fails when n is not 0.
 */
export function verifyScript(job: BackupJob, target: string, database?: string): string {
  checkJob(job);
  const s = job.source;
  const recorded = shellQuote(`${target}${stagingDir(job)}/${fingerprintFile}`);
  const lines = ["#!/bin/bash", "set -euo pipefail", `# ${job.name}: compare a restore with the fingerprint its backup recorded`];
  if (s.kind === "postgres") {
    if (!database) throw new Error(`backup job ${job.name}: verifying a database restore needs the database it was loaded into`);
    const now = `printf '%s\\n' ${shellQuote(tableFingerprintSql)} | psql ${pg(s)} -d ${shellQuote(database)} -v ON_ERROR_STOP=1 -At -F ' '`;
    lines.push(`lost=$(diff <(sort ${recorded}) <(${now} | sort) | grep -c '^<' || true)`);
    lines.push(`tables=$(wc -l < ${recorded})`);
    lines.push('echo "tables $tables lost $lost"');
  } else {
    lines.push(
      s.fingerprint === "sizes"
        ? // Each recorded size and path, compared with the restored files'.
          `lost=$(cd ${shellQuote(target)} && diff <(sort ${recorded}) <(find ${relativePaths(s)} -type f -printf '%s %p\\n' 2>/dev/null | sort) | grep -c '^<' || true)`
        : `lost=$(cd ${shellQuote(target)} && sha256sum --quiet -c ${recorded} 2>/dev/null | grep -c . || true)`,
    );
    lines.push(`files=$(wc -l < ${recorded})`);
    lines.push('echo "files $files lost $lost"');
  }
  lines.push('[ "$lost" -eq 0 ]');
  return lines.join("\n") + "\n";
}

export const drillLogPrefix = "homelab-restore-drill";

/**
 * A restore drill (NFR-005): restore the job's newest snapshot into a
 * scratch place (a folder, and for a database a scratch database), compare
 * it with the fingerprint recorded at backup time, and print one logfmt
 * result line with the duration and what was lost, ok or failed. The
 * restore and the check are the scripts above, run as they are.
 */
export function drillScript(job: BackupJob, target: string, database?: string): string {
  checkJob(job);
  const body = (script: string) => script.split("\n").filter((l) => l !== "" && !l.startsWith("#!") && l !== "set -euo pipefail");
  const result = (status: "ok" | "failed") => `echo "${drillLogPrefix} backup=${job.name} class=${job.class} status=${status} failed=${status === "ok" ? 0 : 1} lost=\${lost:-unknown} seconds=$((SECONDS - started)) finished=$(date +%s)"`;
  return [
    "#!/bin/bash",
    "set -euo pipefail",
    `# ${job.name}: restore drill (generated by the homelab program)`,
    "started=$SECONDS",
    `trap '${result("failed").replace(/'/g, "'\\''")}' ERR`,
    ...body(restoreScript(job, target, database)),
    // The check's own last line fails the drill when anything is lost; its count is printed either way.
    ...body(verifyScript(job, target, database)),
    result("ok"),
  ].join("\n") + "\n";
}
