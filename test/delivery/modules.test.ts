import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { applicationStatuses, healthVerdict, waitHealthy } from "../../delivery/applications";
import { runDelivery } from "../../delivery/cli";
import { driftIssue, maxDiffChars } from "../../delivery/drift";
import { pinnedImages } from "../../delivery/images";
import { notify, ntfyRequest } from "../../delivery/notify";
import { parseTags, rollbackTarget, tagName } from "../../delivery/rollback";
import { ciSummary } from "../../delivery/summary";
import { UsageError } from "../../delivery/usage";
import { initialPassword } from "../../delivery/provision/passwords";
import { serviceImages } from "../../config/versions";

const sha = (c: string) => c.repeat(40);

describe("rollback target", () => {
  const tags = parseTags(`promoted/20261101T060000Z ${sha("a")}\npromoted/20261108T060000Z ${sha("b")}\npromoted/20261115T060000Z ${sha("c")}\n`);

  it("is the promotion before what PROD runs", () => {
    expect(rollbackTarget(tags, sha("c")).tag).toEqual({ name: "promoted/20261108T060000Z", commit: sha("b") });
  });

  it("steps back again after a rollback instead of returning to the commit left", () => {
    const after = [...tags, { name: "rolled-back/20261116T090000Z", commit: sha("c") }];
    // PROD now runs b (the rollback); the next rollback goes to a, never back to c.
    expect(rollbackTarget(after, sha("b")).tag?.commit).toBe(sha("a"));
  });

  it("leaves the newest promotion when PROD's state is unknown", () => {
    expect(rollbackTarget(tags, undefined).tag?.commit).toBe(sha("b"));
  });

  it("says why there is nothing to go back to", () => {
    expect(rollbackTarget([], sha("c")).reason).toBe("no promoted/* tag: nothing was ever promoted");
    expect(rollbackTarget(tags.slice(0, 1), sha("a")).reason).toBe(`no promoted commit before ${sha("a")} that was not rolled back from`);
  });

  it("names tags by UTC time, so names sort as times do", () => {
    expect(tagName("promoted/", new Date("2026-11-23T06:00:05.123Z"))).toBe("promoted/20261123T060005Z");
    expect(["promoted/20261123T060005Z", "promoted/20261122T235959Z"].sort()).toEqual(["promoted/20261122T235959Z", "promoted/20261123T060005Z"]);
  });

  it("refuses a tag line without a commit", () => {
    expect(() => parseTags("promoted/x deadbeef")).toThrow('git tags: expected "<name> <commit>", got "promoted/x deadbeef"');
  });
});

describe("CI summary", () => {
  it("says everything passed, with a row per job", () => {
    const s = ciSummary(JSON.stringify({ test: { result: "success", outputs: {} }, ggshield: { result: "skipped", outputs: {} } }));
    expect(s.ok).toBe(true);
    expect(s.markdown).toContain("**Everything passed.**");
    expect(s.markdown).toContain("| test | npm test, the offline plan of every stack, the field tools and npm run verify (.ci/run) | ✅ passed |");
    expect(s.markdown).toContain("| ggshield | GitGuardian secret scan (when its key is configured) | ⏭️ skipped |");
  });

  it("names what failed or was cancelled", () => {
    const s = ciSummary(JSON.stringify({ test: { result: "success" }, yamllint: { result: "failure" }, "trivy-images": { result: "cancelled" } }));
    expect(s.ok).toBe(false);
    expect(s.markdown).toContain("**Failed: yamllint, trivy-images.**");
  });

  it.each([
    ["", "needs: expected the JSON of the needs context"],
    ["{}", "needs: expected the jobs this summary waits for"],
    ['{"test":{"result":"great"}}', 'needs.test.result: expected one of success, failure, cancelled, skipped, got "great"'],
  ])("refuses %j", (text, message) => expect(() => ciSummary(text)).toThrow(message));
});

describe("drift issue", () => {
  it("holds the stack, the run and the diff without colours", () => {
    const i = driftIssue("prod", "\u001b[32m~ proxmoxve:VM gaming update\u001b[0m\n  [diff: ~started]", "https://github.com/o/r/actions/runs/1");
    expect(i).toMatchObject({ title: "Drift on the prod stack", label: "drift" });
    expect(i.body).toContain("Run: https://github.com/o/r/actions/runs/1");
    expect(i.body).toContain("```text\n~ proxmoxve:VM gaming update\n  [diff: ~started]\n```");
  });

  it("keeps a fence longer than any backticks in the output, and cuts a long output", () => {
    const i = driftIssue("dev", "a ``` b", "u");
    expect(i.body).toContain("````text\na ``` b\n````");
    const long = driftIssue("dev", "x".repeat(maxDiffChars + 10), "u");
    expect(long.body).toContain("... (10 more characters in the run's log)");
    expect(long.body.length).toBeLessThan(65536);
  });
});

