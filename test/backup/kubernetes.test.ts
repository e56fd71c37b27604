// The clusters' backup objects from the catalog, the host's timers and the
// plan's coverage table.
import { spawnSync } from "child_process";
import { backupCoverage } from "../../components/backup/coverage";
import { backupSchedules, criticalNamespaces, databaseJob, drillObjects, entryBackupObjects, namespaceBackupAnnotations, offsiteSecretData, veleroCredentialsFile, veleroObjects, veleroTtls } from "../../components/backup/kubernetes";
import { backupScript, retentionByClass } from "../../components/backup/restic";
import { authentikDatabaseJob, omniBackupUnits, omniStateJob, omniStoppedScript, vmBackupEnvValues, vmBackupLoop, vmBackupWorkload } from "../../components/backup/vmBackup";
import { StoreLocation, resticRepository, storePrefixes } from "../../components/backup/store";
import { hostBackupStdin, hostBackupStep, hostJobs, jobFiles } from "../../components/hypervisor/hostBackup";
import { entriesFor } from "../../services";
import { backupFolders } from "../../services/library";
import { immich } from "../../services/immich";
import { nextcloud } from "../../services/nextcloud";
import { vaultwarden } from "../../services/vaultwarden";
import { catalog } from "../../services";
import { Manifest } from "../../components/platform/context";

const store: StoreLocation = { provider: "oci", endpoint: "https://ns.compat.objectstorage.eu-paris-1.oraclecloud.com", region: "eu-paris-1", bucket: "homelab-backups" };
const spec = (m: Manifest) => m.spec as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe("Velero on a cluster", () => {
  const objects = veleroObjects({ cluster: "cloud", entries: entriesFor("cloud") }, store);

  it("backs up the critical namespaces with something of their own, daily, weekly and monthly, kept as long as restic keeps them", () => {
    expect(criticalNamespaces(entriesFor("cloud"))).toEqual(["baikal", "immich", "mealie", "n8n", "navidrome", "nextcloud", "vaultwarden"]);
    const schedules = objects.filter((o) => o.kind === "Schedule");
    expect(schedules.map((s) => [s.metadata.name, spec(s).schedule, spec(s).template.ttl])).toEqual([
      ["critical-daily", backupSchedules.velero.daily, "336h0m0s"],
      ["critical-weekly", backupSchedules.velero.weekly, "1344h0m0s"],
      ["critical-monthly", backupSchedules.velero.monthly, "8928h0m0s"],
    ]);
    for (const s of schedules) expect(spec(s).template).toMatchObject({ includedNamespaces: criticalNamespaces(entriesFor("cloud")), defaultVolumesToFsBackup: true, snapshotVolumes: false, storageLocation: "offsite" });
    expect(veleroTtls(retentionByClass.local)).toEqual({ daily: "168h0m0s", weekly: "672h0m0s", monthly: "2232h0m0s" });
  });

  it("writes under its cluster's prefix, path-style, without the checksums OCI refuses, checking the store twice a day", () => {
    const bsl = objects.find((o) => o.kind === "BackupStorageLocation") as Manifest;
    expect(spec(bsl)).toMatchObject({ provider: "aws", default: true, objectStorage: { bucket: "homelab-backups", prefix: "velero/cloud" }, credential: { name: "velero-offsite", key: "cloud" }, validationFrequency: "12h0m0s" });
    expect(spec(bsl).config).toEqual({ region: "eu-paris-1", s3Url: store.endpoint, s3ForcePathStyle: "true", checksumAlgorithm: "" });
  });

  it("skips NFS library folders and the databases' volumes (their dumps are the copy)", () => {
    const policy = objects.find((o) => o.kind === "ConfigMap") as Manifest;
    const text = String((policy.data as Record<string, string>)["policy.yaml"]);
    expect(text).toMatch(/nfs: \{\}\n\s+action:\n\s+type: skip/);
    expect(text).toMatch(/cnpg.io\/pvcRole: PG_DATA\n\s+action:\n\s+type: skip/);
    expect(text.trimEnd().endsWith("type: fs-backup")).toBe(true);
  });

  it("renders the AWS credentials file the plugin reads", () => {
    expect(veleroCredentialsFile("AKID", "s/e+c=")).toBe("[default]\naws_access_key_id=AKID\naws_secret_access_key=s/e+c=\n");
  });
});

