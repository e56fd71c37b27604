// The backup policies on the real cloud program, and on it with one piece
// taken away (kept apart from backups.test.ts: it runs the whole stack).
import { backupRetentionPolicy, backupsEncryptedPolicy, criticalBackupsPolicy } from "../../policies/rules/backups";
import { types } from "../../policies/rules/types";
import { messages } from "./fixtures";
import { analyze } from "../../plan/analyzer";
import { runStack } from "../helpers";

describe("the backup policies over the real program", () => {
  test("the cloud stack passes them; without its ReplicationSources and Velero's password it does not", async () => {
    const run = await runStack("cloud");
    const policies = [criticalBackupsPolicy, backupsEncryptedPolicy, backupRetentionPolicy];
    expect((await analyze(policies, run, {})).violations).toEqual([]);
    const stripped = { ...run, resources: run.resources.filter((r) => r.type !== types.replicationSource && !r.name.endsWith("velero-repository-secret")) };
    const found = messages((await analyze(policies, stripped, {})).violations);
    expect(found).toContain("critical-data-offsite: critical claim vaultwarden/vaultwarden-data has no VolSync ReplicationSource with a restic repository; expected its offsite copy (components/backup/kubernetes.ts)");
    expect(found).toContain("backups-encrypted: Velero storage location velero/offsite has no velero-repo-credentials Secret with repository-password beside it; Velero would create one with its default password");
  });
});
