import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import type { AddressInfo } from "net";
import { initialPasswordCommand, provisionInputs } from "../../../delivery/provision/command";
import { jsonClient } from "../../../delivery/provision/http";
import { initialPassword } from "../../../delivery/provision/passwords";
import { UsageError } from "../../../delivery/usage";

describe("what provision.yml hands the run", () => {
  const now = new Date("2026-11-23T12:00:00Z");

  it("reads the event file, the three secrets and the domain's addresses", () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "provision-")), "event.json");
    fs.writeFileSync(file, JSON.stringify({ client_payload: { action: "model_created" } }));
    const inputs = provisionInputs({ GITHUB_EVENT_NAME: "repository_dispatch", GITHUB_EVENT_PATH: file, PROVISIONING_WEBHOOK_SECRET: "w", PROVISIONING_PASSWORD_KEY: "k", AUTHENTIK_TOKEN: "t" }, "family.example", now);
    expect(inputs).toEqual({
      event: { name: "repository_dispatch", payload: { client_payload: { action: "model_created" } } },
      webhookSecret: "w",
      passwordKey: "k",
      authentik: { url: "https://auth.family.example", token: "t" },
      targets: [
        { app: "navidrome", api: "navidrome", url: "https://music.family.example" },
        { app: "audiobookshelf", api: "audiobookshelf", url: "https://books.family.example" },
        { app: "komga", api: "komga", url: "https://comics.family.example" },
      ],
      now,
    });
  });

  it("leaves what is missing empty, for the run to refuse with its name", () => {
    expect(provisionInputs({}, "family.example", now)).toMatchObject({ event: { name: "", payload: undefined }, webhookSecret: "", passwordKey: "", authentik: { token: "" } });
  });
});

describe("npm run delivery -- initial-password", () => {
  const env = { PROVISIONING_PASSWORD_KEY: "k".repeat(48) };

  it("prints the password an account started with", () => {
    expect(initialPasswordCommand(["--app", "komga", "--user", "bob@family.example"], env)).toBe(initialPassword("k".repeat(48), "komga", "bob@family.example"));
  });

  it.each([
    [["--user", "bob"], "--app (missing): expected one of navidrome, audiobookshelf, komga"],
    [["--app", "nextcloud", "--user", "bob"], "--app nextcloud: expected one of navidrome, audiobookshelf, komga"],
    [["--app", "navidrome"], "--user: expected the account's login"],
  ])("refuses %j as usage", (argv, message) => {
    expect(() => initialPasswordCommand(argv, env)).toThrow(message);
    expect(() => initialPasswordCommand(argv, env)).toThrow(UsageError);
  });

  it("needs the key", () => {
    expect(() => initialPasswordCommand(["--app", "navidrome", "--user", "bob"], {})).toThrow("PROVISIONING_PASSWORD_KEY: expected");
  });
});

describe("the clients' HTTP", () => {
  let server: http.Server;
  let url = "";
  const seen: { method?: string; url?: string; headers: http.IncomingHttpHeaders; body: string }[] = [];
  const answers: { status: number; body: string }[] = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        seen.push({ method: req.method, url: req.url, headers: req.headers, body });
        const a = answers.shift() ?? { status: 200, body: "" };
        res.writeHead(a.status);
        res.end(a.body);
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(() => {
    seen.length = 0;
    answers.length = 0;
  });

  it("sends JSON with its type only when there is a body, under the base URL without its trailing slashes", async () => {
    const call = jsonClient("app", `${url}//`);
    answers.push({ status: 200, body: '{"a":1}' }, { status: 200, body: "" });
    expect(await call("/x", { purpose: "read" })).toEqual({ a: 1 });
    expect(await call("/y", { method: "POST", body: { b: 2 }, headers: { "X-T": "1" }, purpose: "write" })).toBeUndefined();
    expect(seen.map((s) => [s.method, s.url, s.headers["content-type"], s.headers.accept, s.body])).toEqual([
      ["GET", "/x", undefined, "application/json", ""],
      ["POST", "/y", "application/json", "application/json", '{"b":2}'],
    ]);
    expect(seen[1].headers["x-t"]).toBe("1");
  });

  it("says which app, call and purpose failed, with the answer on one line and cut", async () => {
    const call = jsonClient("app", url);
    answers.push({ status: 403, body: `no\n  way ${"x".repeat(300)}` });
    await expect(call("/z", { purpose: "list the users" })).rejects.toThrow(new RegExp(`^app: GET /z \\(list the users\\): HTTP 403 no way x{191}$`));
    answers.push({ status: 500, body: "" });
    await expect(call("/z", { method: "POST", body: {}, purpose: "create" })).rejects.toThrow(/^app: POST \/z \(create\): HTTP 500$/);
    answers.push({ status: 200, body: "<html>" });
    await expect(call("/z", { purpose: "read" })).rejects.toThrow('app: GET /z (read): expected JSON, got "<html>"');
  });

  it("says which address did not answer", async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const gone = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise<void>((r) => closed.close(() => r()));
    await expect(jsonClient("app", gone)("/p", { purpose: "sign in" })).rejects.toThrow(new RegExp(`^app: GET /p \\(sign in\\): .*; expected ${gone.replace(/\./g, "\\.")} to answer$`));
  });
});
