import { gpuOneConsumerPolicy } from "../../policies/rules/gpuOneConsumer";
import { ResourceUnderPolicy, runPolicies, vm } from "./fixtures";

const check = (resources: ResourceUnderPolicy[]) => runPolicies([gpuOneConsumerPolicy], resources, {});
const holding = (name: string, ...hostpcis: Record<string, unknown>[]): ResourceUnderPolicy => {
  const r = vm(name);
  return { ...r, inputs: { ...r.inputs, hostpcis } };
};
const gpu = { device: "hostpci0", mapping: "nvidia-gpu", pcie: true };

describe("gpu-one-consumer", () => {
  test("passes when one VM has the GPU (the gaming VM, or the gpu-worker) and the others none", async () => {
    expect(await check([holding("gaming-vm", gpu), vm("cluster-prod-worker-1")])).toEqual([]);
    expect(await check([vm("gaming-vm"), holding("cluster-prod-gpu-1", gpu)])).toEqual([]);
  });

  test("fails when the gaming VM and the gpu-worker both have the mapping, naming the second holder", async () => {
    const violations = await check([holding("gaming-vm", gpu), holding("cluster-prod-gpu-1", { ...gpu, xvga: false })]);
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({ policy: "gpu-one-consumer", resource: "cluster-prod-gpu-1", level: "mandatory" });
    expect(violations[0].message).toBe(
      "VM cluster-prod-gpu-1 is given mapping nvidia-gpu, which VM gaming-vm already has; a passed-through device serves one VM (hypervisor.gpu.consumer chooses the gaming VM or KubeVirt's gpu-worker)",
    );
  });

  test("a third holder is a second violation; other mappings are counted apart", async () => {
    const violations = await check([holding("a", gpu), holding("b", gpu), holding("c", gpu), holding("d", { device: "hostpci0", mapping: "nic" })]);
    expect(violations.map((v) => v.resource)).toEqual(["b", "c"]);
  });

  test("a raw PCI address counts as the device, with or without its function, in any case", async () => {
    expect(await check([holding("a", { device: "hostpci0", id: "0000:01:00.0" }), holding("b", { device: "hostpci0", id: "0000:02:00.0" })])).toEqual([]);
    const violations = await check([holding("a", { device: "hostpci0", id: "0000:0A:00" }), holding("b", { device: "hostpci1", id: "0000:0a:00.1" })]);
    expect(violations.map((v) => v.message)).toEqual([expect.stringContaining("VM b is given device 0000:0a:00, which VM a already has")]);
  });

  test("one VM listing the device twice is one holder; entries without a device and other resources are ignored", async () => {
    expect(await check([holding("a", gpu, { ...gpu, device: "hostpci1" })])).toEqual([]);
    expect(await check([holding("a", { device: "hostpci0" }), holding("b", { device: "hostpci0", mapping: "" })])).toEqual([]);
    expect(await check([{ ...holding("x", gpu), type: "kubernetes:core/v1:Pod" }, holding("a", gpu)])).toEqual([]);
  });
});
