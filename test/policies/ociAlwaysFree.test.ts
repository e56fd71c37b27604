import { ociAlwaysFree } from "../../config/schema";
import { ociAlwaysFreePolicy } from "../../policies/rules/ociAlwaysFree";
import { ResourceUnderPolicy, instance, messages, resource, runPolicies, vm } from "./fixtures";

const check = (resources: ResourceUnderPolicy[]) => runPolicies([ociAlwaysFreePolicy], resources);

describe("oci-always-free", () => {
  test("the limits are Oracle's A1 Always Free allowance", () => {
    expect(ociAlwaysFree).toEqual({ ocpus: 4, memoryGb: 24, blockStorageGb: 200 });
  });

  test("passes for instances inside the allowance, and for no instances at all", async () => {
    expect(await check([instance("a", { ocpus: 1, memoryGb: 6, bootVolumeGb: 50 }), instance("b", { ocpus: 2, memoryGb: 12, bootVolumeGb: 64 })])).toEqual([]);
    expect(await check([])).toEqual([]);
  });

  test("ignores resources that are not OCI instances", async () => {
    expect(await check([vm("big", { memoryMiB: 512 * 1024, cores: 64 }), resource("oci:Core/vcn:Vcn", "vcn", { shapeConfig: { ocpus: 99 } })])).toEqual([]);
  });

  describe("OCPUs", () => {
    test("exactly 4 OCPUs in total passes", async () => {
      expect(await check([instance("a", { ocpus: 2, memoryGb: 1, bootVolumeGb: 50 }), instance("b", { ocpus: 2, memoryGb: 1, bootVolumeGb: 50 })])).toEqual([]);
    });
    test("5 OCPUs in total fails", async () => {
      const violations = await check([instance("a", { ocpus: 2, memoryGb: 1, bootVolumeGb: 50 }), instance("b", { ocpus: 3, memoryGb: 1, bootVolumeGb: 50 })]);
      expect(violations).toHaveLength(1);
      expect(violations[0]).toMatchObject({ policy: "oci-always-free", resource: null, level: "mandatory" });
      expect(messages(violations)[0]).toContain("oci-always-free");
      expect(violations[0].message).toContain("5 OCPUs requested, the Always Free limit is 4");
    });
  });

  describe("RAM", () => {
    test("exactly 24 GB in total passes", async () => {
      expect(await check([instance("a", { ocpus: 1, memoryGb: 12, bootVolumeGb: 50 }), instance("b", { ocpus: 1, memoryGb: 12, bootVolumeGb: 50 })])).toEqual([]);
    });
    test("25 GB in total fails", async () => {
      const violations = await check([instance("a", { ocpus: 1, memoryGb: 12, bootVolumeGb: 50 }), instance("b", { ocpus: 1, memoryGb: 13, bootVolumeGb: 50 })]);
      expect(violations).toHaveLength(1);
      expect(violations[0].policy).toBe("oci-always-free");
      expect(violations[0].message).toContain("25 GB RAM requested, the Always Free limit is 24 GB");
    });
  });

  describe("boot volume storage", () => {
    test("exactly 200 GB in total passes (sizes given as strings, as the provider takes them)", async () => {
      expect(await check([instance("a", { bootVolumeGb: 100 }), instance("b", { bootVolumeGb: 100 })])).toEqual([]);
    });
    test("201 GB in total fails", async () => {
      const violations = await check([instance("a", { bootVolumeGb: 100 }), instance("b", { bootVolumeGb: 101 })]);
      expect(violations).toHaveLength(1);
      expect(violations[0].policy).toBe("oci-always-free");
      expect(violations[0].message).toContain("201 GB of boot volumes requested, the Always Free limit is 200 GB");
    });
    test("an instance without an explicit boot volume size counts as 50 GB", async () => {
      // 4 x 50 GB default = 200 GB: at the limit; a fifth (0 OCPU, 0 GB) instance goes over.
      const four = ["a", "b", "c", "d"].map((n) => instance(n, { ocpus: 1, memoryGb: 1 }));
      expect(await check(four)).toEqual([]);
      const violations = await check([...four, instance("e", { ocpus: 0, memoryGb: 0 })]);
      expect(violations.map((v) => v.message)).toEqual(["250 GB of boot volumes requested, the Always Free limit is 200 GB"]);
    });
  });

  test("reports every exceeded limit at once", async () => {
    const violations = await check([instance("huge", { ocpus: 8, memoryGb: 48, bootVolumeGb: 400 })]);
    expect(violations.map((v) => v.message)).toEqual([
      "8 OCPUs requested, the Always Free limit is 4",
      "48 GB RAM requested, the Always Free limit is 24 GB",
      "400 GB of boot volumes requested, the Always Free limit is 200 GB",
    ]);
  });
});
