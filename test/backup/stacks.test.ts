// Where each stack's backups go, run through the whole program under the
// mocks: the cloud stack's bucket and its writer, prod and dev reading it,
// or an OVH bucket of the stack's own.
import { abandonedUploadDays, lifecycleRules, omniEtcdBackupDays, writerStatements } from "../../components/BackupStore";
import { SECRET } from "../../plan/mockRuntime";
import { etcdBackupStoreYaml } from "../../components/omni/etcdBackups";
import { parse } from "yaml";
import { ofType, runStack } from "../helpers";

const ovh = { target: "ovh", endpoint: "https://s3.gra.io.cloud.ovh.net", region: "gra", bucket: "family-backups", accessKeyId: "0123456789abcdef0123" };

describe("the cloud stack's bucket", () => {
  it("is private, unversioned, protected, with lifecycle rules that never touch a repository, and a writer of its own", async () => {
    const run = await runStack("cloud");
    const [bucket] = ofType(run, "oci:ObjectStorage/bucket:Bucket");
    expect(bucket.inputs).toMatchObject({ name: "homelab-backups", namespace: "axabcdefghij", accessType: "NoPublicAccess", versioning: "Disabled" });
    expect(bucket.options.protect).toBe(true);
    const [etcdBucket] = ofType(run, "oci:ObjectStorage/bucket:Bucket").filter((b) => b.inputs.name === "homelab-backups-omni-etcd");
    expect(etcdBucket.options.protect).toBe(true);
    const lifecycles = ofType(run, "oci:ObjectStorage/objectLifecyclePolicy:ObjectLifecyclePolicy").map((l) => [l.inputs.bucket, l.inputs.rules]);
    expect(lifecycles).toEqual([
      ["homelab-backups", lifecycleRules("repositories")],
      ["homelab-backups-omni-etcd", lifecycleRules("omni-etcd")],
    ]);
    // Nothing ever deletes a repository's objects but restic and kopia; Omni's snapshots expire.
    expect(lifecycleRules("repositories").map((r) => [r.action, r.target, r.timeAmount])).toEqual([["ABORT", "multipart-uploads", String(abandonedUploadDays)]]);
    expect(lifecycleRules("omni-etcd").map((r) => [r.action, r.target, r.timeAmount])).toEqual([
      ["ABORT", "multipart-uploads", String(abandonedUploadDays)],
      ["DELETE", "objects", String(omniEtcdBackupDays)],
    ]);
    const policies = ofType(run, "oci:Identity/policy:Policy").map((p) => p.inputs.statements as string[]);
    expect(policies).toContainEqual(["Allow service objectstorage-eu-paris-1 to manage object-family in compartment id ocid1.compartment.oc1..aaaaaaaaplaceholdercompartment"]);
    expect(policies).toContainEqual(writerStatements("homelab-backup-writers", "ocid1.compartment.oc1..aaaaaaaaplaceholdercompartment", ["homelab-backups", "homelab-backups-omni-etcd"]));
    expect(writerStatements("g", "c", ["a", "b"])).toEqual([
      "Allow group g to read buckets in compartment id c where any {target.bucket.name = 'a', target.bucket.name = 'b'}",
      "Allow group g to manage objects in compartment id c where any {target.bucket.name = 'a', target.bucket.name = 'b'}",
    ]);
    const [key] = ofType(run, "oci:Identity/customerSecretKey:CustomerSecretKey");
    expect(key.options.additionalSecretOutputs).toEqual(["key"]);
    // The output prod and dev read: where, and the key (its secret part a secret).
    const out = run.outputs.backupStore as Record<string, unknown>;
    expect(out).toMatchObject({ provider: "oci", endpoint: "https://axabcdefghij.compat.objectstorage.eu-paris-1.oraclecloud.com", region: "eu-paris-1", bucket: "homelab-backups" });
    // Omni is started for S3 etcd backups, and told where (its key a secret, on stdin).
    const compose = String(ofType(run, "command:remote:Command").find((c) => c.name === "omni-compose-up")?.inputs.create);
    expect(compose).toContain("--etcd-backup-s3");
    const store = run.resources.find((r) => r.name === "omni-etcd-backup-store");
    expect(store?.inputs.stdin).toBe(SECRET);
    expect(String(store?.inputs.create)).toContain("omnictl apply");
  });

  it("Omni's store resource names the bucket, region and endpoint with the key, as Omni decodes it", () => {
    expect(parse(etcdBackupStoreYaml({ bucket: "b-omni-etcd", region: "eu-paris-1", endpoint: "https://e" }, { accessKeyId: "AK", secretAccessKey: "SK" }))).toEqual({
      metadata: { namespace: "default", type: "EtcdBackupS3Configs.omni.sidero.dev", id: "etcd-backup-s3-conf" },
      spec: { bucket: "b-omni-etcd", region: "eu-paris-1", endpoint: "https://e", accesskeyid: "AK", secretaccesskey: "SK" },
    });
  });

  it("with the ovh target there is no OCI bucket, and the clusters write to OVH with the stack's secret key", async () => {
    const run = await runStack("cloud", (v, secrets) => {
      v.backup.offsite = ovh;
      v.backupS3SecretAccessKey = "ovh-secret";
      secrets.add("backupS3SecretAccessKey");
    });
    expect(ofType(run, "oci:ObjectStorage/bucket:Bucket")).toEqual([]);
    const [bsl] = ofType(run, "kubernetes:velero.io/v1:BackupStorageLocation");
    expect(bsl.inputs.spec).toMatchObject({ objectStorage: { bucket: "family-backups", prefix: "velero/cloud" }, config: { region: "gra", s3Url: "https://s3.gra.io.cloud.ovh.net" } });
    const offsite = ofType(run, "kubernetes:core/v1:Secret").find((s) => (s.inputs.metadata as { name: string; namespace: string }).namespace === "vaultwarden" && (s.inputs.metadata as { name: string }).name === "backup-offsite");
    expect(offsite?.inputs.stringData).toBe(SECRET);
  });
});