describe("ntfy notification", () => {
  it("is a POST to the topic, high priority when the job did not succeed", () => {
    expect(ntfyRequest({ title: "PROD promotion failure", message: "m", status: "failure" }, { url: "https://ntfy.example/", topic: "homelab-deploys", token: "tk_x" })).toEqual({
      url: "https://ntfy.example/homelab-deploys",
      headers: { Title: "PROD promotion failure", Priority: "high", Tags: "x", Authorization: "Bearer tk_x" },
      body: "m",
    });
    expect(ntfyRequest({ title: "DEV déployé", message: "m", status: "success" }, { url: "https://n", topic: "t" }).headers).toEqual({ Title: `=?UTF-8?B?${Buffer.from("DEV déployé").toString("base64")}?=`, Priority: "default", Tags: "white_check_mark" });
  });

  it("refuses a topic that is not one", () => {
    expect(() => ntfyRequest({ title: "t", message: "m", status: "success" }, { url: "https://n", topic: "a/b" })).toThrow('NTFY_TOPIC "a/b": expected a topic name');
  });

  it("reaches a real HTTP server, and says when ntfy refuses", async () => {
    const got: { url?: string; auth?: string; title?: string; body: string }[] = [];
    const server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += String(c)));
      req.on("end", () => {
        got.push({ url: req.url, auth: req.headers.authorization, title: String(req.headers.title), body });
        res.writeHead(req.headers.authorization === "Bearer good" ? 200 : 403).end("forbidden");
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      const lines: string[] = [];
      await notify({ title: "DEV deploy success", message: "abc on dev", status: "success" }, { url, topic: "homelab-deploys", token: "good" }, (l) => lines.push(l));
      expect(got[0]).toEqual({ url: "/homelab-deploys", auth: "Bearer good", title: "DEV deploy success", body: "abc on dev" });
      expect(lines).toEqual([`sent to ${url}/homelab-deploys: DEV deploy success`]);
      await expect(notify({ title: "t", message: "m", status: "failure" }, { url, topic: "homelab-deploys", token: "bad" })).rejects.toThrow(`ntfy answered HTTP 403 for ${url}/homelab-deploys: forbidden`);
    } finally {
      server.close();
    }
  });

  it("sends nothing, and says so, without NTFY_URL", async () => {
    const lines: string[] = [];
    await notify({ title: "t", message: "m", status: "success" }, {}, (l) => lines.push(l));
    expect(lines).toEqual(["ntfy is not configured (NTFY_URL unset): not sent: t"]);
  });
});

describe("Argo CD health after a deploy", () => {
  const list = (apps: { name: string; sync?: string; health?: string; message?: string }[]) => ({
    items: apps.map((a) => ({ metadata: { name: a.name }, status: { sync: { status: a.sync }, health: { status: a.health, message: a.message } } })),
  });

  it("is healthy when every Application is Synced and Healthy", () => {
    expect(healthVerdict(applicationStatuses(list([{ name: "dev-cilium", sync: "Synced", health: "Healthy" }])))).toEqual({ healthy: true, waiting: [] });
  });

  it("lists the ones that are not, with Argo CD's message", () => {
    const v = healthVerdict(applicationStatuses(list([{ name: "dev-cilium", sync: "Synced", health: "Healthy" }, { name: "dev-glance", sync: "OutOfSync", health: "Degraded", message: "Deployment exceeded its progress deadline" }, { name: "dev-x" }])));
    expect(v).toEqual({ healthy: false, waiting: ["dev-glance: OutOfSync, Degraded (Deployment exceeded its progress deadline)", "dev-x: Unknown, Unknown"] });
  });

  it("is not healthy with no Application at all", () => {
    expect(healthVerdict([])).toEqual({ healthy: false, waiting: ["no Application found for this cluster"] });
    expect(() => applicationStatuses({ kind: "Status" })).toThrow("Argo CD applications: expected a list with items");
  });

  it("polls until healthy, and gives up at the deadline with the last answer", async () => {
    const answers = [Promise.reject(new Error("HTTP 503")), Promise.resolve(list([{ name: "a", sync: "Synced", health: "Progressing" }])), Promise.resolve(list([{ name: "a", sync: "Synced", health: "Healthy" }]))];
    answers[0].catch(() => undefined);
    let i = 0;
    const slept: number[] = [];
    // A fake clock that refuses to sleep forever: a loop that never stops fails here instead of filling memory.
    const sleep = async (ms: number) => {
      if (slept.push(ms) > 10) throw new Error("slept more than 10 times: the wait never ends");
    };
    expect(await waitHealthy(() => answers[i++], 60_000, 1000, sleep)).toEqual({ healthy: true, waiting: [] });
    expect(slept).toEqual([1000, 1000]);
    slept.length = 0;
    const never = await waitHealthy(async () => list([{ name: "a", sync: "Synced", health: "Progressing" }]), 0, 1000, sleep);
    expect(slept).toEqual([]);
    expect(never).toEqual({ healthy: false, waiting: ["a: Synced, Progressing"] });
  });
});

