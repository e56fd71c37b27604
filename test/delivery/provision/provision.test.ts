import * as http from "http";
import type { AddressInfo } from "net";
import { provision, ProvisionInputs } from "../../../delivery/provision/run";
import { provisionTargets } from "../../../delivery/provision/command";
import { initialPassword, provisionerAccount } from "../../../delivery/provision/passwords";
import { signDispatch } from "../../../delivery/provision/signature";
import { komgaProvisionerEmail } from "../../../delivery/provision/apps/komga";
import { catalog } from "../../../services";
import { AuthentikUser, StandIn, audiobookshelf, authentik, komga, navidrome } from "./standIns";

const key = "k".repeat(48);
const secret = "w".repeat(48);
const token = "ak-token";
const person = (username: string, groups: string[], extra: Partial<AuthentikUser> = {}): AuthentikUser => ({ username, name: username.toUpperCase(), email: `${username}@family.example`, is_active: true, type: "internal", groups, ...extra });
const people = [
  person("alice", ["admin"]),
  person("bob", ["family-validated"]),
  person("carol", ["family-validated", "admin"]),
  person("dave", ["family-validated"], { is_active: false }),
  person("ci-github", ["family-validated"], { type: "service_account" }),
  person("erin", []),
  person("frank", ["family-validated"], { email: "" }),
];

