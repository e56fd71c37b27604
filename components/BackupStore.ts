// The offsite bucket on OCI Object Storage (FR-024), created by the cloud
// stack: a private bucket, lifecycle rules that clean up what no writer
// would, and a user of its own that may only read and write this bucket's
// objects, with the S3 key every writer uses. The data in it is encrypted
// by each writer before it leaves (restic, kopia, Omni), so neither OCI nor
// this key can read it. Dev and prod read the result from the cloud stack.
import * as oci from "@pulumi/oci";
import * as pulumi from "@pulumi/pulumi";
import { OciConfig } from "../config/schema";
import { BackupStore as Store, StoreLocation, ociS3Endpoint } from "./backup/store";

export interface BackupStoreArgs {
  provider: oci.Provider;
  oci: Pick<OciConfig, "region" | "tenancyOcid" | "compartmentOcid" | "objectStorageNamespace">;
  bucket: string;
}

/** How long an unfinished multipart upload may stay (a backup cut off half-way) before OCI removes its parts. */
export const abandonedUploadDays = 2;
/** How long Omni's etcd backups are kept: its own schedule writes them, nothing else removes the old ones. */
export const omniEtcdBackupDays = 14;

/** One lifecycle rule, as OCI takes it. */
export interface LifecycleRule {
  name: string;
  action: "ABORT" | "DELETE";
  target: "multipart-uploads" | "objects";
  timeAmount: string;
  timeUnit: "DAYS";
  isEnabled: boolean;
  objectNameFilter?: { inclusionPrefixes: string[] };
}

const abortAbandoned: LifecycleRule = { name: "abort-abandoned-uploads", action: "ABORT", target: "multipart-uploads", timeAmount: String(abandonedUploadDays), timeUnit: "DAYS", isEnabled: true };

/**
 * The lifecycle rules of each bucket. The repositories' bucket gets none on
 * its objects: restic and kopia prune their own repositories, and a rule
 * deleting one of their packs would corrupt them. Omni's bucket holds its
 * snapshots alone, which nothing else removes.
 */
export function lifecycleRules(bucket: "repositories" | "omni-etcd"): LifecycleRule[] {
  if (bucket === "repositories") return [abortAbandoned];
  return [abortAbandoned, { name: "expire-omni-etcd-backups", action: "DELETE", target: "objects", timeAmount: String(omniEtcdBackupDays), timeUnit: "DAYS", isEnabled: true }];
}

/** The IAM policy statements of the writers' group: these buckets' objects, nothing else. */
export function writerStatements(group: string, compartmentOcid: string, buckets: string[]): string[] {
  const where = `in compartment id ${compartmentOcid} where any {${buckets.map((b) => `target.bucket.name = '${b}'`).join(", ")}}`;
  return [`Allow group ${group} to read buckets ${where}`, `Allow group ${group} to manage objects ${where}`];
}

/** Omni's own bucket beside the repositories' (Omni takes no prefix). */
export const omniEtcdBucketOf = (bucket: string) => `${bucket}-omni-etcd`;

export class BackupStore extends pulumi.ComponentResource {
  /** Where the bucket answers (known before anything is created: the namespace and region come from the config). */
  readonly location: StoreLocation;
  /** The bucket and its S3 key (the secret key is a secret). */
  readonly store: Store;

  constructor(name: string, args: BackupStoreArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:index:BackupStore", name, {}, opts);
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(args.bucket)) throw new Error(`BackupStore ${name}: bucket ${JSON.stringify(args.bucket)}: expected a bucket name (3 to 63 lowercase letters, digits, dots or dashes)`);
    const child = { parent: this, provider: args.provider };
    const o = args.oci;
    const namespace = o.objectStorageNamespace;
    const bucketArgs = (bucketName: string, role: string): oci.objectstorage.BucketArgs => ({
      compartmentId: o.compartmentOcid,
      namespace,
      name: bucketName,
      accessType: "NoPublicAccess",
      // Off: restic and kopia delete the packs they prune; kept versions would fill the free 20 GB with data nobody can use.
      versioning: "Disabled",
      storageTier: "Standard",
      freeformTags: { "managed-by": "pulumi", role },
    });
    const etcdBucketName = omniEtcdBucketOf(args.bucket);
    if (etcdBucketName.length > 63) throw new Error(`BackupStore ${name}: bucket ${JSON.stringify(args.bucket)}: expected at most ${63 - "-omni-etcd".length} characters (Omni's bucket is named ${etcdBucketName})`);
    // The family's only offsite copies: a preview that would delete them stops instead.
    const bucket = new oci.objectstorage.Bucket(`${name}-bucket`, bucketArgs(args.bucket, "backups"), { ...child, protect: true });
    const etcdBucket = new oci.objectstorage.Bucket(`${name}-omni-etcd-bucket`, bucketArgs(etcdBucketName, "omni-etcd-backups"), { ...child, protect: true });
    // OCI's Object Storage service applies lifecycle rules as itself, and needs the tenancy's leave to.
    const serviceAccess = new oci.identity.Policy(
      `${name}-lifecycle-policy`,
      {
        compartmentId: o.tenancyOcid,
        name: "homelab-backups-lifecycle",
        description: "Object Storage may apply the homelab bucket's lifecycle rules",
        statements: [`Allow service objectstorage-${o.region} to manage object-family in compartment id ${o.compartmentOcid}`],
      },
      child,
    );
    new oci.objectstorage.ObjectLifecyclePolicy(`${name}-lifecycle`, { namespace, bucket: bucket.name, rules: lifecycleRules("repositories") }, { ...child, dependsOn: [serviceAccess] });
    new oci.objectstorage.ObjectLifecyclePolicy(`${name}-omni-etcd-lifecycle`, { namespace, bucket: etcdBucket.name, rules: lifecycleRules("omni-etcd") }, { ...child, dependsOn: [serviceAccess] });

    // A user of its own: the key every writer holds opens this bucket's objects and nothing else of the tenancy.
    const user = new oci.identity.User(`${name}-writer`, { compartmentId: o.tenancyOcid, name: "homelab-backups", description: "writes the homelab's encrypted backups to its bucket" }, child);
    const group = new oci.identity.Group(`${name}-writers`, { compartmentId: o.tenancyOcid, name: "homelab-backup-writers", description: "who may write the homelab's backups" }, child);
    const membership = new oci.identity.UserGroupMembership(`${name}-writer-membership`, { userId: user.id, groupId: group.id }, child);
    new oci.identity.Policy(
      `${name}-writer-policy`,
      { compartmentId: o.tenancyOcid, name: "homelab-backup-writers", description: "the homelab backup writers: their bucket's objects only", statements: writerStatements("homelab-backup-writers", o.compartmentOcid, [args.bucket, etcdBucketName]) },
      { ...child, dependsOn: [group] },
    );
    const key = new oci.identity.CustomerSecretKey(`${name}-s3-key`, { userId: user.id, displayName: "homelab backups (S3)" }, { ...child, additionalSecretOutputs: ["key"], dependsOn: [membership] });

    this.location = { provider: "oci", endpoint: ociS3Endpoint(namespace, o.region), region: o.region, bucket: args.bucket };
    // The writers need the buckets before their first backup.
    this.store = { ...this.location, omniEtcdBucket: etcdBucketName, accessKeyId: pulumi.all([key.id, bucket.id, etcdBucket.id]).apply(([id]) => id), secretAccessKey: pulumi.secret(key.key) };
    this.registerOutputs({ location: this.location, accessKeyId: this.store.accessKeyId });
  }
}
