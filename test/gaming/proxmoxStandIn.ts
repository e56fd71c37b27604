// A loopback stand-in of the Proxmox VE API calls the gaming control makes,
// written from the API viewer (pve-docs api-viewer, /api2/json): `data`
// envelopes, maxmem in bytes, tags as a ;-list, start/shutdown answering a
// task UPID, tasks/{upid}/status, agent/ping failing with 500 until the
// guest agent runs; status/current with the network counters; agent/exec
// (a JSON body, answering the guest process's pid) and agent/exec-status
// (exited, exitcode, out-data); 401 without the token.
import http from "http";
import type { AddressInfo } from "net";

/**
 * A caller that polls without pausing (a mutant that drops its sleep) is cut
 * off with 429 after 5 000 requests, not fed until memory runs out. True when
 * the request was answered so.
 */
export function cutOffRunaway(requests: string[], res: http.ServerResponse): boolean {
  if (requests.length <= 5_000) return false;
  res.writeHead(429);
  res.end();
  return true;
}

export interface StandInVm {
  vmid: number;
  name: string;
  status: "running" | "stopped";
  maxmemMiB: number;
  tags: string[];
  /** The guest agent answers (Windows booted). */
  agent: boolean;
  /** What the agent reports of the guest's network. */
  address?: string;
  /** Bytes the VM has sent since it started (status/current's netout). */
  netout?: number;
  /** What nvidia-smi prints in the guest: a load in %, or absent when the driver is missing (exit code 1). */
  gpuPercent?: number;
  /** How its start and shutdown tasks end: OK (the default), an error status, or never (still running). */
  taskOutcome?: { exitstatus: string } | "running";
}

export interface ProxmoxStandIn {
  url: string;
  node: string;
  token: string;
  vms: StandInVm[];
  requests: string[];
  close(): Promise<void>;
}