describe("each critical entry's copies", () => {
  it("a volume gets a VolSync copy as the app's user in a restricted namespace, its own repository and Secret", () => {
    const { manifests, secrets } = entryBackupObjects("cloud", vaultwarden, store);
    const rs = manifests.find((m) => m.kind === "ReplicationSource") as Manifest;
    expect(spec(rs)).toMatchObject({ sourcePVC: "vaultwarden-data", trigger: { schedule: backupSchedules.volumes }, restic: { repository: "vaultwarden-data-offsite", copyMethod: "Direct", pruneIntervalDays: 7, retain: { daily: 14, weekly: 8, monthly: 12 } } });
    expect(spec(rs).restic.moverSecurityContext).toMatchObject({ runAsUser: 1000, runAsNonRoot: true });
    expect(spec(rs).restic.moverPodLabels).toEqual({ "homelab.io/backup-mover": "true" });
    expect(secrets).toEqual([
      { name: "backup-offsite", namespace: "vaultwarden" },
      { name: "vaultwarden-data-offsite", namespace: "vaultwarden", repository: resticRepository(store, storePrefixes.volume("cloud", "vaultwarden", "vaultwarden-data")) },
    ]);
    expect(namespaceBackupAnnotations(vaultwarden)).toEqual({});
  });

  it("an app that writes as root (baseline namespace) gets a privileged copy, which its namespace must allow", () => {
    const rs = entryBackupObjects("cloud", nextcloud, store).manifests.find((m) => m.kind === "ReplicationSource") as Manifest;
    expect(spec(rs).restic.moverSecurityContext).toBeUndefined();
    expect(namespaceBackupAnnotations(nextcloud)).toEqual({ "volsync.backube/privileged-movers": "true" });
  });

  it("a database is dumped nightly by the restic script with CloudNativePG's owner secret, as PostgreSQL's user, to its own repository", () => {
    const { manifests } = entryBackupObjects("cloud", immich, store);
    const cron = manifests.find((m) => m.kind === "CronJob") as Manifest;
    expect(spec(cron)).toMatchObject({ schedule: backupSchedules.databases, timeZone: "Etc/UTC", concurrencyPolicy: "Forbid" });
    const pod = spec(cron).jobTemplate.spec.template;
    const [main] = pod.spec.containers;
    expect(main.name).toBe("backup");
    expect(main.image).toBe("ghcr.io/tensorchord/cloudnative-vectorchord:17.10-1.1.1");
    expect(main.command[2]).toContain("pg_dump -h 'immich-db-rw.immich.svc' -p 5432 -U 'immich'");
    expect(main.env).toEqual(expect.arrayContaining([{ name: "RESTIC_REPOSITORY", value: "s3:https://ns.compat.objectstorage.eu-paris-1.oraclecloud.com/homelab-backups/restic/cloud/immich-database" }, { name: "PGPASSWORD", valueFrom: { secretKeyRef: { name: "immich-db-app", key: "password" } } }]));
    expect(pod.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 26 });
    expect(pod.spec.initContainers[0].image).toBe("docker.io/restic/restic:0.19.1");
    expect(pod.metadata.labels).toEqual({ "homelab.io/backup-mover": "true" });
    // Its pods may reach the store by name, nothing more.
    const egress = manifests.find((m) => m.kind === "CiliumNetworkPolicy") as Manifest;
    expect(spec(egress).egress).toEqual([{ toFQDNs: [{ matchName: "ns.compat.objectstorage.eu-paris-1.oraclecloud.com" }], toPorts: [{ ports: [{ port: "443", protocol: "TCP" }] }] }]);
    expect(bashSyntax(main.command[2])).toBe(0);
  });

  it("other classes have no copies of their own here", () => {
    expect(entriesFor("cloud").filter((e) => e.backup !== "critical").every((e) => entryBackupObjects("cloud", e, store).manifests.length === 0)).toBe(true);
  });

  it("the Secret's values: the password, the store's key, its region, and a VolSync repository's URL", () => {
    expect(offsiteSecretData(store, { password: "p", accessKeyId: "a", secretAccessKey: "s" }, "s3:x")).toEqual({ RESTIC_REPOSITORY: "s3:x", RESTIC_PASSWORD: "p", AWS_ACCESS_KEY_ID: "a", AWS_SECRET_ACCESS_KEY: "s", AWS_DEFAULT_REGION: "eu-paris-1" });
  });

  it("refuses a database job for an entry that has none", () => {
    expect(() => databaseJob("cloud", vaultwarden.database ? { ...vaultwarden, database: undefined } : vaultwarden)).toThrow("backup: vaultwarden has no database");
  });
});

