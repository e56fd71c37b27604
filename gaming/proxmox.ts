// The few Proxmox VE API calls the gaming control makes (API viewer,
// /api2/json): list the node's VMs, start and shut one down, follow the
// task, ask the guest agent. Authenticated by an API token of its own
// (`Authorization: PVEAPIToken=<user>@<realm>!<token id>=<secret>`).
import type { HostVm } from "./memory";

export type Fetch = typeof fetch;

/** An API token as Proxmox takes it, and how a bad one is described (the command's and the launch page's settings). */
export const apiToken = { pattern: /^[^@\s]+@[^!\s]+![^=\s]+=\S+$/, expected: "the gaming control's API token as <user>@<realm>!<token id>=<secret>" };

export interface ProxmoxAccess {
  /** https://<host>:8006 */
  endpoint: string;
  node: string;
  /** <user>@<realm>!<token id>=<secret> */
  token: string;
}

export class ProxmoxError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function proxmoxClient(access: ProxmoxAccess, fetchImpl: Fetch = fetch) {
  const base = `${access.endpoint.replace(/\/+$/, "")}/api2/json/nodes/${encodeURIComponent(access.node)}`;
  async function call<T>(method: "GET" | "POST", path: string): Promise<T> {
    const res = await fetchImpl(`${base}${path}`, { method, headers: { Authorization: `PVEAPIToken=${access.token}` }, signal: AbortSignal.timeout(30_000) });
    const text = await res.text();
    // Proxmox puts the reason in the status line and, for parameter errors, in the body.
    if (!res.ok) throw new ProxmoxError(res.status, `Proxmox ${method} ${path}: HTTP ${res.status} ${res.statusText}${text ? ` ${text.slice(0, 200)}` : ""}`);
    return (JSON.parse(text) as { data: T }).data;
  }
  return {
    async vms(): Promise<HostVm[]> {
      const list = await call<{ vmid: number; name?: string; status: string; maxmem?: number; tags?: string }[]>("GET", "/qemu");
      return list.map((v) => ({ vmid: Number(v.vmid), name: v.name ?? `VM ${v.vmid}`, running: v.status === "running", memoryMiB: Math.round((v.maxmem ?? 0) / 1024 / 1024), tags: (v.tags ?? "").split(/[;, ]/).filter(Boolean) }));
    },
    start: (vmid: number) => call<string>("POST", `/qemu/${vmid}/status/start`),
    shutdown: (vmid: number) => call<string>("POST", `/qemu/${vmid}/status/shutdown`),
    /** A task's state: running, or stopped with its exit status ("OK" when it worked). */
    task: (upid: string) => call<{ status: string; exitstatus?: string }>("GET", `/tasks/${encodeURIComponent(upid)}/status`),
    /** The guest's IPv4 addresses as its agent reports them (loopback and link-local left out). */
    async agentAddresses(vmid: number): Promise<string[]> {
      const r = await call<{ result: { name: string; "ip-addresses"?: { "ip-address-type": string; "ip-address": string }[] }[] }>("GET", `/qemu/${vmid}/agent/network-get-interfaces`);
      return r.result.flatMap((i) => i["ip-addresses"] ?? []).filter((a) => a["ip-address-type"] === "ipv4" && !/^(127\.|169\.254\.)/.test(a["ip-address"])).map((a) => a["ip-address"]);
    },
    /** Whether the guest agent answers (Windows is up far enough to run it). */
    async agentUp(vmid: number): Promise<boolean> {
      try {
        await call("POST", `/qemu/${vmid}/agent/ping`);
        return true;
      } catch (e) {
        // 500 "QEMU guest agent is not running" (or the VM not running): not up yet.
        if (e instanceof ProxmoxError && e.status === 500) return false;
        throw e;
      }
    },
  };
}