describe("account provisioning against the apps' APIs (loopback stand-ins)", () => {
  let servers: Record<"authentik" | "navidrome" | "audiobookshelf" | "komga", StandIn>;
  const start = async (existing: { navidrome?: Record<string, unknown>[] } = {}) => {
    servers = {
      authentik: await authentik(token, people, 2),
      navidrome: await navidrome(existing.navidrome),
      audiobookshelf: await audiobookshelf(),
      komga: await komga(),
    };
  };
  afterEach(async () => Promise.all(Object.values(servers).map((s) => s.close())));

  const now = new Date();
  const sentAt = String(Math.floor(now.getTime() / 1000));
  const dispatch = (action = "model_updated", s = secret) => ({ name: "repository_dispatch", payload: { action: "authentik-provisioning", client_payload: { action, sent_at: sentAt, signature: signDispatch(s, sentAt, action) } } });
  const inputs = (over: Partial<ProvisionInputs> = {}): ProvisionInputs => ({
    event: dispatch(),
    webhookSecret: secret,
    passwordKey: key,
    authentik: { url: servers.authentik.url, token },
    targets: (["navidrome", "audiobookshelf", "komga"] as const).map((api) => ({ app: api, api, url: servers[api].url })),
    now,
    ...over,
  });
  const names = (s: StandIn, field: string) => s.users.map((u) => u[field]);

  it("sets up fresh apps with the provisioner's account and creates every active family member's account, admins as admins", async () => {
    await start();
    const report = await provision(inputs());
    expect(report.ok).toBe(true);
    expect(report.lines).toEqual([
      "started by Authentik (model_updated)",
      "4 family member(s) in Authentik: alice, bob, carol, frank",
      `navidrome: set up with the provisioner's account ${provisionerAccount}; created alice, bob, carol, frank; 0 already had an account`,
      `audiobookshelf: set up with the provisioner's account ${provisionerAccount}; created alice, bob, carol, frank; 0 already had an account`,
      `komga: set up with the provisioner's account ${provisionerAccount}; created alice@family.example, bob@family.example, carol@family.example; 0 already had an account; skipped frank (no email address in Authentik: Komga's accounts are email addresses)`,
    ]);
    expect(names(servers.navidrome, "userName")).toEqual([provisionerAccount, "alice", "bob", "carol", "frank"]);
    expect(servers.navidrome.users.map((u) => u.isAdmin)).toEqual([true, true, false, true, false]);
    expect(servers.navidrome.users[2]).toMatchObject({ name: "BOB", email: "bob@family.example", password: initialPassword(key, "navidrome", "bob") });
    // Audiobookshelf's accounts are active (its default is not), admins are admins.
    expect(servers.audiobookshelf.users.map((u) => [u.username, u.type, u.isActive])).toEqual([
      [provisionerAccount, "root", true],
      ["alice", "admin", true],
      ["bob", "user", true],
      ["carol", "admin", true],
      ["frank", "user", true],
    ]);
    expect(servers.audiobookshelf.users[2]).toMatchObject({ password: initialPassword(key, "audiobookshelf", "bob"), permissions: { download: true, upload: false, delete: false } });
    // Komga's readers can read (page streaming) and download; an admin is ADMIN.
    expect(servers.komga.users.map((u) => [u.email, u.roles])).toEqual([
      [komgaProvisionerEmail, ["ADMIN", "FILE_DOWNLOAD", "PAGE_STREAMING", "KOBO_SYNC", "KOREADER_SYNC"]],
      ["alice@family.example", ["ADMIN", "PAGE_STREAMING", "FILE_DOWNLOAD"]],
      ["bob@family.example", ["PAGE_STREAMING", "FILE_DOWNLOAD"]],
      ["carol@family.example", ["ADMIN", "PAGE_STREAMING", "FILE_DOWNLOAD"]],
    ]);
    expect(servers.komga.users[2].password).toBe(initialPassword(key, "komga", "bob@family.example"));
    // The provisioner's own passwords are derived too: the admin can print them.
    expect(servers.navidrome.users[0].password).toBe(initialPassword(key, "navidrome", provisionerAccount));
    expect(servers.komga.users[0].password).toBe(initialPassword(key, "komga", provisionerAccount));
    // Authentik was read page by page (2 a page): the admins (alice, carol), then the family's four active (bob, carol, ci-github, frank).
    expect(servers.authentik.requests.map((r) => new URL(r.slice(4), "http://x").searchParams.get("page"))).toEqual(["1", "1", "2"]);
    // No password is ever printed.
    const printed = report.lines.join("\n");
    for (const s of Object.values(servers)) for (const u of s.users) expect(printed).not.toContain(String(u.password));
  });

  it("creates nothing the second time, and only the newcomer when one joins", async () => {
    await start();
    await provision(inputs());
    const again = await provision(inputs({ event: { name: "workflow_dispatch", payload: {} } }));
    expect(again.lines.slice(0, 1)).toEqual(["started by hand"]);
    expect(again.lines.slice(2)).toEqual(["navidrome: nothing to create; 4 already had an account", "audiobookshelf: nothing to create; 4 already had an account", expect.stringMatching(/^komga: nothing to create; 3 already had an account; skipped frank/)]);
    people.push(person("gina", ["family-validated"]));
    try {
      const third = await provision(inputs());
      expect(third.lines[2]).toBe("navidrome: created gina; 4 already had an account");
      expect(third.lines[4]).toMatch(/^komga: created gina@family\.example; 3 already had an account/);
    } finally {
      people.pop();
    }
  });

  it("says what to do when an app was set up by hand without the provisioner, and goes on with the others", async () => {
    await start({ navidrome: [{ userName: "admin", name: "Admin", email: "", password: "typed-by-hand", isAdmin: true }] });
    const report = await provision(inputs());
    expect(report.ok).toBe(false);
    expect(report.lines[2]).toBe(
      `navidrome: failed: navidrome: ${provisionerAccount} cannot sign in and the first admin exists; expected an admin account ${provisionerAccount} with the password \`npm run delivery -- initial-password --app navidrome --user ${provisionerAccount}\` prints`,
    );
    expect(names(servers.navidrome, "userName")).toEqual(["admin"]);
    expect(report.lines[3]).toMatch(/^audiobookshelf: set up .* created alice, bob, carol, frank/);
  });

  it("refuses a provisioner that is not an admin of the app, and says how to fix one that cannot sign in", async () => {
    const derived = (app: string) => initialPassword(key, app, provisionerAccount);
    servers = {
      authentik: await authentik(token, people),
      navidrome: await navidrome([{ userName: provisionerAccount, name: "p", email: "", password: derived("navidrome"), isAdmin: false }]),
      audiobookshelf: await audiobookshelf([
        { username: "root", password: "typed", type: "root", isActive: true },
        { username: provisionerAccount, password: derived("audiobookshelf"), type: "user", isActive: true },
      ]),
      komga: await komga([{ email: komgaProvisionerEmail, password: derived("komga"), roles: ["PAGE_STREAMING"] }]),
    };
    const report = await provision(inputs());
    expect(report.lines.slice(2)).toEqual([
      `navidrome: failed: navidrome: ${provisionerAccount} is not an admin; expected an admin account (only admins list and create users)`,
      `audiobookshelf: failed: audiobookshelf: ${provisionerAccount} is a user; expected an admin (only admins list and create users)`,
      `komga: failed: komga: ${komgaProvisionerEmail} lacks the ADMIN role; expected it (only admins list and create users)`,
    ]);
    for (const s of [servers.audiobookshelf, servers.komga]) s.users.forEach((u) => (u.password = "changed-by-hand"));
    const again = await provision(inputs());
    expect(again.lines.slice(3)).toEqual([
      `audiobookshelf: failed: audiobookshelf: POST /login (sign in as ${provisionerAccount}): HTTP 401; expected an admin account ${provisionerAccount} with the password \`npm run delivery -- initial-password --app audiobookshelf --user ${provisionerAccount}\` prints`,
      `komga: failed: komga: GET /api/v2/users/me (sign in as ${komgaProvisionerEmail}): HTTP 401; expected an ADMIN account ${komgaProvisionerEmail} with the password \`npm run delivery -- initial-password --app komga --user ${provisionerAccount}\` prints`,
    ]);
  });

  it("gives Audiobookshelf's admins their rights and leaves an empty email out", async () => {
    await start();
    await provision(inputs());
    const byName = (n: string) => servers.audiobookshelf.users.find((u) => u.username === n)!;
    expect(byName("alice")).toMatchObject({ email: "alice@family.example", permissions: { download: true, update: true, delete: true, upload: true, accessAllLibraries: true, accessAllTags: true, accessExplicitContent: true } });
    expect(byName("frank").email).toBeNull();
  });

  it("stops on an Authentik whose pages go backwards instead of reading forever", async () => {
    await start();
    const looping = http.createServer((_req, res) => res.end(JSON.stringify({ pagination: { next: 1 }, results: [] })));
    await new Promise<void>((r) => looping.listen(0, "127.0.0.1", r));
    try {
      const url = `http://127.0.0.1:${(looping.address() as AddressInfo).port}`;
      await expect(provision(inputs({ authentik: { url, token } }))).rejects.toThrow("authentik: page 1 of admin points to page 1; expected a later page or 0");
    } finally {
      await new Promise<void>((r) => looping.close(() => r()));
    }
  });

  it("refuses a dispatch that is not signed with the webhook secret before it calls anything", async () => {
    await start();
    expect((await provision(inputs({ event: { name: "", payload: undefined } }))).lines).toEqual(["refused: event (none): expected repository_dispatch (Authentik) or workflow_dispatch (by hand)"]);
    for (const event of [dispatch("model_updated", "x".repeat(48)), { name: "repository_dispatch", payload: {} }, { name: "repository_dispatch", payload: undefined }, { name: "push", payload: {} }]) {
      const report = await provision(inputs({ event }));
      expect(report.ok).toBe(false);
      expect(report.lines).toEqual([expect.stringMatching(/^refused: /)]);
    }
    expect(Object.values(servers).flatMap((s) => s.requests)).toEqual([]);
  });

  it("stops before any call without the password key, and says which secret Authentik refused", async () => {
    await start();
    await expect(provision(inputs({ passwordKey: "" }))).rejects.toThrow("PROVISIONING_PASSWORD_KEY: expected the Bitwarden secret provisioning-password-key");
    expect(servers.authentik.requests).toEqual([]);
    await expect(provision(inputs({ authentik: { url: servers.authentik.url, token: "wrong" } }))).rejects.toThrow(/^authentik: GET \/api\/v3\/core\/users\/\?groups_by_name=admin&.*\(list the members of admin\): HTTP 403/);
    await expect(provision(inputs({ authentik: { url: servers.authentik.url, token: "" } }))).rejects.toThrow("AUTHENTIK_TOKEN is empty");
  });
});

