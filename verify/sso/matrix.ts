// The SSO access matrix, for real, on loopback: an OpenID Connect issuer
// (oidc-provider) with the gates' clients, oauth2-proxy (built from its Go
// module) started once per gate with the configuration the program renders
// (only the addresses differ), a front door per hostname that routes by the
// entry's own HTTPRoute, and a small upstream per app. Every user asks every
// question of matrixCases; each answer is compared with what the catalog
// says, and the table is printed.
import { ChildProcess, spawn } from "child_process";
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { httpRoute } from "../../components/service/manifests";
import { SsoGate, oauth2ProxyConfig, ssoGates } from "../../components/service/ssoGate";
import type { ServiceEntry } from "../../services/entry";
import { freePort, listen } from "../net";
import { Answer, MatrixCase, matrixCases, matrixUsers, routeBackend, userColumns } from "./cases";
import { startIssuer } from "./issuer";

export interface MatrixResult {
  asked: number;
  wrong: number;
  /** The printed table, one line per question. */
  lines: string[];
  /** Why the matrix could not run, when it could not. */
  error?: string;
}

/** Cookies as a browser keeps them for 127.0.0.1: by host name only, ports shared, so two gates' cookies can collide as they would. */
class Jar {
  private cookies = new Map<string, string>();
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }
  store(setCookies: string[] | string | undefined): void {
    for (const line of Array.isArray(setCookies) ? setCookies : setCookies ? [setCookies] : []) {
      const [pair, ...attrs] = line.split(";");
      const i = pair.indexOf("=");
      const name = pair.slice(0, i).trim();
      const value = pair.slice(i + 1).trim();
      const expired = value === "" || attrs.some((a) => /^\s*max-age=(0|-\d+)\s*$/i.test(a) || /^\s*expires=.*1970/i.test(a));
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
}

interface Reply {
  status: number;
  location?: string;
  body: string;
}

/** One request with a raw path (http.request does not resolve `..`, unlike fetch). */
function send(url: URL, rawPath: string, jar: Jar, opts: { method: string; headers?: Record<string, string>; body?: string }): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...(opts.headers ?? {}), ...(jar.header() ? { cookie: jar.header() } : {}) };
    if (opts.body !== undefined) Object.assign(headers, { "content-type": "application/x-www-form-urlencoded", "content-length": String(Buffer.byteLength(opts.body)) });
    const req = http.request({ host: url.hostname, port: url.port, method: opts.method, path: rawPath, headers }, (res) => {
      jar.store(res.headers["set-cookie"]);
      let body = "";
      res.on("data", (c) => (body += String(c)));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, body }));
    });
    req.on("error", reject);
    req.end(opts.body);
  });
}

/** A browser's visit: follows redirects; at the issuer's form a user signs in by name, anonymous stops. */
async function visit(origin: string, c: MatrixCase, user: string | undefined): Promise<{ answer: Answer; body: string }> {
  const jar = new Jar();
  let url = new URL(origin);
  let rawPath = c.path;
  let reply = await send(url, rawPath, jar, { method: c.method, headers: c.headers, body: c.method === "POST" ? "" : undefined });
  for (let hop = 0; hop < 12 && reply.status >= 300 && reply.status < 400 && reply.location; hop++) {
    url = new URL(reply.location, url);
    rawPath = `${url.pathname}${url.search}`;
    if (url.pathname.startsWith("/interaction/")) {
      if (!user) return { answer: "login", body: "" };
      await send(url, rawPath, jar, { method: "GET" });
      reply = await send(url, rawPath, jar, { method: "POST", body: new URLSearchParams({ login: user }).toString() });
      continue;
    }
    reply = await send(url, rawPath, jar, { method: "GET" });
  }
  return { answer: reply.status, body: reply.body };
}

function appOf(body: string): string | undefined {
  try {
    return (JSON.parse(body) as { app?: string }).app;
  } catch {
    return undefined;
  }
}

