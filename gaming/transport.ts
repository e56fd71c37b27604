// How the gaming control reaches the host and the guest: HTTPS to the
// Proxmox API (accepting the node's self-signed certificate only when
// homelab:proxmox.insecure says so) or to the cluster's API server (the
// launch page, for a KubeVirt session), and a TCP probe of Sunshine's port.
import * as https from "https";
import * as net from "net";
import type { Fetch } from "./proxmox";

/** Sunshine's HTTP port, the one Moonlight pairs and lists apps through. */
export const sunshinePort = 47989;

/** A fetch over Node's https with the given trust (a request body as a string, when there is one). */
function httpsFetch(trust: Pick<https.RequestOptions, "rejectUnauthorized" | "ca">): Fetch {
  return ((input: string | URL, init?: RequestInit) =>
    new Promise<Response>((resolve, reject) => {
      const req = https.request(input, { method: init?.method ?? "GET", headers: init?.headers as Record<string, string>, ...trust, timeout: 30_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        // A Response cannot carry a body for these statuses.
        res.on("end", () => resolve(new Response([204, 205, 304].includes(res.statusCode ?? 0) ? null : Buffer.concat(chunks), { status: res.statusCode ?? 500, statusText: res.statusMessage ?? "" })));
      });
      req.on("timeout", () => req.destroy(new Error(`${String(input)}: no answer in 30 s`)));
      req.on("error", reject);
      req.end(typeof init?.body === "string" ? init.body : undefined);
    })) as Fetch;
}

/** The Proxmox API: the one place a self-signed node certificate can be accepted, and only when configured. */
export const proxmoxFetch = (insecure: boolean): Fetch => httpsFetch({ rejectUnauthorized: !insecure });

/** The API server, trusting only the cluster's CA (the service account's ca.crt): the launch page's way to KubeVirt. */
export const kubeFetch = (ca: string): Fetch => httpsFetch({ ca });

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
