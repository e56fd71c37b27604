// Backups on a Kubernetes cluster (FR-024, FR-025, NFR-005), derived from
// the catalog entries the cluster runs. Only `critical` entries leave the
// site; `local` ones stay on the host's ZFS snapshots and copies, `none` on
// nothing (the plan says which is which).
//
// Every night, in this order (UTC):
//   01:00  each critical database is dumped by the restic scripts
//          (restic.ts) straight into its own repository: a consistent copy,
//          with the row counts and checksums that prove a restore;
//   01:30  Velero backs up the critical namespaces (objects, and their
//          volumes through kopia) - the database volumes skipped: the dump
//          is their copy;
//   02:30  VolSync copies each critical data volume into a restic
//          repository of its own (a second, independent offsite copy of the
//          family's files, restorable one volume at a time).
// Every Sunday from 05:00, a drill per critical database restores the newest
// dump into a scratch PostgreSQL in the backup-drill namespace, checks it
// against its fingerprint and prints its result line (alerts.ts).
//
// Everything written is encrypted before it leaves: restic and VolSync with
// the stack's repository password, Velero's kopia with the same password in
// velero-repo-credentials (Velero would otherwise create that secret with a
// well-known default). Pure: the components create the objects, the secrets'
// values come from the stack's secret config.
import { imageString, backupImages, serviceImages } from "../../config/versions";
import type { BackupClass } from "../../contract/labels";
import { resticPasswordKey, veleroRepositorySecret } from "../../contract/backup";
import { appUser } from "../../services/appTemplate";
import type { DataVolume, ServiceEntry } from "../../services/entry";
import { backupContainer, drillContainer } from "../monitoring/logRules";
import { Manifest, namespace as namespaceManifest } from "../platform/context";
import { resources } from "../platform/resources";
import { claimNameOf, databaseNameOf } from "../service/manifests";
import { BackupJob, Retention, backupScript, drillScript, retentionByClass } from "./restic";
import { StoreLocation, resticRepository, storeHost, storePrefixes, veleroStoreConfig } from "./store";

export const veleroNamespace = "velero";
export const drillNamespace = "backup-drill";
/** Velero's two secrets: the store's key (an AWS credentials file) and the kopia repositories' password. */
export const veleroSecrets = {
  store: { name: "velero-offsite", key: "cloud" },
  // The name and key Velero reads the repository password from (it creates them with a default when absent).
  repository: veleroRepositorySecret,
} as const;
export const backupStorageLocation = "offsite";
export const volumePolicyConfigMap = "backup-volume-policy";
/** In every namespace that runs backup pods: the repository password and the store's key, as environment and as a file. */
export const offsiteSecret = "backup-offsite";
/** Backup pods carry it; the network policy that lets them reach the store selects it. */
export const moverLabel = "homelab.io/backup-mover";
/** VolSync runs a copy as root only in a namespace that says so. */
export const privilegedMoversAnnotation = "volsync.backube/privileged-movers";

/** The night's order (UTC, five-field cron): dumps, then Velero, then VolSync; the drills on Sundays. */
export const backupSchedules = {
  databases: "0 1 * * *",
  velero: { daily: "30 1 * * *", weekly: "45 1 * * 0", monthly: "0 2 1 * *" },
  volumes: "30 2 * * *",
} as const;

/** The Sunday drills, a quarter of an hour apart from 05:00 (one scratch PostgreSQL at a time). */
export const drillSchedule = (i: number): string => `${(i % 4) * 15} ${5 + Math.floor(i / 4)} * * 0`;

/** Velero's time-to-live for each of a class's schedules: as many days, weeks and months as restic keeps. */
export function veleroTtls(r: Retention): { daily: string; weekly: string; monthly: string } {
  return { daily: `${r.daily * 24}h0m0s`, weekly: `${r.weekly * 7 * 24}h0m0s`, monthly: `${r.monthly * 31 * 24}h0m0s` };
}

/** What a cluster backs up, from the entries it runs. */
export interface ClusterBackupScope {
  cluster: string;
  entries: readonly ServiceEntry[];
}

