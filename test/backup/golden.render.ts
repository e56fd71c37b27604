// What the golden-file test compares: every backup object and file the program renders for a fixed
// input (the cloud stack's catalog, the store below, the host's folders), as YAML documents by name.
import { stringify } from "yaml";
import { backupCoverage } from "../../components/backup/coverage";
import { drillObjects, entryBackupObjects, veleroObjects, volumeRestores } from "../../components/backup/kubernetes";
import { StoreLocation } from "../../components/backup/store";
import { omniBackupUnits, omniStoppedScript, vmBackupWorkload } from "../../components/backup/vmBackup";
import { hostBackupStep, hostJobs, jobFiles } from "../../components/hypervisor/hostBackup";
import { catalog, entriesFor } from "../../services";

export const goldenStore: StoreLocation = { provider: "oci", endpoint: "https://ns.compat.objectstorage.eu-paris-1.oraclecloud.com", region: "eu-paris-1", bucket: "homelab-backups" };

export function goldenFiles(): Record<string, string> {
  const scope = { cluster: "cloud", entries: entriesFor("cloud") };
  const hostPlan = { pool: "tank", folders: { critical: ["photos", "files"], local: ["films"] }, localMount: "/mnt/backup", store: goldenStore };
  const docs = (objects: unknown[]) => objects.map((o) => stringify(o)).join("---\n");
  return {
    "cloud-velero.yaml": docs(veleroObjects(scope, goldenStore)),
    "cloud-entries.yaml": docs(entriesFor("cloud").flatMap((e) => { const b = entryBackupObjects("cloud", e, goldenStore); return [...b.secrets, ...b.manifests]; })),
    "cloud-drills.yaml": docs([...drillObjects(scope, goldenStore).secrets, ...drillObjects(scope, goldenStore).manifests]),
    "cloud-restores.yaml": docs(volumeRestores(entriesFor("cloud"))),
    "host-files.yaml": docs(hostJobs(hostPlan).flatMap((j) => jobFiles(hostPlan, j))),
    "host-step.sh": hostBackupStep(hostPlan).script + "\n",
    "vm-workload.yaml": docs([vmBackupWorkload(goldenStore), omniBackupUnits()]),
    "vm-omni-stopped.sh": omniStoppedScript(goldenStore),
    "coverage.yaml": docs([backupCoverage(entriesFor("prod"), goldenStore, "home", { folders: hostPlan.folders, localMount: "/mnt/backup", snapshots: { hourly: 24, daily: 30, weekly: 8, monthly: 12 } }, catalog), backupCoverage(entriesFor("cloud"), { ...goldenStore, provider: "ovh" }, "oci")]),
  };
}