async function waitFor(url: string, what: string, process?: ChildProcess, log?: () => string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (process && process.exitCode !== null) throw new Error(`${what} exited with ${process.exitCode}: ${log?.().trim().split("\n").slice(-3).join(" | ")}`);
    const ok = await new Promise<boolean>((resolve) => {
      http.get(url, (res) => (res.resume(), resolve((res.statusCode ?? 500) < 500))).on("error", () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not answer at ${url}`);
}

/** The app: answers every path with its own name and who the proxy said was signed in. */
const upstream = (app: string) =>
  http.createServer((req, res) => {
    req.resume();
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ app, path: req.url, user: req.headers["x-forwarded-user"] ?? null }));
  });

/** The cluster's Gateway for one hostname: the entry's HTTPRoute decides which backend (gate or app) gets the request. */
function frontDoor(route: NonNullable<ReturnType<typeof httpRoute>>, ports: Map<string, number>) {
  return http.createServer((req, res) => {
    const backend = routeBackend(route, req.url ?? "/");
    const port = backend ? ports.get(backend.name) : undefined;
    if (!port) {
      res.statusCode = 404;
      res.end(`no route for ${req.url}`);
      return;
    }
    const forward = http.request({ host: "127.0.0.1", port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forward.on("error", (e) => {
      res.statusCode = 502;
      res.end(e.message);
    });
    req.pipe(forward);
  });
}

/**
 * Runs the matrix over the catalog's tunnel entries. `breakGates` changes the
 * rendered gates before oauth2-proxy starts (the check's own proof that it
 * can fail); the expectations never change.
 */
export async function runSsoMatrix(oauth2Proxy: string, entries: readonly ServiceEntry[], domain: string, breakGates: (gates: SsoGate[]) => SsoGate[] = (g) => g): Promise<MatrixResult> {
  const apps = entries.filter((e) => e.exposure.kind === "tunnel");
  const servers: http.Server[] = [];
  const proxies: ChildProcess[] = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-verify-sso-"));
  let closeIssuer: (() => Promise<void>) | undefined;
  try {
    // Node's servers listen on port 0 and report theirs: no port is picked before it is held (oauth2-proxy's
    // own outgoing connections take ephemeral ports meanwhile).
    const origins = new Map<string, string>();
    const ports = new Map<string, Map<string, number>>();
    const gates: SsoGate[] = [];
    for (const e of apps) {
      const server = upstream(e.name);
      servers.push(server);
      const own = new Map<string, number>([[e.exposure.kind === "tunnel" ? (e.exposure.service ?? e.name) : e.name, await listen(server)]]);
      ports.set(e.name, own);
      // The front door routes by the entry's HTTPRoute to ports filled in as the gates start.
      const door = frontDoor(httpRoute(e, domain)!, own);
      servers.push(door);
      origins.set(e.name, `http://127.0.0.1:${await listen(door)}`);
      gates.push(...ssoGates(e, domain));
    }
    const tested = breakGates(gates);
    const secretOf = (g: SsoGate) => `matrix-${g.name}`;
    const issuer = await startIssuer(
      tested.map((g) => ({ clientId: g.name, secret: secretOf(g), redirectUris: [`${origins.get(g.entry)}${g.proxyPrefix}/callback`] })),
      matrixUsers,
    );
    closeIssuer = issuer.close;
    for (const g of tested) {
      const own = ports.get(g.entry)!;
      const upstreamPort = own.get(g.upstream.service)!;
      const file = path.join(dir, `${g.name}.cfg`);
      // oauth2-proxy must be told its port: a free one, taken again if another process got it first.
      for (let attempt = 1; ; attempt++) {
        const port = await freePort();
        fs.writeFileSync(file, oauth2ProxyConfig(g, { listen: `127.0.0.1:${port}`, issuer: issuer.url, origin: origins.get(g.entry)!, upstream: `http://127.0.0.1:${upstreamPort}/`, secureCookie: false }));
        let log = "";
        const child = spawn(oauth2Proxy, [`--config=${file}`], {
          env: { PATH: process.env.PATH ?? "", OAUTH2_PROXY_CLIENT_SECRET: secretOf(g), OAUTH2_PROXY_COOKIE_SECRET: randomBytes(32).toString("base64url") },
          stdio: ["ignore", "pipe", "pipe"],
        });
        child.stdout?.on("data", (d) => (log += String(d)));
        child.stderr?.on("data", (d) => (log += String(d)));
        proxies.push(child);
        try {
          await waitFor(`http://127.0.0.1:${port}/ping`, `oauth2-proxy for ${g.name}`, child, () => log);
          own.set(g.name, port);
          break;
        } catch (e) {
          if (attempt >= 3 || !/address already in use/.test(log)) throw e;
        }
      }
    }

    const lines = [`${"question".padEnd(58)} ${userColumns.map((u) => u.padEnd(10)).join("")}`];
    let asked = 0;
    let wrong = 0;
    for (const e of apps) {
      for (const c of matrixCases(e)) {
        const cells: string[] = [];
        for (const [i, user] of [undefined, ...matrixUsers.map((u) => u.id)].entries()) {
          const { answer, body } = await visit(origins.get(e.name)!, c, user);
          // A 200 must come from the entry's own app, not from another backend.
          const fromApp = answer !== 200 || appOf(body) === e.name;
          const right = answer === c.expect[i] && fromApp;
          asked++;
          if (!right) wrong++;
          cells.push(`${right ? "" : "✗"}${answer}${right ? "" : `≠${c.expect[i]}`}`.padEnd(10));
        }
        lines.push(`${`${e.name} ${c.label}`.slice(0, 58).padEnd(58)} ${cells.join("")}`);
      }
    }
    return { asked, wrong, lines };
  } catch (e) {
    return { asked: 0, wrong: 0, lines: [], error: e instanceof Error ? e.message : String(e) };
  } finally {
    for (const p of proxies) p.kill();
    for (const s of servers) {
      s.closeAllConnections();
      s.close();
    }
    await closeIssuer?.();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