const critical = (entries: readonly ServiceEntry[]) => entries.filter((e) => e.backup === "critical");
const dataVolumes = (e: ServiceEntry): DataVolume[] => e.volumes.filter((v): v is DataVolume => v.kind === "data");
/** The stack's secrets every backup writer holds: the repositories' password and the store's key. */
export interface BackupKeys {
  password: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/** Critical entries with a data volume (VolSync copies them). */
export const criticalVolumeEntries = (entries: readonly ServiceEntry[]): ServiceEntry[] => critical(entries).filter((e) => dataVolumes(e).length > 0);

/** Critical entries with something of their own to copy (a data volume or a database): the namespaces Velero backs up. */
export const criticalNamespaces = (entries: readonly ServiceEntry[]): string[] => critical(entries).filter((e) => dataVolumes(e).length > 0 || e.database).map((e) => e.name).sort();

/** The restic job that dumps an entry's database (its tag, its repository's prefix). */
export function databaseJob(cluster: string, entry: ServiceEntry): BackupJob {
  if (!entry.database) throw new Error(`backup: ${entry.name} has no database`);
  if (entry.backup === "none") throw new Error(`backup: ${entry.name} is not backed up (backup: none)`);
  return {
    name: `${cluster}-${entry.name}-database`,
    class: entry.backup,
    // CloudNativePG's read-write Service and the owner it creates (manifests.ts).
    source: { kind: "postgres", host: `${databaseNameOf(entry)}-rw.${entry.name}.svc`, port: 5432, database: entry.name, user: entry.name },
    retention: retentionByClass[entry.backup],
  };
}

/** The repository of an entry's database dumps on a cluster (the dump job and the drill read the same one). */
export const databaseRepository = (store: StoreLocation, cluster: string, entry: ServiceEntry) => resticRepository(store, storePrefixes.job(cluster, `${entry.name}-database`));

// ---------------------------------------------------------------- Velero

export function veleroObjects(scope: ClusterBackupScope, store: StoreLocation): Manifest[] {
  const namespaces = criticalNamespaces(scope.entries);
  const location: Manifest = {
    apiVersion: "velero.io/v1",
    kind: "BackupStorageLocation",
    metadata: { name: backupStorageLocation, namespace: veleroNamespace },
    spec: {
      provider: "aws",
      default: true,
      accessMode: "ReadWrite",
      objectStorage: { bucket: store.bucket, prefix: storePrefixes.velero(scope.cluster) },
      config: veleroStoreConfig(store),
      credential: { name: veleroSecrets.store.name, key: veleroSecrets.store.key },
      // Every check and sync is a request against the store's monthly allowance (OCI's free tier: 50,000).
      validationFrequency: "12h0m0s",
      backupSyncPeriod: "1h0m0s",
    },
  };
  // The family's files go through kopia; the library (NFS, the host's ZFS and its own copies) and the databases' volumes (dumped) do not.
  const policy: Manifest = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: volumePolicyConfigMap, namespace: veleroNamespace },
    data: {
      "policy.yaml": [
        "version: v1",
        "volumePolicies:",
        "  - conditions:",
        "      nfs: {}",
        "    action:",
        "      type: skip",
        "  - conditions:",
        "      pvcLabels:",
        "        cnpg.io/pvcRole: PG_DATA",
        "    action:",
        "      type: skip",
        "  - conditions: {}",
        "    action:",
        "      type: fs-backup",
        "",
      ].join("\n"),
    },
  };
  if (namespaces.length === 0) return [location];
  const ttl = veleroTtls(retentionByClass.critical);
  const schedule = (period: keyof typeof ttl): Manifest => ({
    apiVersion: "velero.io/v1",
    kind: "Schedule",
    metadata: { name: `critical-${period}`, namespace: veleroNamespace, labels: { "homelab.io/backup-class": "critical" } },
    spec: {
      schedule: backupSchedules.velero[period],
      useOwnerReferencesInBackup: false,
      template: {
        includedNamespaces: namespaces,
        storageLocation: backupStorageLocation,
        ttl: ttl[period],
        snapshotVolumes: false,
        defaultVolumesToFsBackup: true,
        resourcePolicy: { kind: "configmap", name: volumePolicyConfigMap },
      },
    },
  });
  return [location, policy, schedule("daily"), schedule("weekly"), schedule("monthly")];
}

/** Velero's AWS credentials file for the store's key. */
export const veleroCredentialsFile = (accessKeyId: string, secretAccessKey: string): string => `[default]\naws_access_key_id=${accessKeyId}\naws_secret_access_key=${secretAccessKey}\n`;