describe("npm run delivery", () => {
  const run = async (argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runDelivery(argv, (s) => out.push(s), (s) => err.push(s));
    return { code, out: out.join("\n"), err: err.join("\n") };
  };
  const history = path.join(__dirname, "..", "fixtures", "delivery", "stack-history.json");

  it("prints every pinned image as JSON (the Trivy matrix)", async () => {
    const r = await run(["images"]);
    expect(r.code).toBe(0);
    const list = JSON.parse(r.out) as string[];
    expect(list).toEqual(pinnedImages());
    expect(list).toContain(`${serviceImages.navidrome.repository}:${serviceImages.navidrome.tag}@${serviceImages.navidrome.digest}`);
    expect(new Set(list).size).toBe(list.length);
  });

  it("prints the commit a stack runs, from its history", async () => {
    expect(await run(["deployed", "--stack", "dev", "--history", history])).toEqual({ code: 0, out: "5f2c1e0d9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d", err: "" });
  });

  it("prints a tag name for now", async () => {
    expect((await run(["tag-name", "rolled-back"])).out).toMatch(/^rolled-back\/\d{8}T\d{6}Z$/);
  });

  describe("provision and initial-password, with provision.yml's environment", () => {
    const saved = { ...process.env };
    afterEach(() => {
      for (const k of ["GITHUB_EVENT_NAME", "GITHUB_EVENT_PATH", "PROVISIONING_PASSWORD_KEY", "PROVISIONING_WEBHOOK_SECRET", "AUTHENTIK_TOKEN"]) {
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
      }
    });

    it("prints the initial password of an account, from the key in the environment", async () => {
      process.env.PROVISIONING_PASSWORD_KEY = "k".repeat(48);
      expect(await run(["initial-password", "--app", "navidrome", "--user", "bob"])).toEqual({ code: 0, out: initialPassword("k".repeat(48), "navidrome", "bob"), err: "" });
      delete process.env.PROVISIONING_PASSWORD_KEY;
      await expect(run(["initial-password", "--app", "navidrome", "--user", "bob"])).rejects.toThrow("PROVISIONING_PASSWORD_KEY: expected the Bitwarden secret provisioning-password-key");
    });

    it("refuses, with exit 1, a dispatch the webhook secret did not sign and an event it does not serve", async () => {
      const event = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "provision-")), "event.json");
      fs.writeFileSync(event, JSON.stringify({ action: "authentik-provisioning", client_payload: { action: "model_updated", sent_at: String(Math.floor(Date.now() / 1000)), signature: "0".repeat(64) } }));
      Object.assign(process.env, { GITHUB_EVENT_NAME: "repository_dispatch", GITHUB_EVENT_PATH: event, PROVISIONING_WEBHOOK_SECRET: "w".repeat(48), PROVISIONING_PASSWORD_KEY: "k".repeat(48), AUTHENTIK_TOKEN: "t" });
      expect(await run(["provision"])).toMatchObject({ code: 1, out: expect.stringContaining("refused: client_payload.signature does not match") });
      process.env.GITHUB_EVENT_NAME = "push";
      expect(await run(["provision"])).toMatchObject({ code: 1, out: "refused: event push: expected repository_dispatch (Authentik) or workflow_dispatch (by hand)" });
    });
  });

  it.each([
    [["frobnicate"], "frobnicate: expected one of gate, wait-healthy, deployed, rollback-target, tag-name, notify, images, summary, provision, initial-password"],
    [["initial-password", "--app", "nextcloud", "--user", "bob"], "--app nextcloud: expected one of navidrome, audiobookshelf, komga"],
    [["initial-password", "--app", "komga"], "--user: expected the account's login (the Authentik username; for komga, the email address)"],
    [["deployed", "--stack", "staging"], "--stack staging: expected one of dev, prod, cloud"],
    [["tag-name", "released"], "tag-name released: expected promoted or rolled-back"],
    [["wait-healthy", "--cluster", "Dev!"], "--cluster Dev!: expected a cluster name like dev"],
    [["wait-healthy", "--cluster", "dev", "--timeout-minutes", "0"], "--timeout-minutes: expected a whole number from 1 to 120"],
    [["notify", "--title", "t"], "notify: expected --title, --message and --status"],
  ])("refuses %j as usage", async (argv, message) => {
    const r = runDelivery(argv, () => undefined, () => undefined);
    await expect(r).rejects.toThrow(message);
    await expect(r).rejects.toBeInstanceOf(UsageError);
  });
});
