// The restore drill on loopback (NFR-005): a real PostgreSQL (Debian's
// server) seeded with a known dataset and a folder of files, backed up with
// the pinned restic through the very scripts the program renders
// (components/backup/restic.ts), then destroyed, restored and compared with
// the fingerprint each backup recorded: 0 rows and 0 files may be lost. The
// time of the restore is measured against the 4-hour objective. And failure
// must be loud: another key is refused, and `restic check --read-data`
// catches a corrupted pack.
import { spawnSync, SpawnSyncReturns } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { BackupJob, backupScript, drillLogPrefix, restoreObjectiveSeconds, drillScript, restoreScript, retentionByClass, verifyScript } from "../components/backup/restic";
import { homelabMetrics } from "../components/monitoring/metrics";

export interface DrillResult {
  tool: string;
  artifact: string;
  ok: boolean;
  message: string;
}

/** The recovery time objective the drill's restore is measured against (PRD: under 4 hours). */
export const rtoSeconds = restoreObjectiveSeconds;

/** Debian's PostgreSQL server binaries (initdb, pg_ctl), newest major first. */
export function postgresBin(): string | undefined {
  const root = "/usr/lib/postgresql";
  if (!fs.existsSync(root)) return undefined;
  const majors = fs.readdirSync(root).filter((d) => fs.existsSync(path.join(root, d, "bin", "initdb"))).sort((a, b) => Number(b) - Number(a));
  return majors.length ? path.join(root, majors[0], "bin") : undefined;
}

const oneLine = (s: string, max = 240) => s.replace(/\s+/g, " ").trim().slice(0, max);

interface Sandbox {
  dir: string;
  env: NodeJS.ProcessEnv;
  /** Runs a command as the database's owner (postgres when the drill runs as root: initdb refuses root). */
  asOwner: (cmd: string, args: string[]) => SpawnSyncReturns<string>;
  sh: (script: string, extraEnv?: NodeJS.ProcessEnv) => SpawnSyncReturns<string>;
}