describe("prod and dev", () => {
  it("write to the bucket the cloud stack exports, the host's folders too (prod)", async () => {
    const prod = await runStack("prod");
    const [bsl] = ofType(prod, "kubernetes:velero.io/v1:BackupStorageLocation");
    expect(bsl.inputs.spec).toMatchObject({ objectStorage: { bucket: "homelab-backups", prefix: "velero/prod" } });
    const host = prod.resources.find((r) => r.name === "hypervisor-backups");
    expect(host?.inputs.stdin).toBe(SECRET);
    expect(String(host?.inputs.create)).toContain("RESTIC_REPOSITORY=s3:https://axabcdefghij.compat.objectstorage.eu-paris-1.oraclecloud.com/homelab-backups/restic/home/host-critical");
    const dev = await runStack("dev");
    expect(ofType(dev, "kubernetes:velero.io/v1:BackupStorageLocation")[0].inputs.spec).toMatchObject({ objectStorage: { prefix: "velero/dev" } });
    expect(dev.resources.some((r) => r.name === "hypervisor-backups")).toBe(false);
  });

  it("prod with its own OVH bucket reads nothing of the cloud stack's for it", async () => {
    const prod = await runStack("prod", (v, secrets) => {
      v.backup.offsite = ovh;
      v.backupS3SecretAccessKey = "ovh-secret";
      secrets.add("backupS3SecretAccessKey");
    });
    expect(String(prod.resources.find((r) => r.name === "hypervisor-backups")?.inputs.create)).toContain("RESTIC_REPOSITORY=s3:https://s3.gra.io.cloud.ovh.net/family-backups/restic/home/host-critical");
    expect(prod.resources.filter((r) => r.type === "pulumi:pulumi:StackReference").map((r) => r.name)).toEqual(["cloud"]);
  });
});
