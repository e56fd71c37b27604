import { HostVm, memoryVerdict } from "../../gaming/memory";
import { proxmoxClient } from "../../gaming/proxmox";
import { proxmoxStandIn } from "./proxmoxStandIn";

const gib = (n: number) => n * 1024;
const vm = (vmid: number, name: string, running: boolean, memoryGb: number, tags: string[]): HostVm => ({ vmid, name, running, memoryMiB: gib(memoryGb), tags });
// The committed prod host: 64 GB, 4 kept by the host; PROD 3 × 8 GB, DEV 2 × 6 GB, the gaming VM 32 GB.
const host = [
  vm(201, "prod-cp-1", true, 8, ["prod", "cluster-prod", "backup-none"]),
  vm(202, "prod-worker-1", true, 8, ["prod", "cluster-prod", "backup-none"]),
  vm(203, "prod-worker-2", true, 8, ["prod", "cluster-prod", "backup-none"]),
  vm(101, "dev-cp-1", true, 6, ["dev", "cluster-dev", "backup-none"]),
  vm(102, "dev-worker-1", true, 6, ["dev", "cluster-dev", "backup-none"]),
  vm(300, "gaming", false, 32, ["gaming", "windows", "prod", "standalone", "backup-zfs-snapshots"]),
];

describe("the host's memory mode before the gaming VM starts", () => {
  it("fits with DEV stopped", () => {
    const devStopped = host.map((v) => (v.tags.includes("dev") ? { ...v, running: false } : v));
    expect(memoryVerdict(devStopped, 300, gib(60))).toEqual({ fits: true, freeMiB: gib(36) });
  });

  it("fits exactly at the edge, not a MiB past it", () => {
    expect(memoryVerdict(host, 300, gib(68)).fits).toBe(true);
    expect(memoryVerdict(host, 300, gib(68) - 1).fits).toBe(false);
  });

  it("refuses with DEV running and names the DEV machines whose stop makes room", () => {
    const v = memoryVerdict(host, 300, gib(60));
    expect(v).toEqual({
      fits: false,
      neededMiB: gib(32),
      freeMiB: gib(24),
      stopDev: [host[3], host[4]],
      reason: "gaming needs 32 GB and 24 GB is free: stopping DEV (dev-cp-1, dev-worker-1) frees 12 GB; start it with --stop-dev to do so",
    });
  });

  it("says when even stopping DEV is not enough", () => {
    const big = host.map((v) => (v.vmid === 300 ? { ...v, memoryMiB: gib(40) } : v));
    expect(memoryVerdict(big, 300, gib(60))).toMatchObject({ fits: false, stopDev: [], reason: "gaming needs 40 GB and 24 GB is free, 36 GB with DEV stopped: not enough even without DEV; stop another VM first" });
    const noDev = big.filter((v) => !v.tags.includes("dev"));
    expect(memoryVerdict(noDev, 300, gib(60))).toMatchObject({ fits: false, stopDev: [], reason: "gaming needs 40 GB and 36 GB is free: not enough even without DEV; stop another VM first" });
  });

  it("does not count the gaming VM itself when it already runs, nor stopped VMs", () => {
    const running = host.map((v) => (v.vmid === 300 ? { ...v, running: true } : v.tags.includes("dev") ? { ...v, running: false } : v));
    expect(memoryVerdict(running, 300, gib(60))).toEqual({ fits: true, freeMiB: gib(36) });
  });

  it("refuses a VM the host does not have", () => {
    expect(() => memoryVerdict(host, 999, gib(60))).toThrow("VM 999 is not on this host; expected the gaming VM's homelab:gamingVm.vmId");
  });
});

describe("the Proxmox API calls, against the stand-in", () => {
  it("lists the VMs in MiB with their tags, starts and shuts down one, and asks its guest agent", async () => {
    const api = await proxmoxStandIn([{ vmid: 300, name: "gaming", status: "stopped", maxmemMiB: gib(32), tags: ["gaming", "prod"], agent: false }]);
    try {
      const pve = proxmoxClient({ endpoint: `${api.url}/`, node: api.node, token: api.token });
      expect(await pve.vms()).toEqual([{ vmid: 300, name: "gaming", running: false, memoryMiB: gib(32), tags: ["gaming", "prod"] }]);
      expect(await pve.agentUp(300)).toBe(false);
      const upid = await pve.start(300);
      expect(upid).toMatch(/^UPID:pve:.*:qmstart:300:/);
      expect(await pve.task(upid)).toEqual({ status: "stopped", exitstatus: "OK" });
      expect(await pve.agentUp(300)).toBe(false);
      api.vms[0].agent = true;
      expect(await pve.agentUp(300)).toBe(true);
      expect(await pve.shutdown(300)).toMatch(/:qmshutdown:300:/);
      expect((await pve.vms())[0].running).toBe(false);
      expect(api.requests).toContain("POST /api2/json/nodes/pve/qemu/300/status/start");
    } finally {
      await api.close();
    }
  });

  it("says what Proxmox refused, with its reason", async () => {
    const api = await proxmoxStandIn([]);
    try {
      await expect(proxmoxClient({ endpoint: api.url, node: api.node, token: "other@pve!x=y" }).vms()).rejects.toThrow("Proxmox GET /qemu: HTTP 401 authentication failure");
      await expect(proxmoxClient({ endpoint: api.url, node: api.node, token: api.token }).agentUp(301)).resolves.toBe(false);
      await expect(proxmoxClient({ endpoint: api.url, node: api.node, token: api.token }).start(301)).rejects.toThrow("Proxmox POST /qemu/301/status/start: HTTP 500 Configuration file 'nodes/pve/qemu-server/301.conf' does not exist");
    } finally {
      await api.close();
    }
  });
});
