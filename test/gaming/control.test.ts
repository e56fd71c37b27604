import { ControlDeps, startGaming, stopGaming } from "../../gaming/control";
import { proxmoxClient } from "../../gaming/proxmox";
import { ProxmoxStandIn, StandInVm, proxmoxStandIn } from "./proxmoxStandIn";

const gib = (n: number) => n * 1024;
const hostVms = (): StandInVm[] => [
  { vmid: 201, name: "prod-cp-1", status: "running", maxmemMiB: gib(8), tags: ["prod", "cluster-prod"], agent: true },
  { vmid: 202, name: "prod-worker-1", status: "running", maxmemMiB: gib(16), tags: ["prod", "cluster-prod"], agent: true },
  { vmid: 101, name: "dev-cp-1", status: "running", maxmemMiB: gib(6), tags: ["dev", "cluster-dev"], agent: true },
  { vmid: 102, name: "dev-worker-1", status: "running", maxmemMiB: gib(6), tags: ["dev", "cluster-dev"], agent: true },
  { vmid: 300, name: "gaming", status: "stopped", maxmemMiB: gib(32), tags: ["gaming", "windows", "prod"], agent: false, address: "192.168.68.60" },
];
const target = { vmid: 300, usableMiB: gib(60) };

describe("the gaming VM on demand, against the Proxmox stand-in", () => {
  let api: ProxmoxStandIn;
  let clock = 0;
  const notes: string[] = [];
  /** Windows boots after `bootPolls` sleeps; Sunshine answers `streamingAfter` sleeps later (never when undefined). */
  const deps = (bootPolls: number, streamingAfter?: number): ControlDeps => {
    let slept = 0;
    return {
      pve: proxmoxClient({ endpoint: api.url, node: api.node, token: api.token }),
      streamingUp: async (address) => streamingAfter !== undefined && address === "192.168.68.60" && slept >= bootPolls + streamingAfter,
      notify: async (title, message, ok) => void notes.push(`${ok ? "ok" : "not ok"} ${title}: ${message}`),
      sleep: async (ms) => {
        if (++slept > 100) throw new Error("slept more than 100 times");
        clock += ms;
        if (slept >= bootPolls) for (const v of api.vms) if (v.vmid === 300 && v.status === "running") v.agent = true;
      },
      now: () => clock,
    };
  };
  beforeEach(async () => {
    api = await proxmoxStandIn(hostVms());
    clock = 0;
    notes.length = 0;
  });
  afterEach(() => api.close());
  const posts = () => api.requests.filter((r) => r.startsWith("POST") && !r.endsWith("/agent/ping"));

  it("refuses while DEV runs and the VM does not fit, and touches nothing", async () => {
    const r = await startGaming(deps(2, 1), target, { stopDev: false, readyTimeoutMs: 600_000 });
    expect(r).toMatchObject({ started: false, verdict: { fits: false, reason: "gaming needs 32 GB and 24 GB is free: stopping DEV (dev-cp-1, dev-worker-1) frees 12 GB; start it with --stop-dev to do so" } });
    expect(posts()).toEqual([]);
    expect(notes).toEqual([]);
  });

  it("stops DEV when asked, starts the VM, waits for Windows and Sunshine, and says where to connect", async () => {
    const r = await startGaming(deps(3, 2), target, { stopDev: true, readyTimeoutMs: 600_000 });
    expect(r).toEqual({
      started: true,
      ready: true,
      address: "192.168.68.60",
      stoppedDev: ["dev-cp-1", "dev-worker-1"],
      lines: ["stopped DEV: dev-cp-1, dev-worker-1", "gaming started", "ready: stream from 192.168.68.60 (Moonlight)"],
    });
    expect(posts()).toEqual(["POST /api2/json/nodes/pve/qemu/101/status/shutdown", "POST /api2/json/nodes/pve/qemu/102/status/shutdown", "POST /api2/json/nodes/pve/qemu/300/status/start"]);
    expect(notes).toEqual(["ok Gaming VM ready: gaming is up: connect Moonlight to 192.168.68.60"]);
    expect(clock).toBe(5 * 5_000);
  });

  it("starts without touching DEV when it fits", async () => {
    api.vms[1].maxmemMiB = gib(4);
    const r = await startGaming(deps(1, 0), target, { stopDev: true, readyTimeoutMs: 600_000 });
    expect(r).toMatchObject({ started: true, ready: true, stoppedDev: [] });
    expect(posts()).toEqual(["POST /api2/json/nodes/pve/qemu/300/status/start"]);
  });

  it("says so when Windows is up but the streaming host never answers", async () => {
    const r = await startGaming(deps(2), { ...target, usableMiB: gib(80) }, { stopDev: false, readyTimeoutMs: 60_000 });
    expect(r).toMatchObject({ started: true, ready: false, address: "192.168.68.60", lines: ["gaming started", "not ready after 1 min: Windows is up (192.168.68.60) but the streaming host does not answer"] });
    expect(notes).toEqual(["not ok Gaming VM not ready: gaming: Windows is up (192.168.68.60) but the streaming host does not answer"]);
  });

  it("says so when Windows never boots", async () => {
    const r = await startGaming(deps(1000), { ...target, usableMiB: gib(80) }, { stopDev: false, readyTimeoutMs: 30_000 });
    expect(r).toMatchObject({ ready: false, lines: ["gaming started", "not ready after 1 min: Windows's guest agent does not answer"] });
  });

  it("waits for Proxmox's task a bounded time, and fails with the task's own status", async () => {
    const roomy = { ...target, usableMiB: gib(80) };
    api.vms[4].taskOutcome = "running";
    await expect(startGaming(deps(0), roomy, { stopDev: false, readyTimeoutMs: 60_000 })).rejects.toThrow("start gaming: still running after 120 s");
    // It polled every 5 s until the deadline, and not a poll longer.
    expect(clock).toBe(120_000);
    api.vms[4].status = "stopped";
    api.vms[4].taskOutcome = { exitstatus: "start failed: PCI device 0000:01:00.0 is in use" };
    await expect(startGaming(deps(0), roomy, { stopDev: false, readyTimeoutMs: 60_000 })).rejects.toThrow('start gaming: Proxmox\'s task ended with "start failed: PCI device 0000:01:00.0 is in use"; expected OK');
    expect(api.vms[4].status).toBe("stopped");
    api.vms[4].status = "running";
    api.vms[4].taskOutcome = "running";
    clock = 0;
    await expect(stopGaming(deps(0), 300)).rejects.toThrow("shut down gaming: still running after 300 s");
    expect(clock).toBe(300_000);
  });

  it("says so when the VM already runs, and waits for it all the same", async () => {
    api.vms[4].status = "running";
    const r = await startGaming(deps(0, 0), { ...target, usableMiB: gib(80) }, { stopDev: false, readyTimeoutMs: 60_000 });
    expect(r).toMatchObject({ started: true, ready: true, lines: ["gaming was already running", "ready: stream from 192.168.68.60 (Moonlight)"] });
    expect(posts()).toEqual([]);
  });

  it("stops the VM, and says when it already is", async () => {
    expect(await stopGaming(deps(0), 300)).toBe("gaming is already stopped");
    api.vms[4].status = "running";
    expect(await stopGaming(deps(0), 300)).toBe("gaming stopped");
    expect(api.vms[4].status).toBe("stopped");
    await expect(stopGaming(deps(0), 999)).rejects.toThrow("VM 999 is not on this host");
  });
});
