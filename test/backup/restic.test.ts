// The restic scripts every backup producer runs: what they do, in which
// order, with which retention, and that a value never escapes its quoting.
// Running them for real is the restore drill's (verify/backupDrill.ts).
import { spawnSync } from "child_process";
import { BackupJob, backupScript, drillScript, restoreScript, retentionByClass, stagingDir, tableFingerprintSql, verifyScript } from "../../components/backup/restic";
import { homelabMetrics } from "../../components/monitoring/metrics";
import { resticVersion } from "../../config/versions";
import * as fs from "fs";
import * as path from "path";

const db = (over: Partial<BackupJob> = {}): BackupJob => ({ name: "vaultwarden-db", class: "critical", source: { kind: "postgres", host: "vaultwarden-db-rw.vaultwarden.svc", port: 5432, database: "vaultwarden", user: "vaultwarden" }, retention: retentionByClass.critical, ...over });
const files = (paths: string[]): BackupJob => ({ name: "host-critical", class: "critical", source: { kind: "files", paths }, retention: retentionByClass.critical });
const syntaxOk = (script: string) => spawnSync("bash", ["-n"], { input: script, encoding: "utf8" });

describe("restic backup scripts", () => {
  it("dump the database and its fingerprint into the job's stage, back the stage up tagged with the job, then keep the class's snapshots", () => {
    const s = backupScript(db());
    const order = ["restic cat config", "pg_dump", "psql", "restic backup", "restic forget"].map((w) => s.indexOf(w));
    expect(order.every((i, k) => i > 0 && (k === 0 || i > order[k - 1]))).toBe(true);
    expect(s).toContain("pg_dump -h 'vaultwarden-db-rw.vaultwarden.svc' -p 5432 -U 'vaultwarden' --format=custom --no-owner --no-privileges -f '/var/tmp/homelab-backup/vaultwarden-db'/database.dump 'vaultwarden'");
    expect(s).toContain("restic backup --tag 'vaultwarden-db' --host homelab '/var/tmp/homelab-backup/vaultwarden-db'\n");
    expect(s).toContain(`--keep-daily ${retentionByClass.critical.daily} --keep-weekly ${retentionByClass.critical.weekly} --keep-monthly ${retentionByClass.critical.monthly} --prune`);
    expect(s.startsWith("#!/bin/bash\nset -euo pipefail\n")).toBe(true);
    expect(syntaxOk(s).status).toBe(0);
  });

  it("back files up with their checksums, listed relative to / so a restore anywhere can be checked", () => {
    const s = backupScript(files(["/tank/family/documents", "/tank/family/photos"]));
    expect(s).toContain("(cd / && find 'tank/family/documents' 'tank/family/photos' -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum) > '/var/tmp/homelab-backup/host-critical'/fingerprint.txt");
    expect(s).toContain("restic backup --tag 'host-critical' --host homelab '/var/tmp/homelab-backup/host-critical' '/tank/family/documents' '/tank/family/photos'");
    expect(s).not.toContain("pg_dump");
  });

  it("write the job's metrics on success and mark a failed run, keeping the last success for BackupStale", () => {
    const s = backupScript(db());
    expect(s).toContain(`echo '${homelabMetrics.backupLastSuccess}{backup="vaultwarden-db",class="critical"}' "$(date +%s)"`);
    expect(s).toContain(`echo '${homelabMetrics.backupLastRunFailed}{backup="vaultwarden-db",class="critical"} 0'`);
    expect(s).toMatch(/trap on_failure ERR/);
    const failure = s.slice(s.indexOf("on_failure() {"), s.indexOf("trap on_failure"));
    expect(failure).toContain(`${homelabMetrics.backupLastRunFailed}{backup="vaultwarden-db",class="critical"} 1`);
    expect(failure).toContain(`grep -s '^${homelabMetrics.backupLastSuccess}' "$f"`);
  });

  it("print one logfmt result line, ok at the end of a run and failed from the trap, which Loki's ruler turns into the same metrics", () => {
    const s = backupScript(db());
    const failure = s.slice(s.indexOf("on_failure() {"), s.indexOf("trap on_failure"));
    expect(failure).toContain('echo "homelab-backup backup=vaultwarden-db class=critical status=failed failed=1 finished=$(date +%s)"');
    const tail = s.slice(s.indexOf("trap on_failure"));
    expect(tail).toContain('echo "homelab-backup backup=vaultwarden-db class=critical status=ok failed=0 finished=$(date +%s)"');
    expect(tail.indexOf("status=ok")).toBeGreaterThan(tail.indexOf("restic forget"));
  });

  it("keep every value a single shell word, whatever it holds", () => {
    const hostile = files(["/tank/it's $(reboot) `x` \"y\""]);
    const s = backupScript(hostile);
    expect(s).toContain(`'/tank/it'\\''s $(reboot) \`x\` "y"'`);
    expect(syntaxOk(s).status).toBe(0);
    expect(syntaxOk(restoreScript(db(), "/restore/it's here", "vault'warden")).status).toBe(0);
  });

  it("restore the newest snapshot of the job, and load a dump into the database it is given", () => {
    const r = restoreScript(db(), "/restore", "vaultwarden_drill");
    expect(r).toContain("restic restore latest --tag 'vaultwarden-db' --host homelab --target '/restore'");
    expect(r).toContain("pg_restore -h 'vaultwarden-db-rw.vaultwarden.svc' -p 5432 -U 'vaultwarden' --clean --if-exists --no-owner --no-privileges --exit-on-error -d 'vaultwarden_drill' '/restore/var/tmp/homelab-backup/vaultwarden-db/database.dump'");
    expect(restoreScript(files(["/srv/a"]), "/restore")).not.toContain("pg_restore");
    expect(() => restoreScript(db(), "/restore")).toThrow("backup job vaultwarden-db: a database restore needs the database to load into");
  });

  it("compare a restore with the recorded fingerprint and fail on any loss", () => {
    const v = verifyScript(db(), "/restore", "vaultwarden_drill");
    expect(v).toContain(`diff <(sort '/restore${stagingDir(db())}/fingerprint.txt')`);
    expect(v.trimEnd().endsWith('[ "$lost" -eq 0 ]')).toBe(true);
    expect(verifyScript(files(["/srv/a"]), "/restore")).toContain("sha256sum --quiet -c '/restore/var/tmp/homelab-backup/host-critical/fingerprint.txt'");
    expect(tableFingerprintSql).toContain("\\gexec");
  });

  it("refuse a job they could not run safely, naming what is wrong", () => {
    expect(() => backupScript(db({ name: "vault warden" }))).toThrow('backup job "vault warden": expected a name of letters, digits, - and _ (at most 63)');
    expect(() => backupScript(db({ retention: { daily: 0, weekly: 4, monthly: 12 } }))).toThrow("backup job vaultwarden-db: retention.daily = 0: expected a whole number of snapshots from 1 to 400");
    expect(() => backupScript(files([]))).toThrow("backup job host-critical: expected at least one path");
    expect(() => backupScript(files(["relative/path"]))).toThrow('path "relative/path": expected an absolute path without .. or line breaks');
    expect(() => backupScript(files(["/tank/../etc"]))).toThrow('path "/tank/../etc"');
    expect(() => backupScript(db({ source: { kind: "postgres", host: "h", port: 70000, database: "d", user: "u" } }))).toThrow("port 70000: expected a TCP port from 1 to 65535");
  });
});

