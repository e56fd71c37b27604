import { backupDecisionPolicy } from "../../policies/rules/backupDecision";
import { types } from "../../policies/rules/types";
import { ResourceUnderPolicy, instance, resource, runPolicies, vm } from "./fixtures";

const check = (resources: ResourceUnderPolicy[]) => runPolicies([backupDecisionPolicy], resources);
const decisions = ["none", "zfs-snapshots", "vzdump", "volume-backup"];

describe("backup-decision-recorded", () => {
  test.each(decisions)("passes for a VM tagged backup-%s and an instance tagged backup=%s", async (decision) => {
    expect(await check([vm("v", { tags: ["prod", "standalone", `backup-${decision}`] }), instance("i", { freeformTags: { stack: "cloud", cluster: "cloud", backup: decision } })])).toEqual([]);
  });

  test("a VM without a backup tag fails", async () => {
    const violations = await check([vm("gaming", { tags: ["prod", "standalone"] })]);
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({ policy: "backup-decision-recorded", resource: "gaming", level: "mandatory" });
    expect(violations[0].message).toContain("VM gaming has no backup decision tag (backup-<none|zfs-snapshots|vzdump|volume-backup>)");
  });

  test("a VM without any tags fails", async () => {
    const violations = await check([resource(types.proxmoxVm, "bare", {})]);
    expect(violations.map((v) => v.message)).toEqual(["VM bare has no backup decision tag (backup-<none|zfs-snapshots|vzdump|volume-backup>)"]);
  });

  test("a VM with an unknown backup decision fails", async () => {
    const violations = await check([vm("gaming", { tags: ["prod", "standalone", "backup-tape"] })]);
    expect(violations).toHaveLength(1);
    expect(violations[0].policy).toBe("backup-decision-recorded");
    expect(violations[0].message).toContain("VM gaming has no backup decision tag");
  });

  test("an instance without a backup freeform tag fails", async () => {
    const violations = await check([instance("oci-mgmt", { freeformTags: { stack: "cloud", cluster: "standalone" } })]);
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({ policy: "backup-decision-recorded", resource: "oci-mgmt" });
    expect(violations[0].message).toContain("instance oci-mgmt has no backup freeform tag (none|zfs-snapshots|vzdump|volume-backup)");
  });

  test("an instance without any freeform tags fails", async () => {
    const violations = await check([resource(types.ociInstance, "bare", {})]);
    expect(violations.map((v) => v.message)).toEqual(["instance bare has no backup freeform tag (none|zfs-snapshots|vzdump|volume-backup)"]);
  });

  test("an instance with an unknown backup decision fails", async () => {
    const violations = await check([instance("oci-mgmt", { freeformTags: { stack: "cloud", cluster: "standalone", backup: "weekly" } })]);
    expect(violations.map((v) => `${v.policy}: ${v.message}`)).toEqual([
      "backup-decision-recorded: instance oci-mgmt has no backup freeform tag (none|zfs-snapshots|vzdump|volume-backup)",
    ]);
  });

  test("other resources are not checked", async () => {
    expect(await check([resource("oci:Core/vcn:Vcn", "vcn", {}), resource("proxmoxve:node/disk/zfs:Zfs", "tank", { tags: [] })])).toEqual([]);
  });
});
