import { machineTagsPolicy } from "../../policies/rules/machineTags";
import { types } from "../../policies/rules/types";
import { ResourceUnderPolicy, instance, resource, runPolicies, vm } from "./fixtures";

const check = (resources: ResourceUnderPolicy[]) => runPolicies([machineTagsPolicy], resources);

describe("machines-tagged", () => {
  test("passes for VMs with a stack tag and a cluster-<name> or standalone tag", async () => {
    expect(
      await check([
        vm("cp", { tags: ["talos", "prod", "cluster-prod", "backup-none"] }),
        vm("gaming", { tags: ["gaming", "prod", "standalone", "backup-zfs-snapshots"] }),
        vm("dev", { tags: ["dev", "cluster-dev"] }),
      ]),
    ).toEqual([]);
  });

  test("passes for OCI instances with stack and cluster freeform tags", async () => {
    expect(await check([instance("n", { freeformTags: { stack: "cloud", cluster: "cloud" } }), instance("m", { freeformTags: { stack: "cloud", cluster: "standalone" } })])).toEqual([]);
  });

  test("a VM without a stack tag fails", async () => {
    const violations = await check([vm("cp", { tags: ["talos", "cluster-prod", "backup-none"] })]);
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({ policy: "machines-tagged", resource: "cp", level: "mandatory" });
    expect(violations[0].message).toContain("VM cp has no stack tag (one of dev, prod, cloud)");
    expect(violations[0].message).toContain("tags: [talos, cluster-prod, backup-none]");
  });

  test("a VM tagged with an unknown stack name fails", async () => {
    const violations = await check([vm("cp", { tags: ["staging", "cluster-prod"] })]);
    expect(violations.map((v) => v.message)).toEqual(["VM cp has no stack tag (one of dev, prod, cloud); tags: [staging, cluster-prod]"]);
  });

  test("a VM without a cluster tag fails", async () => {
    const violations = await check([vm("cp", { tags: ["prod", "backup-none"] })]);
    expect(violations).toHaveLength(1);
    expect(violations[0].policy).toBe("machines-tagged");
    expect(violations[0].message).toContain("VM cp has no cluster tag (cluster-<name> or standalone)");
  });

  test("a VM with no tags at all reports both", async () => {
    const untagged = resource(types.proxmoxVm, "bare", { memory: { dedicated: 1024 } });
    expect((await check([untagged])).map((v) => v.message)).toEqual([
      "VM bare has no stack tag (one of dev, prod, cloud); tags: []",
      "VM bare has no cluster tag (cluster-<name> or standalone); tags: []",
    ]);
  });

  test("an OCI instance without freeform tags fails on both stack and cluster", async () => {
    const bare = resource(types.ociInstance, "oci-node-9", { shapeConfig: { ocpus: 1, memoryInGbs: 6 } });
    const violations = await check([bare]);
    expect(violations.every((v) => v.policy === "machines-tagged" && v.resource === "oci-node-9")).toBe(true);
    expect(violations.map((v) => v.message)).toEqual([
      "instance oci-node-9 has no freeform tag stack=<dev|prod|cloud>",
      "instance oci-node-9 has no freeform tag cluster=<name|standalone>",
    ]);
  });

  test("an OCI instance with a wrong stack tag or no cluster tag fails", async () => {
    expect((await check([instance("a", { freeformTags: { stack: "qa", cluster: "cloud" } })])).map((v) => v.message)).toEqual([
      "instance a has no freeform tag stack=<dev|prod|cloud>",
    ]);
    expect((await check([instance("b", { freeformTags: { stack: "cloud" } })])).map((v) => v.message)).toEqual([
      "instance b has no freeform tag cluster=<name|standalone>",
    ]);
  });

  test("other resources are not checked", async () => {
    expect(await check([resource("oci:Core/vcn:Vcn", "vcn", {}), resource("proxmoxve:index/fileLegacy:FileLegacy", "iso", {})])).toEqual([]);
  });
});
