// Omni's backups of its clusters' etcd (FR-024): Omni snapshots each cluster
// on the interval of its template (templates.ts, backupConfiguration) and,
// started with --etcd-backup-s3, writes the snapshots, encrypted with a key
// of each cluster's that Omni keeps, to the S3 store this resource names.
// Omni takes no prefix: on OCI the store is a bucket of its own (its
// lifecycle rule expires old snapshots); on OVH the shared bucket, where
// Omni's cluster-ID folders sit beside the program's prefixes. Pure.
import { stringify } from "yaml";

export const etcdBackupS3ConfType = "EtcdBackupS3Configs.omni.sidero.dev";
export const etcdBackupS3ConfId = "etcd-backup-s3-conf";

/** The resource `omnictl apply` takes (its spec's keys as Omni's YAML decoding names them: the Go fields, lowercased). */
export function etcdBackupStoreYaml(store: { bucket: string; region: string; endpoint: string }, key: { accessKeyId: string; secretAccessKey: string }): string {
  return stringify({
    metadata: { namespace: "default", type: etcdBackupS3ConfType, id: etcdBackupS3ConfId },
    spec: { bucket: store.bucket, region: store.region, endpoint: store.endpoint, accesskeyid: key.accessKeyId, secretaccesskey: key.secretAccessKey },
  });
}