describe("restic scripts, whole", () => {
  // Reviewed by hand; the restore drill runs the same renderer's scripts against PostgreSQL and restic (verify).
  const expected = (name: string) => fs.readFileSync(path.join(__dirname, "../fixtures/expected/backup", name), "utf8");
  const local = (): BackupJob => ({ ...files(["/tank/family/documents", "/tank/family/photos"]), class: "local", retention: retentionByClass.local });

  it("for a database: backup, restore, check", () => {
    expect(backupScript(db())).toBe(expected("database-backup.sh"));
    expect(restoreScript(db(), "/restore", "vaultwarden_drill")).toBe(expected("database-restore.sh"));
    expect(verifyScript(db(), "/restore", "vaultwarden_drill")).toBe(expected("database-verify.sh"));
    expect(drillScript(db(), "/restore", "vaultwarden_drill")).toBe(expected("database-drill.sh"));
  });

  it("for folders: backup, restore, check", () => {
    expect(backupScript(local())).toBe(expected("files-backup.sh"));
    expect(restoreScript(local(), "/restore")).toBe(expected("files-restore.sh"));
    expect(verifyScript(local(), "/restore")).toBe(expected("files-verify.sh"));
  });

  it("take retention from 1 to 400 snapshots and ports from 1 to 65535, and nothing else", () => {
    for (const n of [1, 400]) expect(() => backupScript(db({ retention: { daily: n, weekly: n, monthly: n } }))).not.toThrow();
    for (const n of [401, 2.5]) expect(() => backupScript(db({ retention: { daily: 7, weekly: 4, monthly: n } }))).toThrow(`retention.monthly = ${n}`);
    for (const port of [1, 65535]) expect(() => backupScript(db({ source: { kind: "postgres", host: "h", port, database: "d", user: "u" } }))).not.toThrow();
    for (const port of [0, 65536, 54.5]) expect(() => backupScript(db({ source: { kind: "postgres", host: "h", port, database: "d", user: "u" } }))).toThrow(`port ${port}: expected a TCP port`);
    expect(() => verifyScript(db(), "/restore")).toThrow("backup job vaultwarden-db: verifying a database restore needs the database it was loaded into");
    expect(backupScript(files(["//tank//x"]))).toContain("find 'tank//x'");
    expect(backupScript(files(["/"]))).toContain("find '.'");
  });
});

describe("the pinned restic", () => {
  it("is the release the drill's tool module builds", () => {
    const mod = fs.readFileSync(path.join(__dirname, "../../tools/restic/go.mod"), "utf8");
    expect(mod).toMatch(new RegExp(`^require github.com/restic/restic v${resticVersion.replace(/\./g, "\\.")}$`, "m"));
  });
});
