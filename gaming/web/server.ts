// The launch page's server: the same start and stop as `npm run gaming` (or,
// when KubeVirt has the GPU, the KubeVirt session's), behind the SSO proxy,
// for the admin and the `gamers` group. The proxy
// signs people in and passes who they are (X-Forwarded-User, -Groups); the
// server serves only those of an allowed group, and takes a press only from
// its own page (the browser's Sec-Fetch-Site or Origin), so another site
// cannot start the VM in a signed-in visitor's name. One start or stop at a
// time; the page shows it under way and its outcome.
import http from "http";
import type { AddressInfo } from "net";
import { ControlDeps, GamingTarget, startGaming, stopGaming } from "../control";
import type { SessionTarget } from "../kubevirtApi";
import { memoryVerdict } from "../memory";
import { SessionDeps, startSession, stopSession } from "../session";
import { LaunchSubject, LaunchView, launchPage } from "./page";

type Job = NonNullable<LaunchView["job"]>;

/** What the page starts and stops: the Proxmox VM, or the KubeVirt session. */
export interface LaunchBackend {
  /** Who answers behind it, for the error page. */
  upstream: string;
  subject(): Promise<LaunchSubject>;
  /** Runs a start into the job's lines; true when it ended ready. */
  start(job: Job, stopDev: boolean): Promise<boolean>;
  stop(job: Job): Promise<boolean>;
}

/** A refusal the visitor can act on (the configured VM is missing): 500 with these words, not Proxmox's. */
class NotHere extends Error {}

export function proxmoxBackend(control: ControlDeps, target: GamingTarget, readyTimeoutMs: number): LaunchBackend {
  return {
    upstream: "Proxmox",
    async subject() {
      const vms = await control.pve.vms();
      const vm = vms.find((v) => v.vmid === target.vmid);
      if (!vm) throw new NotHere(`VM ${target.vmid} is not on this host; expected the gaming VM's homelab:gamingVm.vmId`);
      return { kind: "vm", vm, verdict: memoryVerdict(vms, target.vmid, target.usableMiB) };
    },
    async start(j, stopDev) {
      const r = await startGaming(control, target, { stopDev, readyTimeoutMs });
      if (!r.started) {
        j.lines.push(`not started: ${r.verdict.stopDev.length ? "DEV must be stopped first" : "not enough memory even with DEV stopped"}`);
        return false;
      }
      j.lines.push(...r.lines);
      return r.ready;
    },
    async stop(j) {
      j.lines.push(await stopGaming(control, target.vmid));
      return true;
    },
  };
}

export function kubevirtBackend(deps: SessionDeps, target: SessionTarget, readyTimeoutMs: number): LaunchBackend {
  return {
    upstream: "Kubernetes",
    subject: async () => ({ kind: "session", session: await deps.kube.session(target) }),
    async start(j) {
      const r = await startSession(deps, target, { readyTimeoutMs });
      j.lines.push(...r.lines);
      return r.ready;
    },
    async stop(j) {
      j.lines.push(await stopSession(deps, target));
      return true;
    },
  };
}

export interface LaunchServerDeps {
  backend: LaunchBackend;
  /** Groups the page serves (the SSO proxy admits them too). */
  allowedGroups: readonly string[];
  log(line: string): void;
}

const text = (res: http.ServerResponse, status: number, body: string, type = "text/plain; charset=utf-8") => {
  res.writeHead(status, { "Content-Type": type, "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff", "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'" });
  res.end(body);
};

/** A press from this page: the browser says the request is same-origin, or its Origin is this host. */
function sameOrigin(req: http.IncomingMessage): boolean {
  const site = req.headers["sec-fetch-site"];
  if (typeof site === "string") return site === "same-origin";
  const origin = req.headers.origin;
  if (typeof origin !== "string") return false;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

/** The groups the SSO proxy passed (comma-separated, as oauth2-proxy writes them). */
const groupsOf = (req: http.IncomingMessage) =>
  String(req.headers["x-forwarded-groups"] ?? "")
    .split(",")
    .map((g) => g.trim())
    .filter(Boolean);

export function launchHandler(deps: LaunchServerDeps): http.RequestListener {
  let job: Job | undefined;

  const run = (action: Job["action"], work: (j: Job) => Promise<boolean>) => {
    const j: Job = { action, running: true, lines: [] };
    job = j;
    work(j)
      .then((ok) => Object.assign(j, { running: false, ok }))
      .catch((e: Error) => {
        j.lines.push(e.message);
        Object.assign(j, { running: false, ok: false });
        deps.log(`${action} failed: ${e.message}`);
      });
  };

  return (req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", "http://launch");
      if (req.method === "GET" && url.pathname === "/healthz") return text(res, 200, "ok\n");
      const user = String(req.headers["x-forwarded-user"] ?? "");
      if (!user || !groupsOf(req).some((g) => deps.allowedGroups.includes(g))) return text(res, 403, `This page is for the groups ${deps.allowedGroups.join(", ")}.\n`);

      if (req.method === "GET" && url.pathname === "/") {
        let subject: LaunchSubject;
        try {
          subject = await deps.backend.subject();
        } catch (e) {
          if (e instanceof NotHere) return text(res, 500, `${e.message}\n`);
          throw e;
        }
        return text(res, 200, launchPage({ subject, user, job }), "text/html; charset=utf-8");
      }
      if (req.method === "POST" && (url.pathname === "/start" || url.pathname === "/stop")) {
        if (!sameOrigin(req)) return text(res, 403, "A start or stop is taken from this page only.\n");
        let body = "";
        for await (const chunk of req) body += chunk;
        if (job?.running) return text(res, 409, `A ${job.action} is under way.\n`);
        const stopDev = new URLSearchParams(body).get("stopDev") === "1";
        deps.log(`${user}: ${url.pathname.slice(1)}${stopDev ? " (stopping DEV)" : ""}`);
        if (url.pathname === "/start") run("start", (j) => deps.backend.start(j, stopDev));
        else run("stop", (j) => deps.backend.stop(j));
        res.writeHead(303, { Location: "/", "Cache-Control": "no-store" });
        return res.end();
      }
      text(res, 404, "Not found.\n");
    })().catch((e: Error) => {
      deps.log(`error: ${e.message}`);
      if (!res.headersSent) text(res, 502, `${deps.backend.upstream} did not answer as expected: ${e.message}\n`);
      else res.end();
    });
  };
}

/** Serves the page on `host:port` (0: any free port); resolves with the address it listens on. */
export async function startLaunchServer(deps: LaunchServerDeps, port: number, host: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(launchHandler(deps));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, resolve);
  });
  const address = server.address() as AddressInfo;
  return { url: `http://${host}:${address.port}`, close: () => new Promise((r) => server.close(() => r())) };
}
