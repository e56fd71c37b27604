// Where each stack's backups go (FR-024): the cloud stack's OCI bucket (the
// cloud stack creates it; dev and prod read it, with its key, from the cloud
// stack's `backupStore` output), or the OVH bucket named in the stack's own
// config. The repositories' password is the stack's secret config.
import * as oci from "@pulumi/oci";
import * as pulumi from "@pulumi/pulumi";
import { secret } from "../config/load";
import { BackupConfig, OciConfig, defaultBackupBucket } from "../config/schema";
import { BackupStore } from "../components/BackupStore";
import { ClusterBackup } from "../components/backup/offsiteSecret";
import { BackupStore as Store } from "../components/backup/store";
import { OtherStack, readOutput } from "./stackReferences";

/** The OVH bucket of the config (its secret key from secret config). */
function ovhStore(offsite: BackupConfig["offsite"]): Store {
  const { endpoint, region, bucket, accessKeyId } = offsite;
  if (!endpoint || !region || !bucket || !accessKeyId) throw new Error("backup.offsite: the ovh target needs endpoint, region, bucket and accessKeyId (the config rules check this first)");
  return { provider: "ovh", endpoint: endpoint.replace(/\/+$/, ""), region, bucket, accessKeyId, secretAccessKey: secret("backupS3SecretAccessKey") };
}

/** The cloud stack: creates the OCI bucket, or uses the OVH one. */
export function cloudBackupStore(backup: BackupConfig, provider: oci.Provider, o: OciConfig): Store {
  if (backup.offsite.target === "ovh") return ovhStore(backup.offsite);
  return new BackupStore("backup", { provider, oci: o, bucket: backup.offsite.bucket ?? defaultBackupBucket }).store;
}

const isText = (v: unknown): v is string => typeof v === "string" && v !== "";

/** Dev and prod: the cloud stack's bucket (read from its output), or the OVH one. */
export async function homeBackupStore(backup: BackupConfig, cloud: OtherStack): Promise<Store> {
  if (backup.offsite.target === "ovh") return ovhStore(backup.offsite);
  const out = (await readOutput(cloud, "backupStore", "the cloud stack (it creates the backup bucket)")) as Record<string, unknown>;
  const missing = ["endpoint", "region", "bucket", "accessKeyId", "secretAccessKey"].filter((k) => !isText(out[k]));
  if (out.provider !== "oci" || missing.length > 0) {
    throw new pulumi.RunError(`homelab:${cloud.key} = ${JSON.stringify(cloud.name)}: its "backupStore" output is not the OCI bucket (${missing.length ? `no ${missing.join(", ")}` : `provider ${JSON.stringify(out.provider)}`}); deploy the cloud stack with backup.offsite.target oci, or set this stack's target to ovh`);
  }
  return { provider: "oci", endpoint: out.endpoint as string, region: out.region as string, bucket: out.bucket as string, accessKeyId: out.accessKeyId as string, secretAccessKey: pulumi.secret(out.secretAccessKey as string) };
}

/** The store and the keys a cluster's backups write with. */
export function clusterBackup(store: Store): ClusterBackup {
  const keys = pulumi.all([secret("backupRepositoryPassword"), store.accessKeyId, store.secretAccessKey]).apply(([password, accessKeyId, secretAccessKey]) => ({ password, accessKeyId, secretAccessKey }));
  return { store: { provider: store.provider, endpoint: store.endpoint, region: store.region, bucket: store.bucket }, keys: pulumi.secret(keys) };
}
