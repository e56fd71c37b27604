// How the gaming control reaches the host and the guest from the admin's
// machine: HTTPS to the Proxmox API (accepting the node's self-signed
// certificate only when homelab:proxmox.insecure says so), and a TCP probe
// of Sunshine's port.
import * as https from "https";
import * as net from "net";
import type { Fetch } from "./proxmox";

/** Sunshine's HTTP port, the one Moonlight pairs and lists apps through. */
export const sunshinePort = 47989;

/** A fetch over Node's https: the one place a self-signed node certificate can be accepted, and only when configured. */
export function proxmoxFetch(insecure: boolean): Fetch {
  return ((input: string | URL, init?: RequestInit) =>
    new Promise<Response>((resolve, reject) => {
      const req = https.request(input, { method: init?.method ?? "GET", headers: init?.headers as Record<string, string>, rejectUnauthorized: !insecure, timeout: 30_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve(new Response(Buffer.concat(chunks), { status: res.statusCode ?? 500, statusText: res.statusMessage ?? "" })));
      });
      req.on("timeout", () => req.destroy(new Error(`${String(input)}: no answer in 30 s`)));
      req.on("error", reject);
      req.end();
    })) as Fetch;
}

/** Whether something accepts TCP connections at address:port within the timeout. */
export function tcpAnswers(address: string, port = sunshinePort, timeoutMs = 3_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: address, port, timeout: timeoutMs });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once("connect", () => done(true));
    socket.once("timeout", () => done(false));
    socket.once("error", () => done(false));
  });
}
