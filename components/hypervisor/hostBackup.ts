// The host's share of 3-2-1 (FR-024): the library folders live on the ZFS
// pool (copy 1, with sanoid's snapshots), restic copies them every night to
// a second medium mounted on the host (copy 2, another disk), and the
// folders the family cannot lose (those a critical service writes: photos,
// documents...) also go offsite (copy 3, encrypted). Systemd timers run the
// restic scripts of components/backup/restic.ts; their metrics land in the
// node exporter's textfile folder (BackupFailed, BackupStale). Pure: the
// HypervisorHost step installs what this renders; verify runs
// `systemd-analyze verify` on the units.
import type { BackupClass } from "../../contract/labels";
import { BackupJob, backupScript, retentionByClass } from "../backup/restic";
import { StoreLocation, checkStoreKey, resticRepository, storePrefixes } from "../backup/store";
import { shellQuote as q } from "../shell";
import { HostStep, header, installFile, mediaDataset, textfileDir } from "./hostConfig";

/** Which library folders a critical service writes (they go offsite too), and the others (local copy only). */
export interface HostBackupFolders {
  critical: string[];
  local: string[];
}

export interface HostBackupPlan {
  pool: string;
  folders: HostBackupFolders;
  /** Where the second medium is mounted (the local repository lives under it). */
  localMount: string;
  store: StoreLocation;
}

export const hostBackupDir = "/etc/homelab/backup";
const passwordFile = `${hostBackupDir}/password`;
const storeKeysFile = `${hostBackupDir}/store-keys.env`;
/** One repository per job on the second medium: a job's prune never waits for another's backup. */
export const localRepositoryOf = (mount: string, job: string) => `${mount.replace(/\/+$/, "")}/homelab-restic/${job}`;

export interface HostJob {
  job: BackupJob;
  target: "local" | "offsite";
  repository: string;
  /** systemd calendar (UTC): the local copies first, the offsite one after. */
  onCalendar: string;
}

/** The host's jobs: each class's folders to the second medium, the critical ones offsite too. */
export function hostJobs(plan: HostBackupPlan): HostJob[] {
  const paths = (folders: string[]) => folders.map((f) => `/${mediaDataset(plan.pool, f)}`);
  // Terabytes: the fingerprint records sizes (a restore's check), restic's own check reads the data back.
  const job = (name: string, cls: Exclude<BackupClass, "none">, folders: string[]): BackupJob => ({ name, class: cls, source: { kind: "files", paths: paths(folders), fingerprint: "sizes" }, retention: retentionByClass[cls] });
  const local = (name: string) => localRepositoryOf(plan.localMount, name);
  const jobs: HostJob[] = [];
  if (plan.folders.critical.length) {
    jobs.push({ job: job("host-critical-local", "critical", plan.folders.critical), target: "local", repository: local("host-critical-local"), onCalendar: "*-*-* 03:00:00 UTC" });
    jobs.push({ job: job("host-critical-offsite", "critical", plan.folders.critical), target: "offsite", repository: resticRepository(plan.store, storePrefixes.job("home", "host-critical")), onCalendar: "*-*-* 04:00:00 UTC" });
  }
  if (plan.folders.local.length) jobs.push({ job: job("host-library-local", "local", plan.folders.local), target: "local", repository: local("host-library-local"), onCalendar: "*-*-* 03:30:00 UTC" });
  return jobs;
}

const unitName = (j: HostJob) => `homelab-backup-${j.job.name}`;
export const scriptPath = (j: HostJob) => `${hostBackupDir}/${j.job.name}.sh`;
const envPath = (j: HostJob) => `${hostBackupDir}/${j.job.name}.env`;