function bashSyntax(script: string): number | null {
  return spawnSync("bash", ["-n"], { input: script, encoding: "utf8" }).status;
}

describe("the weekly drills", () => {
  const { manifests, secrets } = drillObjects({ cluster: "cloud", entries: entriesFor("cloud") }, store);

  it("one per critical database, in backup-drill, restricted, reaching only DNS and the store", () => {
    expect(manifests[0]).toMatchObject({ kind: "Namespace", metadata: { name: "backup-drill", labels: { "pod-security.kubernetes.io/enforce": "restricted" } } });
    const jobs = manifests.filter((m) => m.kind === "CronJob");
    expect(jobs.map((j) => [j.metadata.name, spec(j).schedule])).toEqual([
      ["drill-immich", "0 5 * * 0"],
      ["drill-mealie", "15 5 * * 0"],
      ["drill-n8n", "30 5 * * 0"],
      ["drill-nextcloud", "45 5 * * 0"],
      ["drill-vaultwarden", "0 6 * * 0"],
    ]);
    const policy = manifests.find((m) => m.kind === "CiliumNetworkPolicy") as Manifest;
    expect(spec(policy).endpointSelector).toEqual({});
    expect(spec(policy).egress).toHaveLength(2);
    expect(secrets).toEqual([{ name: "backup-offsite", namespace: "backup-drill" }]);
  });

  it("starts a scratch PostgreSQL on a socket, restores the newest dump into it and checks it, Immich's with its library preloaded", () => {
    const immichDrill = manifests.find((m) => m.metadata.name === "drill-immich") as Manifest;
    const [c] = spec(immichDrill).jobTemplate.spec.template.spec.containers;
    const script: string = c.command[2];
    expect(c.name).toBe("restore-drill");
    expect(script).toContain("initdb -D /var/tmp/postgres/data -U postgres --auth=trust");
    expect(script).toContain("-c shared_preload_libraries=vchord.so");
    expect(script).toContain("restic restore latest --tag 'cloud-immich-database' --host homelab --target '/var/tmp/restore'");
    expect(script).toContain("homelab-restore-drill backup=cloud-immich-database");
    expect(bashSyntax(script)).toBe(0);
  });

  it("a cluster without a critical database has none", () => {
    expect(drillObjects({ cluster: "x", entries: [vaultwarden].map((e) => ({ ...e, database: undefined })) }, store).manifests).toEqual([]);
  });
});

