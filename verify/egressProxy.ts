// The static-IP egress proxy for real: Debian's Squid parses the exact
// configuration the plan generated, then serves the same renderer's output on
// loopback and answers what the management VM's proxy would: the cluster's
// requests to web ports go out, other ports, other tunnels and other sources
// are refused. Squid says which by its X-Squid-Error header.
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { EgressProxyArgs, squidConf } from "../components/omni/egressProxy";
import { freePort } from "./net";

export interface ProxyResult {
  ok: boolean;
  artifact: string;
  message: string;
}

/** Squid as Debian installs it, unless SQUID names another. */
export const squidPath = (): string => process.env.SQUID ?? "/usr/sbin/squid";

const missingSquid = (): ProxyResult => ({ ok: false, artifact: "squid", message: `no Squid at ${squidPath()}: install Debian's squid (apt-get install squid) or set SQUID` });

/** `squid -k parse` on a generated configuration: every directive known, every ACL well formed. */
export function parseSquidConf(file: string): ProxyResult {
  if (!fs.existsSync(squidPath())) return missingSquid();
  const r = spawnSync(squidPath(), ["-k", "parse", "-f", file], { encoding: "utf8", timeout: 60_000 });
  const out = `${r.stdout ?? ""}${r.stderr ?? ""}`;
  const bad = out.split("\n").filter((l) => /FATAL|ERROR|Bungled|unrecognized/i.test(l));
  return r.status === 0 && bad.length === 0
    ? { ok: true, artifact: file, message: "ok" }
    : { ok: false, artifact: file, message: bad.slice(0, 3).join(" | ") || `squid -k parse exited with ${r.status}` };
}

/** What Squid answered: the status and its error kind (ERR_ACCESS_DENIED when a rule refused). */
interface Answer {
  status: number;
  error: string;
}

function ask(proxyPort: number, method: "GET" | "CONNECT", target: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port: proxyPort, method, path: target, headers: method === "CONNECT" ? { host: target } : {} });
    const answer = (res: http.IncomingMessage) => {
      resolve({ status: res.statusCode ?? 0, error: String(res.headers["x-squid-error"] ?? "").split(" ")[0] });
      res.resume();
      res.socket?.destroy();
    };
    req.on("connect", answer);
    req.on("response", answer);
    req.on("error", reject);
    req.setTimeout(15_000, () => req.destroy(new Error(`no answer from the proxy to ${method} ${target}`)));
    req.end();
  });
}

async function withSquid<T>(args: Omit<EgressProxyArgs, "port">, use: (port: number) => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-squid-"));
  // Started as root, Squid drops to its own user: its logs need a directory anyone may write.
  fs.chmodSync(dir, 0o777);
  const port = await freePort();
  const conf = path.join(dir, "squid.conf");
  // The rendered configuration as is, logs moved into the scratch directory (the rules are untouched).
  fs.writeFileSync(conf, `${squidConf({ ...args, port })}access_log stdio:${dir}/access.log\ncache_log ${dir}/cache.log\n`);
  let log = "";
  const squid = spawn(squidPath(), ["-N", "-f", conf], { stdio: ["ignore", "pipe", "pipe"] });
  squid.stdout?.on("data", (d) => (log += String(d)));
  squid.stderr?.on("data", (d) => (log += String(d)));
  try {
    const until = Date.now() + 20_000;
    for (;;) {
      if (squid.exitCode !== null) throw new Error(`squid exited with ${squid.exitCode}: ${log.trim().split("\n").slice(-2).join(" | ")}`);
      try {
        await ask(port, "GET", "http://127.0.0.1:80/");
        break;
      } catch (err) {
        if (Date.now() > until) throw err;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    return await use(port);
  } finally {
    squid.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** One question to the proxy and what must come back: through (any answer but a refusal) or refused. */
interface Case {
  what: string;
  from: "cluster" | "elsewhere";
  method: "GET" | "CONNECT";
  target: string;
  refused: boolean;
}

export const proxyCases: Case[] = [
  { what: "plain HTTP to port 80", from: "cluster", method: "GET", target: "http://127.0.0.1:80/", refused: false },
  { what: "a TLS tunnel to port 443", from: "cluster", method: "CONNECT", target: "127.0.0.1:443", refused: false },
  { what: "plain HTTP to port 8080", from: "cluster", method: "GET", target: "http://127.0.0.1:8080/", refused: true },
  { what: "a tunnel to port 22", from: "cluster", method: "CONNECT", target: "127.0.0.1:22", refused: true },
  { what: "plain HTTP from outside the cluster's subnet", from: "elsewhere", method: "GET", target: "http://127.0.0.1:80/", refused: true },
];

/** Squid running the renderer's configuration answers every case as the proxy must. */
export async function checkSquidProxy(): Promise<ProxyResult[]> {
  if (!fs.existsSync(squidPath())) return [missingSquid()];
  const results: ProxyResult[] = [];
  // Loopback plays the cluster's subnet; a documentation range plays everyone else.
  for (const from of ["cluster", "elsewhere"] as const) {
    const allowedCidrs = from === "cluster" ? ["127.0.0.0/8"] : ["192.0.2.0/24"];
    try {
      await withSquid({ listenIp: "127.0.0.1", allowedCidrs }, async (port) => {
        for (const c of proxyCases.filter((k) => k.from === from)) {
          const a = await ask(port, c.method, c.target);
          const refused = a.status === 403 && a.error === "ERR_ACCESS_DENIED";
          results.push({
            ok: refused === c.refused,
            artifact: `egress proxy: ${c.what}`,
            message: `${refused === c.refused ? `ok, ${c.refused ? "refused" : "let through"}:` : `expected ${c.refused ? "a refusal" : "to be let through"}, got`} ${[a.status, a.error].filter(Boolean).join(" ")}`,
          });
        }
      });
    } catch (err) {
      results.push({ ok: false, artifact: `egress proxy (${from})`, message: err instanceof Error ? err.message : String(err) });
    }
  }
  return results;
}
