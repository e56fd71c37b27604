// The backup policies, each with what passes and what fails, on objects
// shaped like the ones components/backup/kubernetes.ts renders
// (backupsProgram.test.ts runs them on the real cloud program).
import { backupRetentionPolicy, backupsEncryptedPolicy, criticalBackupsPolicy, durationHours } from "../../policies/rules/backups";
import { types } from "../../policies/rules/types";
import { ResourceUnderPolicy, messages, resource, runPolicies, secret } from "./fixtures";

const ns = "vaultwarden";
const claim = (labels: Record<string, string>, storageClassName = "local-path", name = "vaultwarden-data") => resource(types.persistentVolumeClaim, `pvc-${name}`, { metadata: { name, namespace: ns, labels }, spec: { storageClassName } });
const source = (over: Record<string, unknown> = {}) =>
  resource(types.replicationSource, "rs", { metadata: { name: "vaultwarden-data-offsite", namespace: ns }, spec: { sourcePVC: "vaultwarden-data", trigger: { schedule: "30 2 * * *" }, restic: { repository: "vaultwarden-data-offsite", copyMethod: "Direct", pruneIntervalDays: 7, retain: { daily: 14, weekly: 8, monthly: 12 }, ...over } } });
const schedule = (namespaces: string[], ttl: unknown = "336h0m0s") =>
  resource(types.veleroSchedule, "critical-daily", { metadata: { name: "critical-daily", namespace: "velero" }, spec: { schedule: "30 1 * * *", template: { includedNamespaces: namespaces, ttl } } });
const database = (labels: Record<string, string>) => resource(types.cnpgCluster, "db", { metadata: { name: "vaultwarden-db", namespace: ns, labels }, spec: { instances: 1 } });
const dumpScript = "restic cat config || restic init\npg_dump -h db ...\nrestic backup --tag x /var/tmp\nrestic forget --tag x --keep-daily 14 --keep-weekly 8 --keep-monthly 12 --prune";
const cronJob = (script: string, env: Record<string, unknown>[] = [{ name: "RESTIC_PASSWORD_FILE", value: "/secrets/offsite/RESTIC_PASSWORD" }], namespace = ns) =>
  resource(types.cronJob, `backup-database-${namespace}`, { metadata: { name: "backup-database", namespace }, spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: "backup", command: ["/bin/bash", "-c", script], env }] } } } } } });
const k8sSecret = (name: string, namespace: string, stringData: Record<string, string>) => resource(types.secret, `secret-${namespace}-${name}`, { metadata: { name, namespace }, stringData: secret(stringData) });
const location = () => resource(types.veleroStorageLocation, "bsl", { metadata: { name: "offsite", namespace: "velero" }, spec: { provider: "aws", objectStorage: { bucket: "homelab-backups" } } });
const bucket = (accessType: string) => resource(types.ociBucket, "backup-bucket", { name: "homelab-backups", accessType });