/** One job's files: its script, its (non-secret) environment, its service and timer. */
export function jobFiles(plan: HostBackupPlan, j: HostJob): { path: string; content: string; mode: string }[] {
  const env = [
    `RESTIC_REPOSITORY=${j.repository}`,
    `RESTIC_PASSWORD_FILE=${passwordFile}`,
    `RESTIC_CACHE_DIR=/var/cache/homelab-restic`,
    `HOMELAB_METRICS_DIR=${textfileDir}`,
    ...(j.target === "offsite" ? [`AWS_DEFAULT_REGION=${plan.store.region}`] : []),
    "",
  ].join("\n");
  const service = [
    "# Managed by homelab (Pulumi)",
    "[Unit]",
    `Description=homelab backup ${j.job.name}: ${j.job.class} library folders to the ${j.target === "local" ? "second medium" : "offsite store"} (restic)`,
    "Wants=network-online.target",
    "After=network-online.target zfs-mount.service",
    // Never into the root disk: without the second medium mounted the job does not start (BackupStale says so).
    ...(j.target === "local" ? [`RequiresMountsFor=${plan.localMount}`] : []),
    "",
    "[Service]",
    "Type=oneshot",
    `EnvironmentFile=${envPath(j)}`,
    ...(j.target === "offsite" ? [`EnvironmentFile=${storeKeysFile}`] : []),
    ...(j.target === "local" ? [`ExecStartPre=/usr/bin/mountpoint -q ${plan.localMount}`] : []),
    `ExecStart=/bin/bash ${scriptPath(j)}`,
    "Nice=10",
    "IOSchedulingClass=idle",
    "",
  ].join("\n");
  const timer = [
    "# Managed by homelab (Pulumi)",
    "[Unit]",
    `Description=homelab backup ${j.job.name}, every night (homelab)`,
    "",
    "[Timer]",
    `OnCalendar=${j.onCalendar}`,
    // A night the host was off is caught up at boot.
    "Persistent=true",
    "RandomizedDelaySec=10min",
    "",
    "[Install]",
    "WantedBy=timers.target",
    "",
  ].join("\n");
  return [
    { path: scriptPath(j), content: backupScript(j.job), mode: "0700" },
    { path: envPath(j), content: env, mode: "0600" },
    { path: `/etc/systemd/system/${unitName(j)}.service`, content: service, mode: "0644" },
    { path: `/etc/systemd/system/${unitName(j)}.timer`, content: timer, mode: "0644" },
  ];
}

function checkPlan(plan: HostBackupPlan): void {
  if (!/^\/[A-Za-z0-9._/-]+$/.test(plan.localMount) || plan.localMount.split("/").includes("..")) {
    throw new Error(`backup.host.localMount ${JSON.stringify(plan.localMount)}: expected an absolute path of letters, digits, '.', '_', '-' and '/'`);
  }
  if (plan.localMount === `/${plan.pool}` || plan.localMount.startsWith(`/${plan.pool}/`)) {
    throw new Error(`backup.host.localMount ${JSON.stringify(plan.localMount)}: expected a mount of another disk than the pool ${plan.pool} (the second copy must survive the pool)`);
  }
}

/**
 * The host step: restic from Debian, every job's files, the secrets read
 * from standard input (the repository password and the store's key, as
 * `name=base64` lines; never in the script), the timers enabled. Idempotent.
 */
export function hostBackupStep(plan: HostBackupPlan): HostStep {
  checkPlan(plan);
  const jobs = hostJobs(plan);
  const secret = (name: string, file: string, render: string) =>
    [`v=$(sed -n ${q(`s/^${name}=//p`)} "$secrets" | base64 -d)`, `printf ${render} > "$tmp"`, `if ! cmp -s "$tmp" ${q(file)}; then install -m 0600 "$tmp" ${q(file)}; echo ${q(`CHANGED ${file}`)}; fi`].join("\n");
  return {
    name: "backups",
    description: `restic every night: ${jobs.map((j) => `${j.job.name} (${j.target})`).join(", ")}; the second medium at ${plan.localMount}`,
    script: [
      header,
      `command -v restic >/dev/null || { DEBIAN_FRONTEND=noninteractive apt-get install -y restic >/dev/null; echo CHANGED restic; }`,
      `install -d -m 0700 ${q(hostBackupDir)}`,
      // The secrets arrive on standard input, each base64 (any character survives), and go to 0600 files only.
      `secrets=$(mktemp); tmp=$(mktemp); trap 'rm -f "$secrets" "$tmp"' EXIT`,
      `cat > "$secrets"`,
      secret("password", passwordFile, `'%s' "$v"`),
      `id=$(sed -n 's/^accessKeyId=//p' "$secrets" | base64 -d)`,
      secret("secretAccessKey", storeKeysFile, `'AWS_ACCESS_KEY_ID=%s\\nAWS_SECRET_ACCESS_KEY=%s\\n' "$id" "$v"`),
      ...jobs.flatMap((j) => jobFiles(plan, j).map((f) => installFile(f.path, f.content, f.mode))),
      `if [ "$changed" = 1 ]; then systemctl daemon-reload; fi`,
      `systemctl enable --now ${jobs.map((j) => q(`${unitName(j)}.timer`)).join(" ")} >/dev/null`,
    ].join("\n"),
  };
}

/** What the step reads on standard input: each secret as name=base64. */
export function hostBackupStdin(keys: { password: string; accessKeyId: string; secretAccessKey: string }): string {
  // The key lands in a systemd EnvironmentFile.
  checkStoreKey(keys);
  const b64 = (s: string) => Buffer.from(s).toString("base64");
  return `password=${b64(keys.password)}\naccessKeyId=${b64(keys.accessKeyId)}\nsecretAccessKey=${b64(keys.secretAccessKey)}\n`;
}
