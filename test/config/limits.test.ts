// What the hardware can hold, at the edge: the largest value that fits
// passes, one more fails, with the key and the figure it must stay within.
import { Values, configProblems as problems } from "../helpers";

/** The problems reported at one key (the exact path, not its children). */
const at = (key: string, lines: string[]) => lines.filter((l) => l.startsWith(`homelab:${key} `) || l.startsWith(`homelab:${key}:`));

// The committed prod host: 64 GB with 12 reserved (52 for VMs), 16 threads, a 1000 GB VM datastore,
// a mirror of two 20000 GB disks; PROD's two VMs take 16 GB.
describe("the Proxmox host's limits (prod)", () => {
  test("the gaming VM's memory: 36 GB fits beside PROD, 37 does not; alone, 53 never fits", () => {
    expect(at("gamingVm.memoryGb", problems("prod", (v) => (v.gamingVm.memoryGb = 36)))).toEqual([]);
    expect(at("gamingVm.memoryGb", problems("prod", (v) => (v.gamingVm.memoryGb = 37)))).toEqual(["homelab:gamingVm.memoryGb = 37: expected at most 36 GB: with PROD's 16 GB running, the host gives VMs 52 GB"]);
    expect(at("gamingVm.memoryGb", problems("prod", (v) => (v.gamingVm.memoryGb = 53)))).toEqual(["homelab:gamingVm.memoryGb = 53: expected at most 52 GB (host 64 GB minus 12 GB reserved)"]);
  });

  test("the gaming VM's cores: 16 (the host's threads) fit, 17 do not", () => {
    expect(at("gamingVm.cores", problems("prod", (v) => (v.gamingVm.cores = 16)))).toEqual([]);
    expect(at("gamingVm.cores", problems("prod", (v) => (v.gamingVm.cores = 17)))).toEqual(["homelab:gamingVm.cores = 17: expected at most 16 vCPUs (the host's thread count)"]);
  });

  test("the gaming VM's disks: together the pool's capacity fits, one GB more does not (a mirror holds one disk, single disks add up)", () => {
    expect(at("gamingVm.gamesDiskGb", problems("prod", (v) => (v.gamingVm.diskGb = 19000)))).toEqual([]);
    expect(at("gamingVm.gamesDiskGb", problems("prod", (v) => (v.gamingVm.diskGb = 19001)))).toEqual([
      "homelab:gamingVm.gamesDiskGb = 1000: expected at most 999 GB: with the system disk's 19001 GB, the ZFS pool holds 20000 GB (mirror of 2 x 20000 GB)",
    ]);
    const single = (gb: number) => (v: Values) => {
      v.hypervisor.zfs.layout = "single";
      v.gamingVm.gamesDiskGb = gb;
    };
    expect(at("gamingVm.gamesDiskGb", problems("prod", single(39000)))).toEqual([]);
    expect(at("gamingVm.gamesDiskGb", problems("prod", single(39001)))).toEqual([
      "homelab:gamingVm.gamesDiskGb = 39001: expected at most 39000 GB: with the system disk's 1000 GB, the ZFS pool holds 40000 GB (single of 2 x 20000 GB)",
    ]);
  });

  test("the ZFS ARC: the reserved 12 GB fit, 13 do not", () => {
    expect(at("hypervisor.zfs.arcMaxGb", problems("prod", (v) => (v.hypervisor.zfs.arcMaxGb = 12)))).toEqual([]);
    expect(at("hypervisor.zfs.arcMaxGb", problems("prod", (v) => (v.hypervisor.zfs.arcMaxGb = 13)))).toEqual([
      "homelab:hypervisor.zfs.arcMaxGb = 13: expected at most 12 GB: the ARC must fit in proxmox.hardware.reservedMemoryGb",
    ]);
  });

  test("a node: the host's threads, the VMs' memory and the datastore are the most one VM may take", () => {
    const worker = (key: "cores" | "memoryGb" | "diskGb", n: number) => at(`cluster.nodes[1].${key}`, problems("prod", (v) => (v.cluster.nodes[1][key] = n)));
    expect(worker("cores", 16)).toEqual([]);
    expect(worker("cores", 17)).toEqual(["homelab:cluster.nodes[1].cores = 17: expected at most 16 vCPUs (the host's thread count)"]);
    expect(worker("memoryGb", 52)).toEqual([]);
    expect(worker("memoryGb", 53)).toEqual(["homelab:cluster.nodes[1].memoryGb = 53: expected at most 52 GB (host 64 GB minus 12 GB reserved)"]);
    expect(worker("diskGb", 1000)).toEqual([]);
    expect(worker("diskGb", 1001)).toEqual(["homelab:cluster.nodes[1].diskGb = 1001: expected at most 1000 GB (proxmox.hardware.vmDatastoreGb)"]);
  });

  test("all nodes' disks: the datastore's 1000 GB fit, one more does not", () => {
    const disks = (worker: number) => at("cluster.nodes", problems("prod", (v) => (v.cluster.nodes[1].diskGb = worker)));
    expect(disks(950)).toEqual([]);
    expect(disks(951)).toHaveLength(1);
    expect(disks(951)[0]).toMatch(/^homelab:cluster\.nodes = .*: expected the VM disks to fit the VM datastore's 1000 GB \(proxmox\.hardware\.vmDatastoreGb\); they take 1001 GB$/);
  });

  test("the host's gateway is on the host's network", () => {
    expect(at("hypervisor.network.gateway", problems("prod", (v) => (v.hypervisor.network.gateway = "10.0.0.1")))).toEqual(['homelab:hypervisor.network.gateway = "10.0.0.1": expected an address inside 192.168.68.0/22']);
  });
});

describe("network sizes", () => {
  test("a VLAN ID from 1 to 4094", () => {
    for (const ok of [1, 4094]) expect(at("cluster.network.vlanId", problems("prod", (v) => (v.cluster.network.vlanId = ok)))).toEqual([]);
    for (const bad of [0, 4095]) expect(at("cluster.network.vlanId", problems("prod", (v) => (v.cluster.network.vlanId = bad)))).toEqual([`homelab:cluster.network.vlanId = ${bad}: expected a VLAN ID 1-4094`]);
  });

  test("the LAN LoadBalancer pool: a /24 at most", () => {
    expect(at("platform.lanLoadBalancer.pool", problems("prod", (v) => (v.platform.lanLoadBalancer.pool = "192.168.71.0/24")))).toEqual([]);
    expect(at("platform.lanLoadBalancer.pool", problems("prod", (v) => (v.platform.lanLoadBalancer.pool = "192.168.70.0/23")))).toEqual([
      'homelab:platform.lanLoadBalancer.pool = "192.168.70.0/23": expected a LAN range of /24 or smaller',
    ]);
  });

  test("Home Assistant's radios need one workload node; without radios, two are fine", () => {
    const twoWorkers = (v: Values) => (v.cluster.nodes[0].schedulable = true);
    expect(at("services.homeAssistant.usbDevices", problems("prod", twoWorkers))).toEqual([]);
    expect(problems("prod", twoWorkers).filter((l) => l.includes("homeAssistant"))).toEqual([]);
  });
});
