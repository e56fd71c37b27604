// The offsite store every backup writes to (FR-024): one S3-compatible
// bucket, OCI Object Storage by default (created by the cloud stack,
// components/BackupStore.ts) or a bucket at OVH. Every writer keeps its data
// under a prefix of its own and encrypts it itself with the repository
// password of its stack (restic, Velero's kopia); the store only ever holds
// ciphertext. Pure.
import type * as pulumi from "@pulumi/pulumi";

/** An S3-compatible bucket and the key that writes to it. */
export interface BackupStore {
  /** oci: the cloud stack's bucket; ovh: one of the family's own. */
  provider: "oci" | "ovh";
  /** https://..., the S3 API's endpoint (no bucket in it: path-style addressing). */
  endpoint: string;
  region: string;
  bucket: string;
  accessKeyId: pulumi.Input<string>;
  secretAccessKey: pulumi.Input<string>;
  /** Where Omni writes its clusters' etcd snapshots (OCI: a bucket of their own; elsewhere the same bucket). */
  omniEtcdBucket?: string;
}

/** The plain part of a store, as the plan and the policy contract show it. */
export type StoreLocation = Pick<BackupStore, "provider" | "endpoint" | "region" | "bucket">;

/** OCI's S3 compatibility endpoint of a namespace and region. */
export const ociS3Endpoint = (namespace: string, region: string): string => `https://${namespace}.compat.objectstorage.${region}.oraclecloud.com`;

/** Where, in the bucket, each writer keeps its data: one prefix per writer, never shared. */
export const storePrefixes = {
  /** Velero's backups and kopia repository of one cluster. */
  velero: (cluster: string) => `velero/${cluster}`,
  /** VolSync's restic repository of one volume. */
  volume: (cluster: string, namespace: string, claim: string) => `volsync/${cluster}/${namespace}/${claim}`,
  /** The restic repository of one backup job (a database dump, the host's datasets, the management VM). */
  job: (site: string, job: string) => `restic/${site}/${job}`,
} as const;

function checkSegment(what: string, value: string): string {
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(value)) throw new Error(`backup store: ${what} ${JSON.stringify(value)}: expected a lowercase name (a-z, 0-9, '-')`);
  return value;
}

/** A restic repository URL (s3:<endpoint>/<bucket>/<prefix>) for a store and a prefix. */
export function resticRepository(store: StoreLocation, prefix: string): string {
  for (const segment of prefix.split("/")) checkSegment("prefix segment", segment);
  if (!/^https:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/.test(store.endpoint)) throw new Error(`backup store: endpoint ${JSON.stringify(store.endpoint)}: expected https://host[:port] without a path`);
  return `s3:${store.endpoint}/${store.bucket}/${prefix}`;
}

/** The host name of the store's endpoint (network policies allow it by name). */
export const storeHost = (store: StoreLocation): string => new URL(store.endpoint).hostname;

/**
 * The store's S3 settings for Velero's AWS plugin. OCI and OVH want
 * path-style requests, and neither accepts the CRC32 checksums newer AWS
 * SDKs add by default (an empty checksumAlgorithm turns them off).
 */
export const veleroStoreConfig = (store: StoreLocation): Record<string, string> => ({
  region: store.region,
  s3Url: store.endpoint,
  s3ForcePathStyle: "true",
  checksumAlgorithm: "",
});

/** A store's key reaches .env files and systemd EnvironmentFiles unquoted: S3 keys are letters, digits and + / = (never shown when refused). */
export function checkStoreKey(keys: { accessKeyId: string; secretAccessKey: string }): void {
  for (const k of ["accessKeyId", "secretAccessKey"] as const) if (!/^[A-Za-z0-9+/=_-]+$/.test(keys[k])) throw new Error(`backup store ${k}: expected letters, digits, + / = _ - only (the value is not shown)`);
}