describe("the host's copies", () => {
  const folders = backupFolders(catalog, ["films", "music", "photos", "files", "roms"]);
  const plan = { pool: "tank", folders, localMount: "/mnt/backup", store };

  it("classes the folders by their writers: what a critical service writes goes offsite too", () => {
    expect(folders).toEqual({ critical: ["photos", "files", "roms"], local: ["films", "music"] });
    expect(hostJobs(plan).map((j) => [j.job.name, j.target, j.repository, j.job.retention.daily])).toEqual([
      ["host-critical-local", "local", "/mnt/backup/homelab-restic/host-critical-local", 14],
      ["host-critical-offsite", "offsite", "s3:https://ns.compat.objectstorage.eu-paris-1.oraclecloud.com/homelab-backups/restic/home/host-critical", 14],
      ["host-library-local", "local", "/mnt/backup/homelab-restic/host-library-local", 7],
    ]);
    expect(hostJobs(plan).every((j) => j.job.source.kind === "files" && j.job.source.fingerprint === "sizes")).toBe(true);
  });

  it("a local copy never starts without the second medium; the offsite one reads the store's key", () => {
    const [local, offsite] = hostJobs(plan);
    const service = (j: typeof local) => jobFiles(plan, j).find((f) => f.path.endsWith(".service"))?.content ?? "";
    expect(service(local)).toContain("RequiresMountsFor=/mnt/backup\n");
    expect(service(local)).toContain("ExecStartPre=/usr/bin/mountpoint -q /mnt/backup\n");
    expect(service(offsite)).toContain("EnvironmentFile=/etc/homelab/backup/store-keys.env\n");
    expect(service(offsite)).not.toContain("RequiresMountsFor");
    const env = jobFiles(plan, offsite).find((f) => f.path.endsWith(".env"));
    expect(env).toMatchObject({ mode: "0600" });
    expect(env?.content).toContain("HOMELAB_METRICS_DIR=/var/lib/prometheus/node-exporter\n");
    expect(env?.content).not.toMatch(/SECRET|PASSWORD=/);
  });

  it("the step takes its secrets on standard input only, and refuses a second medium inside the pool", () => {
    const step = hostBackupStep(plan);
    expect(step.script).not.toContain("correct horse");
    expect(step.script).toContain("systemctl enable --now 'homelab-backup-host-critical-local.timer' 'homelab-backup-host-critical-offsite.timer' 'homelab-backup-host-library-local.timer'");
    expect(bashSyntax(step.script)).toBe(0);
    const stdin = hostBackupStdin({ password: "correct horse 'battery' $(staple)", accessKeyId: "AKID", secretAccessKey: "s/e+c=" });
    expect(stdin).toBe(`password=${Buffer.from("correct horse 'battery' $(staple)").toString("base64")}\naccessKeyId=QUtJRA==\nsecretAccessKey=cy9lK2M9\n`);
    expect(() => hostBackupStdin({ password: "p", accessKeyId: "AK ID", secretAccessKey: "s" })).toThrow("backup store accessKeyId: expected letters, digits, + / = _ - only (the value is not shown)");
    expect(() => hostBackupStep({ ...plan, localMount: "/tank/backup" })).toThrow("expected a mount of another disk than the pool tank");
  });
});

describe("the plan's coverage", () => {
  it("lists each class's items, where they go and for how long, and what the offsite copies may take", () => {
    const c = backupCoverage(entriesFor("cloud"), store, "oci");
    const vault = c.rows.filter((r) => r.service === "vaultwarden");
    expect(vault.map((r) => [r.class, r.item, r.offsiteGi])).toEqual([
      ["critical", "volume vaultwarden-data", 4],
      ["critical", "database", 2],
    ]);
    expect(c.rows.find((r) => r.service === "glance")).toMatchObject({ class: "none", where: expect.stringContaining("not backed up: no state") });
    expect(c.freeGb).toBe(20);
    expect(c.offsiteGi).toBe(c.rows.reduce((s, r) => s + r.offsiteGi, 0));
    expect(backupCoverage([], { ...store, provider: "ovh" }, "home").freeGb).toBeUndefined();
  });

  it("on prod, the host's library folders with their classes", () => {
    const c = backupCoverage(entriesFor("prod"), store, "home", { folders: { critical: ["photos"], local: ["films"] }, localMount: "/mnt/backup", snapshots: { hourly: 24, daily: 30, weekly: 8, monthly: 12 } }, catalog);
    expect(c.rows.filter((r) => r.item.startsWith("library")).map((r) => [r.class, r.item, r.offsiteGi])).toEqual([
      ["critical", "library photos", 1000],
      ["local", "library films", 0],
    ]);
  });
});

