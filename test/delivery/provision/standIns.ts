// Loopback stand-ins of the account APIs the provisioner speaks, written
// from the apps' sources (Navidrome 0.63 server/auth.go and its REST
// controller, Audiobookshelf 2.36 Server.js / Auth.js / UserController.js,
// Komga 1.26 ClaimController / UserController, Authentik's users API and
// pagination): the same paths, status codes and answer shapes, and the
// same refusals (no token, not an admin, a taken name, a second first admin).
import http from "http";
import type { AddressInfo } from "net";

export interface StandIn {
  url: string;
  /** Every request: method and path (query included). */
  requests: string[];
  users: Record<string, unknown>[];
  close(): Promise<void>;
}

type Handler = (req: { method: string; path: string; headers: http.IncomingHttpHeaders; body: unknown }) => { status: number; body?: unknown };

async function serve(handler: Handler, users: Record<string, unknown>[]): Promise<StandIn> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => (raw += c));
    req.on("end", () => {
      requests.push(`${req.method} ${req.url}`);
      const answer = handler({ method: req.method ?? "GET", path: req.url ?? "/", headers: req.headers, body: raw ? JSON.parse(raw) : undefined });
      res.writeHead(answer.status, { "Content-Type": "application/json" });
      res.end(answer.body === undefined ? "" : JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, requests, users, close: () => new Promise((r) => server.close(() => r())) };
}

const tokenOf = (value: string | string[] | undefined) => (typeof value === "string" ? /^Bearer (.+)$/i.exec(value)?.[1] : undefined);

/** Navidrome: users {userName, name, email, password, isAdmin}. */
export function navidrome(users: Record<string, unknown>[] = []): Promise<StandIn> {
  const sessions = new Map<string, Record<string, unknown>>();
  const login = (u: Record<string, unknown>) => {
    const token = `nd-${sessions.size + 1}`;
    sessions.set(token, u);
    return { status: 200, body: { id: u.userName, name: u.name, username: u.userName, isAdmin: u.isAdmin, token, subsonicSalt: "s", subsonicToken: "t" } };
  };
  return serve(({ method, path, headers, body }) => {
    const b = body as Record<string, string>;
    if (method === "POST" && path === "/auth/createAdmin") {
      if (users.length > 0) return { status: 403, body: { error: "Cannot create another first admin" } };
      const u = { userName: b.username, name: b.username, email: "", password: b.password, isAdmin: true };
      users.push(u);
      return login(u);
    }
    if (method === "POST" && path === "/auth/login") {
      const u = users.find((x) => x.userName === b.username && x.password === b.password);
      return u ? login(u) : { status: 401, body: { error: "Invalid username or password" } };
    }
    const me = sessions.get(tokenOf(headers["x-nd-authorization"]) ?? "");
    if (!me) return { status: 401, body: { error: "Unauthorized" } };
    if (path.startsWith("/api/user")) {
      if (!me.isAdmin) return { status: 403, body: { error: "Forbidden" } };
      if (method === "GET") return { status: 200, body: users.map(({ password: _password, ...u }) => ({ id: u.userName, ...u })) };
      if (method === "POST") {
        if (users.some((x) => x.userName === b.userName)) return { status: 400, body: { errors: { userName: "ra.validation.unique" } } };
        users.push({ userName: b.userName, name: b.name, email: b.email, password: b.password, isAdmin: Boolean(b.isAdmin) });
        return { status: 200, body: { id: b.userName } };
      }
    }
    return { status: 404, body: { error: "not found" } };
  }, users);
}

/** Audiobookshelf: users {username, password, type, isActive, permissions}. */
export function audiobookshelf(users: Record<string, unknown>[] = []): Promise<StandIn> {
  const sessions = new Map<string, Record<string, unknown>>();
  return serve(({ method, path, headers, body }) => {
    const b = body as Record<string, unknown>;
    if (method === "GET" && path === "/status") return { status: 200, body: { app: "audiobookshelf", serverVersion: "2.36.0", isInit: users.some((u) => u.type === "root") } };
    if (method === "POST" && path === "/init") {
      if (users.some((u) => u.type === "root")) return { status: 500, body: "Server already initialized" };
      const root = b.newRoot as Record<string, string>;
      users.push({ username: root.username || "root", password: root.password ?? "", type: "root", isActive: true });
      return { status: 200 };
    }
    if (method === "POST" && path === "/login") {
      const u = users.find((x) => x.username === b.username && x.password === b.password && x.isActive);
      if (!u) return { status: 401 };
      const token = `abs-${sessions.size + 1}`;
      sessions.set(token, u);
      return { status: 200, body: { user: { username: u.username, type: u.type, accessToken: token, token: `old-${token}` }, serverSettings: {} } };
    }
    const me = sessions.get(tokenOf(headers.authorization) ?? "");
    if (!me) return { status: 401 };
    if (path === "/api/users") {
      if (me.type !== "root" && me.type !== "admin") return { status: 403 };
      if (method === "GET") return { status: 200, body: { users: users.map(({ password: _password, ...u }) => u) } };
      if (method === "POST") {
        if (typeof b.username !== "string" || typeof b.password !== "string") return { status: 400, body: "Invalid request" };
        if (users.some((x) => x.username === b.username)) return { status: 400, body: "Username already taken" };
        const u = { username: b.username, password: b.password, email: b.email ?? null, type: b.type ?? "user", isActive: Boolean(b.isActive), permissions: b.permissions };
        users.push(u);
        return { status: 200, body: { user: u } };
      }
    }
    return { status: 404 };
  }, users);
}

/** Komga: users {email, password, roles}. */
export function komga(users: Record<string, unknown>[] = []): Promise<StandIn> {
  const basic = (value: string | string[] | undefined) => {
    const m = typeof value === "string" ? /^Basic (.+)$/.exec(value) : null;
    if (!m) return undefined;
    const [email, ...rest] = Buffer.from(m[1], "base64").toString().split(":");
    return users.find((u) => u.email === email && u.password === rest.join(":"));
  };
  return serve(({ method, path, headers, body }) => {
    if (path === "/api/v1/claim") {
      if (method === "GET") return { status: 200, body: { isClaimed: users.length > 0 } };
      if (users.length > 0) return { status: 400, body: { message: "This server has already been claimed" } };
      const email = headers["x-komga-email"] as string;
      if (!/^[^@\s]+@[^@\s]+$/.test(email ?? "") || !headers["x-komga-password"]) return { status: 400 };
      users.push({ email, password: headers["x-komga-password"], roles: ["ADMIN", "FILE_DOWNLOAD", "PAGE_STREAMING", "KOBO_SYNC", "KOREADER_SYNC"] });
      return { status: 200, body: { email, roles: ["ADMIN", "USER"] } };
    }
    const me = basic(headers.authorization);
    if (!me) return { status: 401 };
    const roles = (u: Record<string, unknown>) => ["USER", ...(u.roles as string[])];
    if (method === "GET" && path === "/api/v2/users/me") return { status: 200, body: { email: me.email, roles: roles(me) } };
    if (path === "/api/v2/users") {
      if (!(me.roles as string[]).includes("ADMIN")) return { status: 403 };
      if (method === "GET") return { status: 200, body: users.map((u) => ({ id: u.email, email: u.email, roles: roles(u), sharedAllLibraries: true })) };
      const b = body as Record<string, unknown>;
      if (users.some((u) => u.email === b.email)) return { status: 400 };
      const known = ["ADMIN", "FILE_DOWNLOAD", "PAGE_STREAMING", "KOBO_SYNC", "KOREADER_SYNC"];
      users.push({ email: b.email, password: b.password, roles: ((b.roles as string[]) ?? []).filter((r) => known.includes(r)) });
      return { status: 201, body: { email: b.email } };
    }
    return { status: 404 };
  }, users);
}

export interface AuthentikUser {
  username: string;
  name: string;
  email: string;
  is_active: boolean;
  type: string;
  groups: string[];
}

/** Authentik's users list: filters groups_by_name and is_active, pages of page_size, `next` a page number (0 after the last). */
export function authentik(token: string, people: AuthentikUser[], maxPageSize = 100): Promise<StandIn> {
  return serve(({ path, headers }) => {
    if (tokenOf(headers.authorization) !== token) return { status: 403, body: { detail: "Token invalid/expired" } };
    const url = new URL(path, "http://x");
    if (url.pathname !== "/api/v3/core/users/") return { status: 404 };
    const group = url.searchParams.get("groups_by_name");
    const active = url.searchParams.get("is_active");
    const size = Math.min(Number(url.searchParams.get("page_size") ?? "100"), maxPageSize);
    const page = Number(url.searchParams.get("page") ?? "1");
    const matching = people.filter((p) => (!group || p.groups.includes(group)) && (active === null || String(p.is_active) === active));
    const pages = Math.max(1, Math.ceil(matching.length / size));
    const results = matching.slice((page - 1) * size, page * size).map(({ groups: _groups, ...p }) => ({ pk: p.username.length, ...p, groups_obj: null }));
    return { status: 200, body: { pagination: { next: page < pages ? page + 1 : 0, previous: page > 1 ? page - 1 : 0, count: matching.length, current: page, total_pages: pages }, results } };
  }, []);
}