export async function proxmoxStandIn(vms: StandInVm[], node = "pve", token = "gaming@pve!control=00000000-0000-0000-0000-000000000000"): Promise<ProxmoxStandIn> {
  const requests: string[] = [];
  const tasks = new Map<string, { status: string; exitstatus?: string }>();
  const reply = (res: http.ServerResponse, status: number, data?: unknown, reason?: string) => {
    res.writeHead(status, reason ?? http.STATUS_CODES[status], { "Content-Type": "application/json" });
    res.end(JSON.stringify({ data: data ?? null }));
  };
  const execs = new Map<number, { vmid: number; command: string[] }>();
  const server = http.createServer(async (req, res) => {
    requests.push(`${req.method} ${req.url}`);
    if (cutOffRunaway(requests, res)) return;
    let body = "";
    for await (const chunk of req) body += chunk;
    if (req.headers.authorization !== `PVEAPIToken=${token}`) return reply(res, 401, null, "authentication failure");
    const prefix = `/api2/json/nodes/${node}`;
    const url = new URL(req.url ?? "/", "http://stand-in");
    const path = url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) : "";
    const current = /^\/qemu\/(\d+)\/status\/current$/.exec(path);
    if (req.method === "GET" && current) {
      const v = vms.find((x) => x.vmid === Number(current[1]));
      if (!v) return reply(res, 500, null, `Configuration file 'nodes/${node}/qemu-server/${current[1]}.conf' does not exist`);
      return reply(res, 200, { vmid: v.vmid, name: v.name, status: v.status, qmpstatus: v.status, maxmem: v.maxmemMiB * 1024 * 1024, netout: v.status === "running" ? (v.netout ?? 0) : 0, netin: 0, uptime: v.status === "running" ? 600 : 0, agent: 1 });
    }
    const exec = /^\/qemu\/(\d+)\/agent\/(exec|exec-status)$/.exec(path);
    if (exec) {
      const v = vms.find((x) => x.vmid === Number(exec[1]));
      if (!v?.agent || v.status !== "running") return reply(res, 500, null, "QEMU guest agent is not running");
      if (req.method === "POST" && exec[2] === "exec") {
        // The API takes `command` as a list; a JSON body carries it as an array.
        let command: unknown;
        try {
          command = req.headers["content-type"]?.startsWith("application/json") ? (JSON.parse(body) as { command?: unknown }).command : undefined;
        } catch {
          return reply(res, 400, null, "malformed JSON");
        }
        if (!Array.isArray(command) || command.length === 0 || !command.every((c) => typeof c === "string")) return reply(res, 400, null, "Parameter verification failed: command");
        const pid = 4000 + execs.size;
        execs.set(pid, { vmid: v.vmid, command: command as string[] });
        return reply(res, 200, { pid });
      }
      if (req.method === "GET" && exec[2] === "exec-status") {
        const run = execs.get(Number(url.searchParams.get("pid")));
        if (!run || run.vmid !== v.vmid) return reply(res, 500, null, "Agent error: Invalid parameter 'pid'");
        const smi = /nvidia-smi\.exe$/i.test(run.command[0]) && run.command.includes("--query-gpu=utilization.gpu");
        if (smi && v.gpuPercent !== undefined) return reply(res, 200, { exited: 1, exitcode: 0, "out-data": `${v.gpuPercent}\r\n` });
        return reply(res, 200, { exited: 1, exitcode: 1, "err-data": "not found\r\n" });
      }
    }
    if (req.method === "GET" && path === "/qemu") return reply(res, 200, vms.map((v) => ({ vmid: v.vmid, name: v.name, status: v.status, maxmem: v.maxmemMiB * 1024 * 1024, mem: 0, tags: v.tags.join(";") })));
    const task = /^\/tasks\/([^/]+)\/status$/.exec(path);
    if (req.method === "GET" && task) {
      const t = tasks.get(decodeURIComponent(task[1]));
      return t ? reply(res, 200, t) : reply(res, 500, null, "no such task");
    }
    const nics = /^\/qemu\/(\d+)\/agent\/network-get-interfaces$/.exec(path);
    if (req.method === "GET" && nics) {
      const v = vms.find((x) => x.vmid === Number(nics[1]));
      if (!v?.agent || v.status !== "running") return reply(res, 500, null, "QEMU guest agent is not running");
      const ip = (type: string, address: string) => ({ "ip-address-type": type, "ip-address": address, prefix: type === "ipv4" ? 8 : 64 });
      return reply(res, 200, {
        result: [
          { name: "Loopback Pseudo-Interface 1", "ip-addresses": [ip("ipv6", "::1"), ip("ipv4", "127.0.0.1")] },
          { name: "Ethernet", "hardware-address": "bc:24:11:00:00:01", "ip-addresses": [ip("ipv6", "fe80::1"), ...(v.address ? [ip("ipv4", v.address)] : [ip("ipv4", "169.254.10.1")])] },
        ],
      });
    }
    const m = /^\/qemu\/(\d+)\/(status\/start|status\/shutdown|agent\/ping)$/.exec(path);
    const vm = m && vms.find((v) => v.vmid === Number(m[1]));
    if (req.method === "POST" && m && !vm) return reply(res, 500, null, `Configuration file 'nodes/${node}/qemu-server/${m[1]}.conf' does not exist`);
    if (req.method === "POST" && vm) {
      if (m![2] === "agent/ping") return vm.status === "running" && vm.agent ? reply(res, 200, {}) : reply(res, 500, null, vm.status === "running" ? "QEMU guest agent is not running" : `VM ${vm.vmid} not running`);
      const upid = `UPID:${node}:0000${tasks.size}:0:0:qm${m![2] === "status/start" ? "start" : "shutdown"}:${vm.vmid}:root@pam:`;
      const outcome = vm.taskOutcome ?? { exitstatus: "OK" };
      // A task that fails leaves the VM as it was.
      if (outcome === "running" || outcome.exitstatus === "OK") vm.status = m![2] === "status/start" ? "running" : "stopped";
      if (vm.status === "stopped") vm.agent = false;
      tasks.set(upid, outcome === "running" ? { status: "running" } : { status: "stopped", ...outcome });
      return reply(res, 200, upid);
    }
    reply(res, 501, null, "Method not implemented");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, node, token, vms, requests, close: () => new Promise((r) => server.close(() => r())) };
}