// ---------------------------------------------------------------- per entry

/** The values of a namespace's offsite Secret (RESTIC_PASSWORD for restic and VolSync, the AWS_* for the S3 store). */
export function offsiteSecretData(store: StoreLocation, keys: BackupKeys, repository?: string): Record<string, string> {
  return {
    ...(repository ? { RESTIC_REPOSITORY: repository } : {}),
    [resticPasswordKey]: keys.password,
    AWS_ACCESS_KEY_ID: keys.accessKeyId,
    AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
    AWS_DEFAULT_REGION: store.region,
  };
}

/** A Secret the component fills with the stack's secrets: its name, namespace, and the repository it opens (VolSync's carry theirs). */
export interface OffsiteSecretSpec {
  name: string;
  namespace: string;
  repository?: string;
}

/** Runs as the user that owns the app's files, or (in a namespace that allows it) as root. */
function moverIdentity(entry: ServiceEntry): { privileged: true } | { privileged: false; uid: number } {
  return entry.podSecurity.level === "restricted" ? { privileged: false, uid: entry.dataUid ?? appUser } : { privileged: true };
}

/** How VolSync's pods run for an entry's volumes, copy or restore: labelled for the store's network policy, as the app's user or (allowed) root. */
function moverSettings(entry: ServiceEntry): Record<string, unknown> {
  const id = moverIdentity(entry);
  return {
    moverPodLabels: { [moverLabel]: "true" },
    ...(id.privileged ? {} : { moverSecurityContext: { runAsNonRoot: true, runAsUser: id.uid, runAsGroup: id.uid, fsGroup: id.uid, seccompProfile: { type: "RuntimeDefault" } } }),
  };
}

/** The annotation of a critical entry's namespace whose copies run as root. */
export function namespaceBackupAnnotations(entry: ServiceEntry): Record<string, string> {
  return entry.backup === "critical" && dataVolumes(entry).length > 0 && moverIdentity(entry).privileged ? { [privilegedMoversAnnotation]: "true" } : {};
}

const volumeSourceName = (entry: ServiceEntry, v: DataVolume) => `${claimNameOf(entry, v)}-offsite`;

function replicationSource(entry: ServiceEntry, v: DataVolume): Manifest {
  const r = retentionByClass.critical;
  return {
    apiVersion: "volsync.backube/v1alpha1",
    kind: "ReplicationSource",
    metadata: { name: volumeSourceName(entry, v), namespace: entry.name, labels: { "homelab.io/backup-class": "critical" } },
    spec: {
      sourcePVC: claimNameOf(entry, v),
      trigger: { schedule: backupSchedules.volumes },
      restic: {
        repository: volumeSourceName(entry, v),
        // The live volume, mounted beside the app (no CSI snapshots here): files are copied as they are; databases have their dumps.
        copyMethod: "Direct",
        pruneIntervalDays: 7,
        retain: { daily: r.daily, weekly: r.weekly, monthly: r.monthly },
        ...moverSettings(entry),
      },
    },
  };
}

/**
 * The object that brings a critical volume back (not applied by the
 * program: the restore runbook applies it by hand, the app stopped): VolSync
 * restores the newest snapshot of the volume's repository into the existing
 * claim, as the same user the copies run as. `npm run plan` writes one per
 * critical volume under out/<stack>/restore/.
 */
export function volumeRestore(entry: ServiceEntry, v: DataVolume): Manifest {
  return {
    apiVersion: "volsync.backube/v1alpha1",
    kind: "ReplicationDestination",
    metadata: { name: `${claimNameOf(entry, v)}-restore`, namespace: entry.name },
    spec: {
      // Once, when applied; a new value of `manual` runs it again.
      trigger: { manual: "restore-once" },
      restic: {
        repository: volumeSourceName(entry, v),
        destinationPVC: claimNameOf(entry, v),
        copyMethod: "Direct",
        ...moverSettings(entry),
      },
    },
  };
}

/** Every critical volume's restore object, for the runbook. */
export const volumeRestores = (entries: readonly ServiceEntry[]): Manifest[] => critical(entries).flatMap((e) => dataVolumes(e).map((v) => volumeRestore(e, v)));

const restrictedSecurity = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" } };
/** CloudNativePG's images run PostgreSQL's tools as the postgres user (26). */
const postgresUser = 26;
const toolsDir = "/tools";
const scratchDir = "/var/tmp";

