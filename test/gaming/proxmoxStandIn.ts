// A loopback stand-in of the Proxmox VE API calls the gaming control makes,
// written from the API viewer (pve-docs api-viewer, /api2/json): `data`
// envelopes, maxmem in bytes, tags as a ;-list, start/shutdown answering a
// task UPID, tasks/{upid}/status, agent/ping failing with 500 until the
// guest agent runs; 401 without the token.
import http from "http";
import type { AddressInfo } from "net";

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
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    if (req.headers.authorization !== `PVEAPIToken=${token}`) return reply(res, 401, null, "authentication failure");
    const prefix = `/api2/json/nodes/${node}`;
    const path = (req.url ?? "").startsWith(prefix) ? (req.url ?? "").slice(prefix.length) : "";
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
      vm.status = m![2] === "status/start" ? "running" : "stopped";
      if (vm.status === "stopped") vm.agent = false;
      tasks.set(upid, { status: "stopped", exitstatus: "OK" });
      return reply(res, 200, upid);
    }
    reply(res, 501, null, "Method not implemented");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, node, token, vms, requests, close: () => new Promise((r) => server.close(() => r())) };
}
