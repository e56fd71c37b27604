import { allPolicies } from "../../policies/rules";
import { types } from "../../policies/rules/types";
import { volumeBackupClassPolicy } from "../../policies/rules/volumeBackupClass";
import { ResourceUnderPolicy, resource, runPolicies } from "./fixtures";

const check = async (resources: ResourceUnderPolicy[]) => (await runPolicies([volumeBackupClassPolicy], resources)).map((v) => v.message);
const pvc = (name: string, labels?: Record<string, unknown>) => resource(types.persistentVolumeClaim, name, { metadata: { name, namespace: "app", ...(labels ? { labels } : {}) }, spec: {} });
const db = (name: string, labels?: Record<string, unknown>) => resource(types.cnpgCluster, name, { metadata: { name, namespace: "app", ...(labels ? { labels } : {}) }, spec: { instances: 1 } });

describe("volume-backup-class", () => {
  test("is in the pack", () => {
    expect(allPolicies).toContain(volumeBackupClassPolicy);
  });

  test.each(["critical", "local", "none"])("passes for volumes and databases labelled %s", async (c) => {
    expect(await check([pvc("data", { "homelab.io/backup": c }), db("app-db", { "homelab.io/backup": c })])).toEqual([]);
  });

  test("a volume or database without the label fails, by name", async () => {
    expect(await check([pvc("data"), db("app-db", { "homelab.io/service": "app" })])).toEqual([
      "PersistentVolumeClaim data has no label homelab.io/backup; expected one of critical, local, none",
      "database app-db has no label homelab.io/backup; expected one of critical, local, none",
    ]);
  });

  test("an unknown class fails with the value it has", async () => {
    expect(await check([pvc("photos", { "homelab.io/backup": "offsite" })])).toEqual([
      'PersistentVolumeClaim photos has "offsite" in label homelab.io/backup; expected one of critical, local, none',
    ]);
  });

  test("other resources are not judged", async () => {
    expect(await check([resource(types.deployment, "web", { metadata: { name: "web" } }), resource(types.httpRoute, "r", { metadata: { name: "r" } })])).toEqual([]);
  });
});