describe("the management VM's nightly dump", () => {
  const w = vmBackupWorkload(store);
  const backup = w.services.backup as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

  it("runs the restic scripts on Authentik's database, as the container the backup rules read, with restic beside pg_dump", () => {
    expect(backup.container_name).toBe("backup");
    expect(backup.image).toBe("docker.io/library/postgres:17.6-bookworm");
    expect(backup.depends_on).toEqual({ "backup-tools": { condition: "service_completed_successfully" }, postgres: { condition: "service_healthy" } });
    expect(w.services["backup-tools"]).toMatchObject({ image: "docker.io/restic/restic:0.19.1", entrypoint: ["cp", "/usr/bin/restic", "/tools/restic"] });
    expect(backup.environment.RESTIC_REPOSITORY).toBe("s3:https://ns.compat.objectstorage.eu-paris-1.oraclecloud.com/homelab-backups/restic/management-vm/authentik-database");
    expect(w.files[0].content).toBe(backupScript(authentikDatabaseJob));
    expect(w.files[0].content).toContain("pg_dump -h 'postgres' -p 5432 -U 'authentik'");
    expect(w.envNames).toEqual(["BACKUP_PASSWORD_B64", "BACKUP_S3_ACCESS_KEY_ID", "BACKUP_S3_SECRET_ACCESS_KEY"]);
  });

  it("sleeps until the night's time, then runs the job, every day; compose's $ escaped", () => {
    const loop = vmBackupLoop();
    expect(loop).toContain('next=$(date -u -d "today 02:15" +%s)');
    expect(loop).toContain("bash /scripts/backup.sh ||");
    expect(bashSyntax(loop)).toBe(0);
    expect(backup.command[0]).toBe(loop.replace(/\$/g, "$$$$"));
  });

  it("copies Omni's state while Omni is stopped, and starts Omni again whatever the copy did", () => {
    const script = omniStoppedScript(store);
    const lines = script.split("\n");
    const at = (prefix: string) => lines.findIndex((l) => l.startsWith(prefix));
    expect(at("docker compose stop omni")).toBeLessThan(at("docker compose exec -T -e RESTIC_REPOSITORY='s3:https://ns.compat.objectstorage.eu-paris-1.oraclecloud.com/homelab-backups/restic/management-vm/omni-state' backup bash -c"));
    expect(at("docker compose exec")).toBeLessThan(at("docker compose start omni"));
    expect(script).not.toMatch(/set -e/);
    expect(script.trimEnd().endsWith("exit $rc")).toBe(true);
    expect(bashSyntax(script)).toBe(0);
    expect(omniStateJob.source).toEqual({ kind: "files", paths: ["/omni"] });
    expect(backup.volumes).toEqual(expect.arrayContaining(["./omni:/omni:ro", "./backup/omni-state.sh:/scripts/omni-state.sh:ro"]));
    expect(backup.networks).toEqual(["backend", "default"]);
    expect(omniBackupUnits().timer).toContain("OnCalendar=*-*-* 02:45:00 UTC\n");
    expect(omniBackupUnits().service).toContain("ExecStart=/bin/bash /opt/homelab/backup/omni-stopped.sh\n");
    expect(w.steps.join("\n")).toContain("sudo systemctl enable --now homelab-omni-backup.timer");
  });

  it("its .env values: the password base64 (any character survives), the key as it is, a strange key refused", () => {
    expect(vmBackupEnvValues({ password: "a'b $c\nd", accessKeyId: "AKID", secretAccessKey: "s/e+c=" })).toEqual({ BACKUP_PASSWORD_B64: Buffer.from("a'b $c\nd").toString("base64"), BACKUP_S3_ACCESS_KEY_ID: "AKID", BACKUP_S3_SECRET_ACCESS_KEY: "s/e+c=" });
    expect(() => vmBackupEnvValues({ password: "p", accessKeyId: "A", secretAccessKey: "s\nx" })).toThrow("backup store secretAccessKey: expected letters, digits, + / = _ - only (the value is not shown)");
  });
});