/** A pod that runs one of the restic scripts with PostgreSQL's tools beside restic (copied from restic's own image). */
function resticPod(a: { container: string; image: string; script: string; env: Record<string, unknown>[]; repository: string }): Record<string, unknown> {
  return {
    metadata: { labels: { [moverLabel]: "true" } },
    spec: {
      restartPolicy: "Never",
      automountServiceAccountToken: false,
      securityContext: { runAsNonRoot: true, runAsUser: postgresUser, runAsGroup: postgresUser, fsGroup: postgresUser, seccompProfile: { type: "RuntimeDefault" } },
      initContainers: [
        {
          name: "restic",
          image: imageString(backupImages.restic),
          command: ["cp", "/usr/bin/restic", `${toolsDir}/restic`],
          securityContext: restrictedSecurity,
          volumeMounts: [{ name: "tools", mountPath: toolsDir }],
          resources: resources("10m", "16Mi", "100m", "64Mi"),
        },
      ],
      containers: [
        {
          name: a.container,
          image: a.image,
          command: ["/bin/bash", "-c", `export PATH="${toolsDir}:$PATH"\n${a.script}`],
          env: [
            { name: "RESTIC_REPOSITORY", value: a.repository },
            { name: "RESTIC_PASSWORD_FILE", value: "/secrets/offsite/RESTIC_PASSWORD" },
            { name: "RESTIC_CACHE_DIR", value: `${scratchDir}/restic-cache` },
            { name: "HOME", value: scratchDir },
            ...["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION"].map((key) => ({ name: key, valueFrom: { secretKeyRef: { name: offsiteSecret, key } } })),
            ...a.env,
          ],
          securityContext: restrictedSecurity,
          volumeMounts: [
            { name: "tools", mountPath: toolsDir, readOnly: true },
            { name: "scratch", mountPath: scratchDir },
            { name: "offsite", mountPath: "/secrets/offsite", readOnly: true },
          ],
          resources: resources("50m", "128Mi", "1", "1Gi"),
        },
      ],
      volumes: [
        { name: "tools", emptyDir: {} },
        { name: "scratch", emptyDir: {} },
        { name: "offsite", secret: { secretName: offsiteSecret, items: [{ key: "RESTIC_PASSWORD", path: "RESTIC_PASSWORD" }], defaultMode: 0o400 } },
      ],
    },
  };
}

function cronJob(name: string, namespace: string, schedule: string, pod: Record<string, unknown>, backupClass: BackupClass): Manifest {
  return {
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: { name, namespace, labels: { "homelab.io/backup-class": backupClass } },
    spec: {
      schedule,
      timeZone: "Etc/UTC",
      concurrencyPolicy: "Forbid",
      startingDeadlineSeconds: 3600,
      successfulJobsHistoryLimit: 1,
      failedJobsHistoryLimit: 3,
      jobTemplate: { spec: { backoffLimit: 1, activeDeadlineSeconds: 4 * 3600, template: pod } },
    },
  };
}

const databaseImage = (entry: ServiceEntry) => imageString(entry.database?.image ?? serviceImages.postgres);

function databaseCronJob(cluster: string, store: StoreLocation, entry: ServiceEntry): Manifest {
  const job = databaseJob(cluster, entry);
  const pod = resticPod({
    container: backupContainer,
    image: databaseImage(entry),
    script: backupScript(job),
    repository: databaseRepository(store, cluster, entry),
    env: [{ name: "PGPASSWORD", valueFrom: { secretKeyRef: { name: `${databaseNameOf(entry)}-app`, key: "password" } } }],
  });
  return cronJob("backup-database", entry.name, backupSchedules.databases, pod, entry.backup);
}

/** Backup pods may reach the store (by name, port 443); everything else the namespace's own policy decides. */
function storeEgress(namespace: string, store: StoreLocation): Manifest {
  return {
    apiVersion: "cilium.io/v2",
    kind: "CiliumNetworkPolicy",
    metadata: { name: "backup-offsite", namespace },
    spec: {
      endpointSelector: { matchLabels: { [moverLabel]: "true" } },
      egress: [{ toFQDNs: [{ matchName: storeHost(store) }], toPorts: [{ ports: [{ port: "443", protocol: "TCP" }] }] }],
    },
  };
}