describe("critical-data-offsite", () => {
  const check = (rs: ResourceUnderPolicy[], firstPreview = false) => runPolicies([criticalBackupsPolicy], rs, {}, { firstPreview });
  const covered = () => [claim({ "homelab.io/backup": "critical" }), source(), schedule([ns]), database({ "homelab.io/backup": "critical" }), cronJob(dumpScript)];

  test("passes when every critical claim has its ReplicationSource and schedule, and the database its dump", async () => {
    expect(await check(covered())).toEqual([]);
  });

  test("a critical claim without a ReplicationSource fails", async () => {
    expect(messages(await check(covered().filter((r) => r.type !== types.replicationSource)))).toEqual([
      "critical-data-offsite: critical claim vaultwarden/vaultwarden-data has no VolSync ReplicationSource with a restic repository; expected its offsite copy (components/backup/kubernetes.ts)",
    ]);
  });

  test("a ReplicationSource of another claim, or without a repository, does not cover it", async () => {
    const other = source();
    (other.inputs.spec as Record<string, unknown>).sourcePVC = "vaultwarden-other";
    expect(await check([...covered().filter((r) => r.type !== types.replicationSource), other])).toHaveLength(1);
    expect(await check([...covered().filter((r) => r.type !== types.replicationSource), source({ repository: "" })])).toHaveLength(1);
  });

  test("a critical claim whose namespace no Velero Schedule includes fails", async () => {
    expect(messages(await check([...covered().filter((r) => r.type !== types.veleroSchedule), schedule(["mealie"])]))).toEqual([
      "critical-data-offsite: critical claim vaultwarden/vaultwarden-data is in no Velero Schedule's includedNamespaces; expected the critical schedules to include vaultwarden",
    ]);
  });

  test("a critical database without its dump CronJob fails, and a CronJob without pg_dump is no dump", async () => {
    const expected = ["critical-data-offsite: critical database vaultwarden/vaultwarden-db has no dump CronJob (pg_dump and restic backup) in its namespace; expected its nightly offsite dump"];
    expect(messages(await check(covered().filter((r) => r.type !== types.cronJob)))).toEqual(expected);
    expect(messages(await check([...covered().filter((r) => r.type !== types.cronJob), cronJob(dumpScript.replace("pg_dump", "tar"))]))).toEqual(expected);
    expect(messages(await check([...covered().filter((r) => r.type !== types.cronJob), cronJob(dumpScript, undefined, "mealie")]))).toEqual(expected);
  });

  test("a dump CronJob with a sidecar is still the dump; a Schedule of every namespace covers the claim", async () => {
    const withSidecar = cronJob(dumpScript);
    const podSpec = (((withSidecar.inputs.spec as Record<string, unknown>).jobTemplate as Record<string, unknown>).spec as { template: { spec: { containers: unknown[] } } }).template.spec;
    podSpec.containers.push({ name: "sidecar", command: ["sleep", "60"] });
    expect(await check([...covered().filter((r) => r.type !== types.cronJob), withSidecar])).toEqual([]);
    expect(await check([...covered().filter((r) => r.type !== types.veleroSchedule), schedule(["*"])])).toEqual([]);
  });

  test("a ReplicationSource whose repository is not text, or in another namespace, does not cover the claim", async () => {
    const numeric = source({ repository: 42 });
    expect(await check([...covered().filter((r) => r.type !== types.replicationSource), numeric])).toHaveLength(1);
    const elsewhere = source();
    (elsewhere.inputs.metadata as Record<string, unknown>).namespace = "mealie";
    expect(await check([...covered().filter((r) => r.type !== types.replicationSource), elsewhere])).toHaveLength(1);
  });

  test("a critical claim or database without a name (a first preview's) is not judged", async () => {
    const unnamedClaim = resource(types.persistentVolumeClaim, "pvc-unnamed", { metadata: { namespace: ns, labels: { "homelab.io/backup": "critical" } }, spec: {} });
    const unnamedDb = resource(types.cnpgCluster, "db-unnamed", { metadata: { namespace: ns, labels: { "homelab.io/backup": "critical" } }, spec: {} });
    expect(await check([unnamedClaim, unnamedDb])).toEqual([]);
  });

  test("objects of odd shapes are read as empty, not as a crash", async () => {
    const odd = [
      resource(types.persistentVolumeClaim, "pvc-odd", { metadata: ["x"], spec: null }),
      resource(types.replicationSource, "rs-odd", { metadata: { name: "rs", namespace: ns }, spec: ["x"] }),
      resource(types.veleroSchedule, "sched-odd", { metadata: { name: "s", namespace: "velero" }, spec: { template: { includedNamespaces: "vaultwarden" } } }),
      resource(types.cronJob, "cron-odd", { metadata: { name: "c", namespace: ns }, spec: { jobTemplate: { spec: { template: { spec: { containers: "restic backup" } } } } } }),
    ];
    expect(await check(odd)).toEqual([]);
    // A claim named in metadata given as a list has no name: not judged; one with a name but an odd schedule is uncovered.
    expect(messages(await check([claim({ "homelab.io/backup": "critical" }), source(), odd[2]]))).toEqual([
      "critical-data-offsite: critical claim vaultwarden/vaultwarden-data is in no Velero Schedule's includedNamespaces; expected the critical schedules to include vaultwarden",
    ]);
  });

  test("library folders (the host copies them), other classes and a first preview's blind objects are not judged", async () => {
    expect(await check([claim({ "homelab.io/backup": "critical" }, "nfs-media", "photos")])).toEqual([]);
    expect(await check([claim({ "homelab.io/backup": "local" }), database({ "homelab.io/backup": "none" })])).toEqual([]);
    expect(await check([claim({ "homelab.io/backup": "critical" })], true)).toEqual([]);
  });
});

