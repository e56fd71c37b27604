import { proxmoxCapacityPolicy } from "../../policies/rules/proxmoxCapacity";
import { PolicyConfig } from "../../plan/analyzer";
import { ResourceUnderPolicy, instance, runPolicies, vm } from "./fixtures";

const GiB = 1024;
const check = (resources: ResourceUnderPolicy[], config: PolicyConfig = {}) => runPolicies([proxmoxCapacityPolicy], resources, config);

// Defaults: 64 GB host, 12 GB reserved -> 52 GB (53248 MiB) usable; 16 threads.
describe("proxmox-host-capacity", () => {
  test("passes when running VMs fit in the usable RAM (exactly at the limit)", async () => {
    expect(await check([vm("a", { memoryMiB: 40 * GiB, started: true }), vm("b", { memoryMiB: 12 * GiB })])).toEqual([]);
  });

  test("fails when running VMs together need more than the usable RAM", async () => {
    const violations = await check([vm("a", { memoryMiB: 40 * GiB, started: true }), vm("b", { memoryMiB: 12 * GiB + 1 })]);
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({ policy: "proxmox-host-capacity", resource: null, level: "mandatory" });
    expect(violations[0].message).toContain("running VMs need 53249 MiB; the host can give 53248 MiB");
  });

  test("a stopped VM (started: false) does not count toward running RAM", async () => {
    const prodLike = [vm("cp", { memoryMiB: 4 * GiB }), vm("worker", { memoryMiB: 12 * GiB }), vm("gaming", { memoryMiB: 40 * GiB, started: false })];
    expect(await check(prodLike)).toEqual([]);
    // The same VM started (or with started left to the provider default, true) does count.
    const started = await check([...prodLike.slice(0, 2), vm("gaming", { memoryMiB: 40 * GiB, started: true })]);
    expect(started.map((v) => v.message)).toEqual(["running VMs need 57344 MiB; the host can give 53248 MiB"]);
    const defaulted = await check([...prodLike.slice(0, 2), vm("gaming", { memoryMiB: 40 * GiB })]);
    expect(defaulted.map((v) => v.message)).toEqual(["running VMs need 57344 MiB; the host can give 53248 MiB"]);
  });

  test("a single VM over the usable RAM fails, even when stopped, and names the VM", async () => {
    const violations = await check([vm("monster", { memoryMiB: 53 * GiB, started: false })]);
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({ policy: "proxmox-host-capacity", resource: "monster" });
    expect(violations[0].message).toContain("VM monster asks for 54272 MiB; the host can give at most 53248 MiB");
  });

  test("a single running VM over the usable RAM reports both the VM and the total", async () => {
    const violations = await check([vm("monster", { memoryMiB: 53 * GiB })]);
    expect(violations.map((v) => v.message)).toEqual([
      "VM monster asks for 54272 MiB; the host can give at most 53248 MiB",
      "running VMs need 54272 MiB; the host can give 53248 MiB",
    ]);
  });

  test("cores up to the thread count pass; more cores than threads fail (cores x sockets)", async () => {
    expect(await check([vm("a", { cores: 16 })])).toEqual([]);
    expect(await check([vm("b", { cores: 8, sockets: 2 })])).toEqual([]);
    const violations = await check([vm("wide", { cores: 9, sockets: 2 })]);
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({ policy: "proxmox-host-capacity", resource: "wide" });
    expect(violations[0].message).toContain("VM wide asks for 18 vCPUs; the host has 16 threads");
  });

  test("config from the policy config overrides the defaults", async () => {
    const small = { "proxmox-host-capacity": { hostMemoryGb: 32, reservedMemoryGb: 8, cpuThreads: 4 } };
    // Fine on the default 64 GB / 16 thread host...
    const resources = [vm("a", { memoryMiB: 16 * GiB, cores: 6 }), vm("b", { memoryMiB: 16 * GiB, cores: 2 })];
    expect(await check(resources)).toEqual([]);
    // ...too much for a 32 GB host keeping 8 GB, with 4 threads.
    expect((await check(resources, small)).map((v) => v.message)).toEqual([
      "VM a asks for 6 vCPUs; the host has 4 threads",
      "running VMs need 32768 MiB; the host can give 24576 MiB",
    ]);
    // A partial config keeps the other defaults (12 GB reserved, 16 threads).
    expect((await check([vm("c", { memoryMiB: 60 * GiB, cores: 16 })], { "proxmox-host-capacity": { hostMemoryGb: 128 } }))).toEqual([]);
  });

  test("VMs without memory or cpu inputs count as 512 MiB and 1 vCPU", async () => {
    const bare = Array.from({ length: 104 }, (_, i) => ({ ...vm(`v${i}`), inputs: { tags: [] } }));
    expect(await check(bare)).toEqual([]); // 104 x 512 MiB = 53248 MiB: exactly the usable RAM
    const violations = await check([...bare, { ...vm("one-more"), inputs: {} }]);
    expect(violations.map((v) => v.message)).toEqual(["running VMs need 53760 MiB; the host can give 53248 MiB"]);
  });

  test("ignores resources that are not Proxmox VMs", async () => {
    expect(await check([instance("oci", { memoryGb: 1000, ocpus: 100 })])).toEqual([]);
  });
});