describe("what is provisioned", () => {
  it("every catalog entry with accounts, at its public hostname", () => {
    expect(provisionTargets(catalog, "homelab.example")).toEqual([
      { app: "navidrome", api: "navidrome", url: "https://music.homelab.example" },
      { app: "audiobookshelf", api: "audiobookshelf", url: "https://books.homelab.example" },
      { app: "komga", api: "komga", url: "https://comics.homelab.example" },
    ]);
  });

  it("an entry with accounts but no public hostname is refused", () => {
    const lan = { ...catalog.find((e) => e.name === "navidrome")!, exposure: { kind: "lan" as const, port: 4533, address: "192.168.1.50" } };
    expect(() => provisionTargets([lan as never], "homelab.example")).toThrow("navidrome: accounts navidrome needs a public hostname (exposure tunnel)");
  });

  it("every native-login app without its own sign-up through Authentik has accounts provisioned, or says why not", () => {
    // The rest, and why (docs/delivery.md says the same).
    const notProvisioned: Record<string, string> = {
      comet: "no accounts: a configuration URL per player",
      "home-assistant": "LAN only; people are made in its onboarding and settings",
      invidious: "members sign up themselves (captcha), subscriptions are personal",
      ntfy: "the program's NtfyCredentials makes the phones' accounts",
      romm: "accounts by hand: its users API needs a session and a CSRF token",
    };
    const native = catalog.filter((e) => e.auth === "native" && !e.oidc && !e.accounts).map((e) => e.name);
    expect(native.sort()).toEqual(Object.keys(notProvisioned).sort());
  });

  it("initial passwords differ by app and account and need a real key", () => {
    expect(initialPassword(key, "navidrome", "bob")).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(initialPassword(key, "navidrome", "bob")).not.toBe(initialPassword(key, "komga", "bob"));
    expect(initialPassword(key, "navidrome", "bob")).not.toBe(initialPassword(key, "navidrome", "bib"));
    expect(initialPassword(key, "navidrome", "bob")).not.toBe(initialPassword("j".repeat(48), "navidrome", "bob"));
    expect(() => initialPassword("short", "navidrome", "bob")).toThrow("at least 32 characters");
    expect(initialPassword("k".repeat(32), "a", "b")).toHaveLength(24);
  });
});