describe("backups-encrypted", () => {
  const check = (rs: ResourceUnderPolicy[]) => runPolicies([backupsEncryptedPolicy], rs);
  const good = () => [
    location(),
    k8sSecret("velero-repo-credentials", "velero", { "repository-password": "correct horse battery staple" }),
    source(),
    k8sSecret("vaultwarden-data-offsite", ns, { RESTIC_REPOSITORY: "s3:https://x/b/p", RESTIC_PASSWORD: "correct horse battery staple" }),
    cronJob(dumpScript),
    bucket("NoPublicAccess"),
  ];

  test("passes when every writer holds the stack's password and the bucket is private", async () => {
    expect(await check(good())).toEqual([]);
  });

  test("a Velero storage location without its repository secret fails (Velero would use its default)", async () => {
    expect(messages(await check(good().filter((r) => r.name !== "secret-velero-velero-repo-credentials")))).toEqual([
      "backups-encrypted: Velero storage location velero/offsite has no velero-repo-credentials Secret with repository-password beside it; Velero would create one with its default password",
    ]);
  });

  test("Velero's default password fails", async () => {
    const rs = good().map((r) => (r.name === "secret-velero-velero-repo-credentials" ? k8sSecret("velero-repo-credentials", "velero", { "repository-password": "static-passw0rd" }) : r));
    expect(messages(await check(rs))).toEqual(["backups-encrypted: Velero's velero/velero-repo-credentials holds Velero's default password; expected the stack's backupRepositoryPassword"]);
  });

  test("a ReplicationSource whose Secret has no RESTIC_PASSWORD fails", async () => {
    const rs = good().map((r) => (r.name === `secret-${ns}-vaultwarden-data-offsite` ? k8sSecret("vaultwarden-data-offsite", ns, { RESTIC_REPOSITORY: "s3:https://x/b/p" }) : r));
    expect(messages(await check(rs))).toEqual([
      'backups-encrypted: ReplicationSource vaultwarden/vaultwarden-data-offsite: its repository Secret "vaultwarden-data-offsite" is missing or has no RESTIC_PASSWORD; expected the stack\'s repository password',
    ]);
  });

  test("a password given base64-encoded in data counts; a Secret of the same name in another namespace does not", async () => {
    const encoded = resource(types.secret, "secret-velero-velero-repo-credentials", { metadata: { name: "velero-repo-credentials", namespace: "velero" }, data: secret({ "repository-password": Buffer.from("correct horse battery staple").toString("base64") }) });
    expect(await check(good().map((r) => (r.name === "secret-velero-velero-repo-credentials" ? encoded : r)))).toEqual([]);
    const defaultEncoded = resource(types.secret, "secret-velero-velero-repo-credentials", { metadata: { name: "velero-repo-credentials", namespace: "velero" }, data: secret({ "repository-password": Buffer.from("static-passw0rd").toString("base64") }) });
    expect(messages(await check(good().map((r) => (r.name === "secret-velero-velero-repo-credentials" ? defaultEncoded : r))))).toEqual(["backups-encrypted: Velero's velero/velero-repo-credentials holds Velero's default password; expected the stack's backupRepositoryPassword"]);
    const elsewhere = good().map((r) => (r.name === `secret-${ns}-vaultwarden-data-offsite` ? k8sSecret("vaultwarden-data-offsite", "mealie", { RESTIC_PASSWORD: "p" }) : r));
    expect(await check(elsewhere)).toHaveLength(1);
    const otherName = good().map((r) => (r.name === "secret-velero-velero-repo-credentials" ? k8sSecret("velero-other", "velero", { "repository-password": "p" }) : r));
    expect(await check(otherName)).toHaveLength(1);
  });

  test("a password file named with no value, or under another name, is no password file; a CronJob that does not back up is not judged", async () => {
    const expected = ["backups-encrypted: backup CronJob vaultwarden/backup-database sets no RESTIC_PASSWORD_FILE; expected the repository password from its Secret"];
    expect(messages(await check(good().map((r) => (r.type === types.cronJob ? cronJob(dumpScript, [{ name: "RESTIC_PASSWORD_FILE", value: "" }]) : r))))).toEqual(expected);
    expect(messages(await check(good().map((r) => (r.type === types.cronJob ? cronJob(dumpScript, [{ name: "RESTIC_PASSWORD", value: "/x" }]) : r))))).toEqual(expected);
    expect(await check(good().map((r) => (r.type === types.cronJob ? cronJob("occ background:cron", []) : r)))).toEqual([]);
  });

  test("objects without a name are not judged", async () => {
    const unnamed = (type: string, id: string) => resource(type, id, { metadata: { namespace: "velero" }, spec: {} });
    expect(await check([unnamed(types.veleroStorageLocation, "bsl-x"), unnamed(types.replicationSource, "rs-x")])).toEqual([]);
  });

  test("a backup CronJob without a password file and a public bucket fail", async () => {
    const rs = good().map((r) => (r.type === types.cronJob ? cronJob(dumpScript, []) : r.type === types.ociBucket ? bucket("ObjectRead") : r));
    expect(messages(await check(rs))).toEqual([
      "backups-encrypted: backup CronJob vaultwarden/backup-database sets no RESTIC_PASSWORD_FILE; expected the repository password from its Secret",
      'backups-encrypted: bucket homelab-backups has accessType "ObjectRead"; expected NoPublicAccess',
    ]);
  });
});