/** One entry's backup objects on one cluster, and the Secrets the component fills. */
export function entryBackupObjects(cluster: string, entry: ServiceEntry, store: StoreLocation): { manifests: Manifest[]; secrets: OffsiteSecretSpec[] } {
  if (entry.backup !== "critical") return { manifests: [], secrets: [] };
  const volumes = dataVolumes(entry);
  if (volumes.length === 0 && !entry.database) return { manifests: [], secrets: [] };
  const secrets: OffsiteSecretSpec[] = [
    { name: offsiteSecret, namespace: entry.name },
    ...volumes.map((v) => ({ name: volumeSourceName(entry, v), namespace: entry.name, repository: resticRepository(store, storePrefixes.volume(cluster, entry.name, claimNameOf(entry, v))) })),
  ];
  const manifests = [storeEgress(entry.name, store), ...volumes.map((v) => replicationSource(entry, v)), ...(entry.database ? [databaseCronJob(cluster, store, entry)] : [])];
  return { manifests, secrets };
}

// ---------------------------------------------------------------- drills

/** Where a drill restores to, and the scratch PostgreSQL it starts in its own pod (a socket, no network). */
const drillTarget = `${scratchDir}/restore`;
const drillSocket = `${scratchDir}/postgres`;

/** The weekly drill of one critical database: a scratch PostgreSQL in the pod, the dump restored into it and checked. */
export function drillJob(cluster: string, entry: ServiceEntry): BackupJob {
  const job = databaseJob(cluster, entry);
  return { ...job, source: { kind: "postgres", host: drillSocket, port: 5432, database: "drill", user: "postgres" } };
}

function drillPodScript(cluster: string, entry: ServiceEntry): string {
  const preload = entry.database?.preload?.length ? ` -c shared_preload_libraries=${entry.database.preload.join(",")}` : "";
  return [
    "set -euo pipefail",
    // A throwaway server: data in the pod's scratch folder, a Unix socket only, gone with the pod.
    `initdb -D ${drillSocket}/data -U postgres --auth=trust >/dev/null`,
    `pg_ctl -D ${drillSocket}/data -w -o "-k ${drillSocket} -c listen_addresses=''${preload}" start >/dev/null`,
    `createdb -h ${drillSocket} -U postgres drill`,
    `cat > ${scratchDir}/drill.sh <<'DRILL'`,
    drillScript(drillJob(cluster, entry), drillTarget, "drill").trimEnd(),
    "DRILL",
    `bash ${scratchDir}/drill.sh`,
  ].join("\n");
}

/** The drills of one cluster (one per critical database it runs), in their own namespace. */
export function drillObjects(scope: ClusterBackupScope, store: StoreLocation): { manifests: Manifest[]; secrets: OffsiteSecretSpec[] } {
  const withDatabases = critical(scope.entries)
    .filter((e) => e.database)
    .sort((a, b) => a.name.localeCompare(b.name));
  if (withDatabases.length === 0) return { manifests: [], secrets: [] };
  const ns = namespaceManifest(drillNamespace, "restricted");
  // Default deny: DNS and the store, nothing else (the scratch database is inside the pod).
  const policy: Manifest = {
    apiVersion: "cilium.io/v2",
    kind: "CiliumNetworkPolicy",
    metadata: { name: "default", namespace: drillNamespace },
    spec: {
      endpointSelector: {},
      ingress: [],
      egress: [
        { toEndpoints: [{ matchLabels: { "k8s:io.kubernetes.pod.namespace": "kube-system", "k8s:k8s-app": "kube-dns" } }], toPorts: [{ ports: [{ port: "53", protocol: "ANY" }], rules: { dns: [{ matchPattern: "*" }] } }] },
        { toFQDNs: [{ matchName: storeHost(store) }], toPorts: [{ ports: [{ port: "443", protocol: "TCP" }] }] },
      ],
    },
  };
  const jobs = withDatabases.map((entry, i) => {
    const pod = resticPod({ container: drillContainer, image: databaseImage(entry), script: drillPodScript(scope.cluster, entry), repository: databaseRepository(store, scope.cluster, entry), env: [] });
    return cronJob(`drill-${entry.name}`, drillNamespace, drillSchedule(i), pod, "critical");
  });
  return { manifests: [ns, policy, ...jobs], secrets: [{ name: offsiteSecret, namespace: drillNamespace }] };
}
