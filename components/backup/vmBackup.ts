// The management VM's nightly backup (FR-024): Authentik's database (the
// family's accounts, groups and sign-in settings) dumped by the restic
// scripts (restic.ts) into its own offsite repository, with the fingerprint
// that proves a restore. Two compose services: one copies restic's binary
// out of restic's image, the other (PostgreSQL's image: the pg_dump of the
// server's release) sleeps until the night and runs the job. Its result line
// reaches Loki like every container's, its metrics the VM's textfile folder.
// The repository password and the store's key arrive in .env (on stdin,
// like every VM secret). Pure: OmniServer runs the workload, compose-check
// reads it.
import { backupImages, imageString, images } from "../../config/versions";
import { authentikDatabase } from "../identity/authentikCompose";
import { backupContainer } from "../monitoring/logRules";
import { textfileDir } from "../monitoring/ociUsage";
import type { VmWorkload } from "../omni/managementVm";
import { BackupJob, backupScript, retentionByClass } from "./restic";
import { StoreLocation, checkStoreKey, resticRepository, storePrefixes } from "./store";

/** The .env variables the job reads: the repository password (base64: one line, whatever it holds) and the store's key. */
export const vmBackupEnv = { password: "BACKUP_PASSWORD_B64", accessKeyId: "BACKUP_S3_ACCESS_KEY_ID", secretAccessKey: "BACKUP_S3_SECRET_ACCESS_KEY" } as const;
/** When the job runs (UTC), after the clusters' dumps. */
export const vmBackupTime = "02:15";

export const authentikDatabaseJob: BackupJob = {
  name: "management-vm-authentik-database",
  class: "critical",
  // The compose project's PostgreSQL, by its service name.
  source: { kind: "postgres", host: "postgres", port: 5432, database: authentikDatabase.name, user: authentikDatabase.user },
  retention: retentionByClass.critical,
};

export const vmBackupRepository = (store: StoreLocation) => resticRepository(store, storePrefixes.job("management-vm", "authentik-database"));

/** The loop the backup service runs: until the next run's time, then the job (a failed run says so and the loop goes on). */
export function vmBackupLoop(): string {
  return [
    "set -u",
    `install -d -m 0700 /run/backup`,
    `printf '%s' "$${vmBackupEnv.password}" | base64 -d > /run/backup/password`,
    `export RESTIC_PASSWORD_FILE=/run/backup/password PATH="/tools:$PATH"`,
    "while true; do",
    `  next=$(date -u -d "today ${vmBackupTime}" +%s); now=$(date -u +%s)`,
    `  [ "$next" -gt "$now" ] || next=$(date -u -d "tomorrow ${vmBackupTime}" +%s)`,
    `  sleep $((next - now))`,
    `  bash /scripts/backup.sh || echo "the backup of ${authentikDatabaseJob.name} failed" >&2`,
    "done",
  ].join("\n");
}

export const vmBackupScriptFile = "backup/authentik-database.sh";

export function vmBackupWorkload(store: StoreLocation): VmWorkload {
  return {
    services: {
      "backup-tools": {
        image: imageString(backupImages.restic),
        entrypoint: ["cp", "/usr/bin/restic", "/tools/restic"],
        volumes: ["backup-tools:/tools"],
        restart: "no",
      },
      backup: {
        image: images.postgres,
        // Its logs are labelled container="backup", which the backup rules read (logRules.ts).
        container_name: backupContainer,
        restart: "unless-stopped",
        depends_on: { "backup-tools": { condition: "service_completed_successfully" }, postgres: { condition: "service_healthy" } },
        entrypoint: ["/bin/bash", "-c"],
        // Compose would read a $ as the start of a variable.
        command: [vmBackupLoop().replace(/\$/g, "$$$$")],
        environment: {
          RESTIC_REPOSITORY: vmBackupRepository(store),
          RESTIC_CACHE_DIR: "/var/tmp/restic-cache",
          HOMELAB_METRICS_DIR: "/textfile",
          AWS_DEFAULT_REGION: store.region,
          AWS_ACCESS_KEY_ID: `\${${vmBackupEnv.accessKeyId}:?set in .env}`,
          AWS_SECRET_ACCESS_KEY: `\${${vmBackupEnv.secretAccessKey}:?set in .env}`,
          [vmBackupEnv.password]: `\${${vmBackupEnv.password}:?set in .env}`,
          // Authentik's role (its password is in .env for the identity workload already).
          PGPASSWORD: "${AUTHENTIK_DB_PASSWORD:?set in .env}",
        },
        // The folders it writes belong to root; the dump stays inside the container's /var/tmp.
        user: "0:0",
        volumes: ["backup-tools:/tools:ro", `./${vmBackupScriptFile}:/scripts/backup.sh:ro`, `./${textfileDir}:/textfile`],
        tmpfs: ["/run/backup:mode=0700"],
        deploy: { resources: { limits: { memory: "512m" } } },
      },
    },
    volumes: { "backup-tools": {} },
    envNames: [vmBackupEnv.password, vmBackupEnv.accessKeyId, vmBackupEnv.secretAccessKey],
    files: [{ path: vmBackupScriptFile, content: backupScript(authentikDatabaseJob), what: "the Authentik database's backup script" }],
    steps: [],
  };
}

/** The .env values of the workload (secret): the password base64, the key as it is (letters, digits, + / =). */
export function vmBackupEnvValues(keys: { password: string; accessKeyId: string; secretAccessKey: string }): Record<string, string> {
  checkStoreKey(keys);
  return { [vmBackupEnv.password]: Buffer.from(keys.password).toString("base64"), [vmBackupEnv.accessKeyId]: keys.accessKeyId, [vmBackupEnv.secretAccessKey]: keys.secretAccessKey };
}