describe("backup-retention", () => {
  const check = (rs: ResourceUnderPolicy[]) => runPolicies([backupRetentionPolicy], rs);

  test("passes for a schedule with a TTL, a source with retain and prune, a CronJob that forgets", async () => {
    expect(await check([schedule([ns]), source(), cronJob(dumpScript)])).toEqual([]);
  });

  test.each([[undefined], ["14d"], ["0h0m0s"], [""], ["23h59m59s"], ["1439m"], ["86399s"], ["x24h"], ["24h "], ["24"], [336]])("a Velero Schedule with ttl %p fails", async (ttl) => {
    const s = schedule([ns], ttl);
    // Unset: the key is absent, as the program would leave it.
    if (ttl === undefined) delete ((s.inputs.spec as Record<string, unknown>).template as Record<string, unknown>).ttl;
    expect(messages(await check([s]))).toEqual([`backup-retention: Velero Schedule critical-daily has ttl ${JSON.stringify(ttl ?? null)}; expected a retention of at least 24h, like 336h0m0s (unset, Velero keeps each backup 30 days)`]);
  });

  test.each([["24h"], ["1440m"], ["86400s"], ["23h60m"], ["23h59m60s"], ["720h0m0s"]])("a Velero Schedule with ttl %p passes", async (ttl) => {
    expect(await check([schedule([ns], ttl)])).toEqual([]);
  });

  test("reads Go durations as Velero does", () => {
    expect([durationHours("1h30m"), durationHours("90m"), durationHours("5400s"), durationHours("0h"), durationHours("2h0m36s")]).toEqual([1.5, 1.5, 1.5, 0, 2.01]);
    expect([durationHours(""), durationHours("1d"), durationHours("h"), durationHours(null)]).toEqual([undefined, undefined, undefined, undefined]);
  });

  test.each([["hourly", 24], ["daily", 7], ["weekly", 4], ["monthly", 12], ["yearly", 2], ["within", "30d"]])("a ReplicationSource keeping by %s alone passes", async (key, value) => {
    expect(await check([source({ retain: { [key]: value } })])).toEqual([]);
  });

  test.each([[{ within: "" }], [{ daily: "7" }], [{ daily: 1.5 }], [{ within: 30 }], [{ last: 5 }]])("a ReplicationSource with retain %j fails", async (retain) => {
    expect(messages(await check([source({ retain })]))).toEqual(["backup-retention: ReplicationSource rs has no restic retain policy; expected e.g. daily, weekly and monthly counts (unset, every snapshot is kept)"]);
  });

  test("a ReplicationSource without retain or prune interval fails", async () => {
    expect(messages(await check([source({ retain: undefined, pruneIntervalDays: undefined })]))).toEqual([
      "backup-retention: ReplicationSource rs has no restic retain policy; expected e.g. daily, weekly and monthly counts (unset, every snapshot is kept)",
      "backup-retention: ReplicationSource rs sets no pruneIntervalDays; expected a whole number of days (forgotten snapshots' data is only freed by a prune)",
    ]);
    expect(await check([source({ retain: { daily: 0 } })])).toHaveLength(1);
  });

  test("a backup CronJob forgets in any of its containers (a sidecar need not)", async () => {
    const withSidecar = cronJob(dumpScript);
    const podSpec = (((withSidecar.inputs.spec as Record<string, unknown>).jobTemplate as Record<string, unknown>).spec as { template: { spec: { containers: unknown[] } } }).template.spec;
    podSpec.containers.push({ name: "sidecar", command: ["sleep", "60"] });
    expect(await check([withSidecar])).toEqual([]);
  });

  test("a backup CronJob that never forgets, or forgets without pruning, fails; other CronJobs are not judged", async () => {
    const expected = ["backup-retention: backup CronJob backup-database-vaultwarden runs restic backup without restic forget --keep-* --prune; expected its class's retention"];
    expect(messages(await check([cronJob("restic backup /data")]))).toEqual(expected);
    expect(messages(await check([cronJob(dumpScript.replace(" --prune", ""))]))).toEqual(expected);
    expect(await check([cronJob("occ background:cron")])).toEqual([]);
  });
});