function sandbox(toolsBin: string, pgBin: string): Sandbox {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-drill-"));
  fs.chmodSync(dir, 0o755);
  const root = process.getuid?.() === 0;
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${toolsBin}:${pgBin}:${process.env.PATH}`, PGPASSWORD: "", LC_ALL: "C.UTF-8" };
  const asOwner = (cmd: string, args: string[]) =>
    root ? spawnSync("runuser", ["-u", "postgres", "--", path.join(pgBin, cmd), ...args], { encoding: "utf8", env, timeout: 120_000 }) : spawnSync(path.join(pgBin, cmd), args, { encoding: "utf8", env, timeout: 120_000 });
  const sh = (script: string, extraEnv: NodeJS.ProcessEnv = {}) => spawnSync("bash", ["-c", script], { encoding: "utf8", env: { ...env, ...extraEnv }, timeout: 600_000 });
  return { dir, env, asOwner, sh };
}

/** A dataset with the shapes the family's databases have: text with quotes and newlines, NULLs, bytes, many rows. */
const seedSql = [
  "CREATE TABLE vault_items (id bigint PRIMARY KEY, owner text NOT NULL, name text, secret bytea, updated timestamptz NOT NULL);",
  "INSERT INTO vault_items SELECT i, 'member-' || (i % 5), CASE WHEN i % 7 = 0 THEN NULL ELSE 'item ''' || i || E'''\\nline two' END, decode(md5(i::text), 'hex'), timestamptz '2026-01-01' + i * interval '1 minute' FROM generate_series(1, 5000) i;",
  "CREATE TABLE photos (id serial PRIMARY KEY, path text UNIQUE NOT NULL, taken date, tags text[]);",
  "INSERT INTO photos (path, taken, tags) SELECT '/library/' || i || ' été.jpg', date '2020-01-01' + i, ARRAY['family', 'y' || (i % 4)] FROM generate_series(1, 2000) i;",
  "CREATE SCHEMA calendar; CREATE TABLE calendar.events (uid uuid PRIMARY KEY, summary text, starts timestamptz);",
  "INSERT INTO calendar.events SELECT md5(i::text)::uuid, 'Event ' || i, timestamptz '2026-06-01' + i * interval '1 hour' FROM generate_series(1, 300) i;",
].join("\n");

/** Files with the names and contents a family's folders hold: spaces, quotes, accents, empty and larger files, nested folders. */
function seedFiles(root: string): number {
  const names = ["Tax return 2025.pdf", "mum's recipes/soupe à l'oignon.txt", "photos/2026/IMG 0001.jpg", "photos/2026/IMG 0002.jpg", "empty.txt", 'quote"d name.md', "deep/a/b/c/d/notes.txt"];
  let n = 0;
  names.forEach((name, i) => {
    const file = path.join(root, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    // Deterministic content, sizes from 0 bytes to about 1.5 MB.
    const size = name === "empty.txt" ? 0 : 1000 * (i + 1) ** 3;
    fs.writeFileSync(file, Buffer.from(Array.from({ length: size }, (_, k) => (k * 31 + i * 7) % 251)));
    n++;
  });
  return n;
}

/** The drill: every check it makes is one result. */
export function restoreDrill(toolsBin: string): DrillResult[] {
  const results: DrillResult[] = [];
  const push = (artifact: string, ok: boolean, message: string) => results.push({ tool: "restore drill", artifact, ok, message });
  const pgBin = postgresBin();
  if (!pgBin) {
    push("PostgreSQL server", false, "Debian's postgresql is not installed (/usr/lib/postgresql/*/bin/initdb): .ci/run installs it");
    return results;
  }
  const sb = sandbox(toolsBin, pgBin);
  const data = path.join(sb.dir, "pgdata");
  const socket = path.join(sb.dir, "socket");
  const port = 55432 + Math.floor(Math.random() * 1000);
  fs.mkdirSync(data, { mode: 0o700 });
  fs.mkdirSync(socket, { mode: 0o755 });
  if (process.getuid?.() === 0) spawnSync("chown", ["postgres:postgres", data, socket]);
  let started = false;
  try {
    const init = sb.asOwner("initdb", ["-D", data, "-A", "trust", "-U", "homelab", "--no-sync"]);
    if (init.status !== 0) return push("PostgreSQL initdb", false, oneLine(`${init.stdout}${init.stderr}`)), results;
    const start = sb.asOwner("pg_ctl", ["-D", data, "-w", "-l", path.join(socket, "log"), "-o", `-p ${port} -k ${socket} -c listen_addresses=127.0.0.1 -c fsync=off`, "start"]);
    if (start.status !== 0) return push("PostgreSQL start", false, oneLine(`${start.stdout}${start.stderr}`)), results;
    started = true;
    const psql = (sql: string, db = "postgres") => spawnSync("psql", ["-h", "127.0.0.1", "-p", String(port), "-U", "homelab", "-d", db, "-v", "ON_ERROR_STOP=1", "-At", "-c", sql], { encoding: "utf8", env: sb.env });
    const run = (what: string, r: SpawnSyncReturns<string>) => {
      if (r.status !== 0) throw new Error(`${what}: ${oneLine(`${r.stdout}${r.stderr}`, 400)}`);
      return r.stdout;
    };
    run("create the database", psql("CREATE DATABASE family"));
    run("seed it", spawnSync("psql", ["-h", "127.0.0.1", "-p", String(port), "-U", "homelab", "-d", "family", "-v", "ON_ERROR_STOP=1", "-q", "-f", "-"], { input: seedSql, encoding: "utf8", env: sb.env }));
    const rows = Number(run("count rows", psql("SELECT (SELECT count(*) FROM vault_items) + (SELECT count(*) FROM photos) + (SELECT count(*) FROM calendar.events)", "family")).trim());
    const folder = path.join(sb.dir, "family files");
    const files = seedFiles(folder);

    const repo = path.join(sb.dir, "repository");
    const key = path.join(sb.dir, "key");
    fs.writeFileSync(key, "correct horse battery staple\n", { mode: 0o600 });
    const metrics = path.join(sb.dir, "metrics");
    fs.mkdirSync(metrics);
    const resticEnv = { RESTIC_REPOSITORY: repo, RESTIC_PASSWORD_FILE: key, HOMELAB_METRICS_DIR: metrics, RESTIC_CACHE_DIR: path.join(sb.dir, "cache") };
    const database: BackupJob = { name: "drill-family-db", class: "critical", source: { kind: "postgres", host: "127.0.0.1", port, database: "family", user: "homelab" }, retention: retentionByClass.critical };
    const folderJob: BackupJob = { name: "drill-family-files", class: "critical", source: { kind: "files", paths: [folder] }, retention: retentionByClass.critical };

    // The host's libraries record sizes, not checksums (terabytes): the same folder through that mode too.
    const libraryJob: BackupJob = { name: "drill-family-library", class: "critical", source: { kind: "files", paths: [folder], fingerprint: "sizes" }, retention: retentionByClass.critical };
    for (const job of [database, folderJob, libraryJob]) run(`backup ${job.name}`, sb.sh(backupScript(job), resticEnv));
    const prom = fs.readFileSync(path.join(metrics, `backup-${database.name}.prom`), "utf8");
    push("backup metrics", prom.includes(`${homelabMetrics.backupLastRunFailed}{backup="${database.name}",class="critical"} 0`) && prom.includes(homelabMetrics.backupLastSuccess), oneLine(prom));

    // The loss: the database and the folder are gone.
    run("drop the database", psql("DROP DATABASE family"));
    fs.rmSync(folder, { recursive: true, force: true });

    const t0 = Date.now();
    const target = path.join(sb.dir, "restored");
    run("create the database again", psql("CREATE DATABASE family"));
    // The database through the drill the clusters run weekly (restore, check, result line); the folder through the scripts it is made of.
    const dbCheck = sb.sh(drillScript(database, target, "family"), resticEnv);
    run(`restore ${folderJob.name}`, sb.sh(restoreScript(folderJob, target), resticEnv));
    const fileCheck = sb.sh(verifyScript(folderJob, target), resticEnv);
    const seconds = (Date.now() - t0) / 1000;
    const restoredRows = Number(run("count restored rows", psql("SELECT (SELECT count(*) FROM vault_items) + (SELECT count(*) FROM photos) + (SELECT count(*) FROM calendar.events)", "family")).trim());
    push(
      `PostgreSQL database (${rows} rows in 3 tables) destroyed and restored`,
      dbCheck.status === 0 && /tables 3 lost 0/.test(dbCheck.stdout) && new RegExp(`^${drillLogPrefix} backup=${database.name} class=critical status=ok failed=0 lost=0 seconds=\\d+ finished=\\d+$`, "m").test(dbCheck.stdout) && restoredRows === rows,
      `${oneLine(dbCheck.stdout + dbCheck.stderr)}; ${restoredRows} of ${rows} rows back: ${rows - restoredRows} lost`,
    );
    push(`folder (${files} files) destroyed and restored`, fileCheck.status === 0 && new RegExp(`files ${files} lost 0`).test(fileCheck.stdout), oneLine(fileCheck.stdout + fileCheck.stderr));
    const libraryTarget = path.join(sb.dir, "restored-library");
    run(`restore ${libraryJob.name}`, sb.sh(restoreScript(libraryJob, libraryTarget), resticEnv));
    const libraryCheck = sb.sh(verifyScript(libraryJob, libraryTarget), resticEnv);
    push(`folder (${files} files) restored and checked by size, the host libraries' way`, libraryCheck.status === 0 && new RegExp(`files ${files} lost 0`).test(libraryCheck.stdout), oneLine(libraryCheck.stdout + libraryCheck.stderr));
    fs.truncateSync(path.join(libraryTarget, folder, "photos/2026/IMG 0002.jpg"), 3);
    const shortened = sb.sh(verifyScript(libraryJob, libraryTarget), resticEnv);
    push("a library restore with one file cut short (checked by size)", shortened.status !== 0 && /lost 1/.test(shortened.stdout), `rejected as expected: ${oneLine(shortened.stdout)}`);
    push("restore time against the 4-hour objective", seconds < rtoSeconds, `restored and checked in ${seconds.toFixed(1)} s (objective ${rtoSeconds} s)`);

    // A change after the backup is a loss the comparison must see.
    run("change a row", psql("UPDATE vault_items SET name = 'tampered' WHERE id = 42", "family"));
    const tampered = sb.sh(verifyScript(database, target, "family"), resticEnv);
    push("a restore that differs from the backup by one row", tampered.status !== 0 && /lost 1/.test(tampered.stdout), `rejected as expected: ${oneLine(tampered.stdout)}`);

    fs.rmSync(path.join(target, folder, "photos/2026/IMG 0002.jpg"));
    const missing = sb.sh(verifyScript(folderJob, target), resticEnv);
    push("a restore missing one file", missing.status !== 0 && /lost 1/.test(missing.stdout), `rejected as expected: ${oneLine(missing.stdout)}`);

    // Failure is loud: another key, a corrupted pack.
    const wrongKey = path.join(sb.dir, "wrong-key");
    fs.writeFileSync(wrongKey, "not the key\n", { mode: 0o600 });
    const refused = sb.sh(restoreScript(folderJob, path.join(sb.dir, "never")), { ...resticEnv, RESTIC_PASSWORD_FILE: wrongKey });
    push("a restore with another key", refused.status !== 0 && !fs.existsSync(path.join(sb.dir, "never")), `refused as expected: ${oneLine(refused.stderr, 160)}`);
    const failedDrill = sb.sh(drillScript(database, path.join(sb.dir, "never"), "family"), { ...resticEnv, RESTIC_PASSWORD_FILE: wrongKey });
    push("a drill with another key: fails and says so in its result line", failedDrill.status !== 0 && new RegExp(`^${drillLogPrefix} backup=${database.name} class=critical status=failed failed=1 `, "m").test(failedDrill.stdout), `refused as expected: ${oneLine(failedDrill.stdout, 200)}`);
    const failedRun = sb.sh(backupScript(database), { ...resticEnv, RESTIC_PASSWORD_FILE: wrongKey });
    const after = fs.readFileSync(path.join(metrics, `backup-${database.name}.prom`), "utf8");
    push(
      "a backup with another key: fails and says so in its metrics, keeping the last success",
      failedRun.status !== 0 && after.includes(`${homelabMetrics.backupLastRunFailed}{backup="${database.name}",class="critical"} 1`) && after.includes(homelabMetrics.backupLastSuccess),
      oneLine(after),
    );
    const packs = fs.readdirSync(path.join(repo, "data"), { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    const pack = packs.map((e) => path.join(e.parentPath, e.name)).sort((a, b) => fs.statSync(b).size - fs.statSync(a).size)[0];
    const bytes = fs.readFileSync(pack);
    bytes[Math.floor(bytes.length / 2)] ^= 0xff;
    fs.writeFileSync(pack, bytes);
    const check = sb.sh("restic check --read-data", resticEnv);
    push("a repository with a corrupted pack (restic check --read-data)", check.status !== 0, check.status !== 0 ? `caught as expected: ${oneLine(`${check.stdout}${check.stderr}`.split("\n").filter((l) => /error|fail|invalid|mismatch/i.test(l)).join(" "), 200)}` : "restic check found nothing: this check cannot fail");
  } catch (err) {
    push("restore drill", false, (err as Error).message);
  } finally {
    if (started) sb.asOwner("pg_ctl", ["-D", data, "-m", "immediate", "stop"]);
    fs.rmSync(sb.dir, { recursive: true, force: true });
    for (const job of ["drill-family-db", "drill-family-files", "drill-family-library"]) fs.rmSync(`/var/tmp/homelab-backup/${job}`, { recursive: true, force: true });
  }
  return results;
}
