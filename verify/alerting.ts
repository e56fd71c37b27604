// Alerting, with the real tools (built from tools/prometheus and
// tools/alertmanager): promtool checks the rules and runs each rule's unit
// test, amtool checks Alertmanager's configuration and where every rule's
// alert is routed; then, end to end on loopback, Prometheus with the rules
// scrapes a target that turns unhealthy and Alertmanager, with the same
// generated configuration pointed at stand-ins for Telegram and ntfy, must
// deliver the critical alert to both at once and the warning to the digest
// only. Every check is also run on a broken variant, which must fail.
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { parse, stringify } from "yaml";
import { RuleGroup, Severity, rulesDocument } from "../components/monitoring/alerts";
import { AlertRouting, alertmanagerConfig, devStack, receivers } from "../components/monitoring/alertmanager";
import { freePort, listen } from "./net";
import { validateCustomResource } from "./crdModels";

/** The PrometheusRule the chart renders from the rules it is given, checked against the prometheus-operator CRD. */
export async function prometheusRuleCheck(dir: string, rel: (p: string) => string): Promise<AlertingResult[]> {
  const file = path.join(dir, "rules.yaml");
  const asRule = (spec: unknown) => ({ apiVersion: "monitoring.coreos.com/v1", kind: "PrometheusRule", metadata: { name: "homelab", namespace: "monitoring" }, spec });
  const spec = parse(fs.readFileSync(file, "utf8")) as ReturnType<typeof rulesDocument>;
  const problem = await validateCustomResource(asRule(spec));
  const broken = structuredClone(spec);
  (broken.groups[0].rules as Record<string, unknown>[])[0].expr = { not: "a string" };
  const rejected = await validateCustomResource(asRule(broken));
  return [
    { tool: "crd-schema", artifact: `${rel(file)} as a PrometheusRule`, ok: problem === undefined, message: problem ?? "ok" },
    rejected
      ? { tool: "crd-schema", artifact: "a PrometheusRule whose expression is an object", ok: true, message: `rejected as expected: ${rejected.slice(0, 160)}` }
      : { tool: "crd-schema", artifact: "a PrometheusRule whose expression is an object", ok: false, message: "accepted a broken object: this check cannot fail" },
  ];
}

export interface AlertingResult {
  tool: string;
  artifact: string;
  ok: boolean;
  message: string;
}

const expectedReceiver = (severity: Severity) => (severity === "critical" ? receivers.critical : receivers.digest);

function tool(bin: string, args: string[], cwd?: string): { code: number; output: string } {
  const r = spawnSync(bin, args, { cwd, encoding: "utf8", timeout: 120_000 });
  return { code: r.status ?? 1, output: `${r.stdout ?? ""}${r.stderr ?? ""}${r.error ? String(r.error) : ""}`.trim() };
}

const short = (text: string) => text.split("\n").filter(Boolean).slice(0, 3).join(" | ");

/** promtool and amtool on the generated files: rules valid, each rule's unit test passing, every alert routed by its severity. */
export function alertingFileChecks(bin: string, dir: string, groups: readonly RuleGroup[], rel: (p: string) => string): AlertingResult[] {
  const promtool = path.join(bin, "promtool");
  const amtool = path.join(bin, "amtool");
  const rules = path.join(dir, "rules.yaml");
  const tests = path.join(dir, "rules.test.yaml");
  const am = path.join(dir, "alertmanager.yaml");
  const results: AlertingResult[] = [];
  const pass = (name: string, artifact: string, r: { code: number; output: string }) => results.push({ tool: name, artifact, ok: r.code === 0, message: r.code === 0 ? "ok" : short(r.output) });
  pass("promtool", `${rel(rules)} (check rules)`, tool(promtool, ["check", "rules", rules]));
  pass("promtool", `${rel(tests)} (test rules: each rule fires on failure, stays silent when healthy)`, tool(promtool, ["test", "rules", tests], dir));
  pass("amtool", `${rel(am)} (check-config)`, tool(amtool, ["check-config", am]));
  for (const g of groups) {
    for (const r of g.rules) {
      const want = expectedReceiver(r.severity);
      pass("amtool", `${rel(am)}: ${r.alert} (${r.severity}) -> ${want}`, tool(amtool, ["config", "routes", "test", `--config.file=${am}`, `--verify.receivers=${want}`, `alertname=${r.alert}`, `severity=${r.severity}`, "cluster=prod"]));
    }
  }
  pass("amtool", `${rel(am)}: Watchdog -> ${receivers.nowhere}`, tool(amtool, ["config", "routes", "test", `--config.file=${am}`, `--verify.receivers=${receivers.nowhere}`, "alertname=Watchdog", "severity=none"]));
  pass("amtool", `${rel(am)}: a critical alert from dev -> ${receivers.digest}`, tool(amtool, ["config", "routes", "test", `--config.file=${am}`, `--verify.receivers=${receivers.digest}`, "alertname=ServiceDown", "severity=critical", "cluster=dev", `stack=${devStack}`]));
  return results;
}

/** The same checks on broken variants of the generated files: each must be rejected. */
export function alertingNegativeChecks(bin: string, dir: string): AlertingResult[] {
  const promtool = path.join(bin, "promtool");
  const amtool = path.join(bin, "amtool");
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-verify-alerting-"));
  const results: AlertingResult[] = [];
  const reject = (name: string, artifact: string, r: { code: number; output: string }) =>
    results.push(r.code !== 0 ? { tool: name, artifact, ok: true, message: `rejected as expected: ${short(r.output).slice(0, 160)}` } : { tool: name, artifact, ok: false, message: "accepted a broken file: this check cannot fail" });
  try {
    const rules = parse(fs.readFileSync(path.join(dir, "rules.yaml"), "utf8")) as ReturnType<typeof rulesDocument>;
    // A rule that can never fire: its unit test must fail.
    const deaf = structuredClone(rules);
    const disk = (deaf.groups[0].rules as { alert: string; expr: string }[]).find((r) => r.alert === "DiskSmartFailed");
    if (disk) disk.expr = "smartmon_device_smart_healthy != 0 and smartmon_device_smart_healthy != 1";
    fs.writeFileSync(path.join(tmp, "rules.yaml"), stringify(deaf));
    fs.copyFileSync(path.join(dir, "rules.test.yaml"), path.join(tmp, "rules.test.yaml"));
    reject("promtool", "rules where DiskSmartFailed can never fire (test rules)", tool(promtool, ["test", "rules", "rules.test.yaml"], tmp));
    // A rule that does not parse.
    const garbled = structuredClone(rules);
    (garbled.groups[0].rules as { expr: string }[])[0].expr = "smartmon_device_smart_healthy !=";
    fs.writeFileSync(path.join(tmp, "garbled.yaml"), stringify(garbled));
    reject("promtool", "a rule whose expression does not parse (check rules)", tool(promtool, ["check", "rules", path.join(tmp, "garbled.yaml")]));
    // Warnings sent to the critical receiver: the digest route test must fail.
    const am = parse(fs.readFileSync(path.join(dir, "alertmanager.yaml"), "utf8")) as { route: { receiver: string } };
    am.route.receiver = receivers.critical;
    fs.writeFileSync(path.join(tmp, "alertmanager.yaml"), stringify(am));
    reject("amtool", "a configuration sending warnings to the critical receiver (routes test)", tool(amtool, ["config", "routes", "test", `--config.file=${path.join(tmp, "alertmanager.yaml")}`, `--verify.receivers=${receivers.digest}`, "alertname=ZfsScrubOverdue", "severity=warning"]));
    const unknown = { ...am, route: { ...am.route, receiver: "pager" } };
    fs.writeFileSync(path.join(tmp, "unknown.yaml"), stringify(unknown));
    reject("amtool", "a route to a receiver that does not exist (check-config)", tool(amtool, ["check-config", path.join(tmp, "unknown.yaml")]));
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return results;
}

// ---------------------------------------------------------------- end to end

/** What a stand-in received: the request as the real service would see it. */
interface Received {
  at: number;
  service: "telegram" | "ntfy";
  topic?: string;
  alerts: string[];
  problem?: string;
}

function body(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = "";
    req.on("data", (c) => (text += String(c)));
    req.on("end", () => resolve(text));
  });
}

/**
 * ntfy: POST /<topic>?template=alertmanager&priority=N with the publisher's
 * bearer token and Alertmanager's webhook JSON (version 4), as ntfy's built-in
 * alertmanager template reads it.
 */
function ntfyStandIn(token: string, log: Received[]): http.Server {
  return http.createServer(async (req, res) => {
    const text = await body(req);
    const url = new URL(req.url ?? "/", "http://ntfy");
    const problems: string[] = [];
    if (req.method !== "POST" && req.method !== "PUT") problems.push(`method ${req.method}`);
    if (req.headers.authorization !== `Bearer ${token}`) problems.push("no or wrong bearer token");
    if (url.searchParams.get("template") !== "alertmanager") problems.push("template is not alertmanager");
    if (!/^[1-5]$/.test(url.searchParams.get("priority") ?? "")) problems.push("no priority 1-5");
    let alerts: string[] = [];
    try {
      const payload = JSON.parse(text) as { version?: string; alerts?: { labels?: { alertname?: string } }[] };
      if (payload.version !== "4") problems.push(`webhook version ${payload.version}`);
      alerts = (payload.alerts ?? []).map((a) => a.labels?.alertname ?? "?");
    } catch {
      problems.push("body is not JSON");
    }
    log.push({ at: Date.now(), service: "ntfy", topic: decodeURIComponent(url.pathname.slice(1)), alerts, problem: problems.join(", ") || undefined });
    res.writeHead(problems.length ? 400 : 200, { "content-type": "application/json" }).end(JSON.stringify({ id: "x", event: "message" }));
  });
}

/** Telegram's Bot API: POST /bot<token>/sendMessage with chat_id, text and parse_mode. */
function telegramStandIn(token: string, chatId: number, log: Received[]): http.Server {
  return http.createServer(async (req, res) => {
    const text = await body(req);
    const problems: string[] = [];
    if (req.method !== "POST") problems.push(`method ${req.method}`);
    if (req.url !== `/bot${token}/sendMessage`) problems.push(`path ${req.url?.replace(token, "<token>")}`);
    let message = "";
    try {
      const payload = JSON.parse(text) as { chat_id?: number | string; text?: string; parse_mode?: string };
      if (Number(payload.chat_id) !== chatId) problems.push(`chat_id ${payload.chat_id}`);
      if (!payload.text) problems.push("no text");
      if (payload.parse_mode !== "HTML") problems.push(`parse_mode ${payload.parse_mode}`);
      message = payload.text ?? "";
    } catch {
      problems.push("body is not JSON");
    }
    const alerts = [...message.matchAll(/alertname\s*=\s*([A-Za-z0-9_]+)/g)].map((m) => m[1]);
    log.push({ at: Date.now(), service: "telegram", alerts: alerts.length ? alerts : [message.slice(0, 80)], problem: problems.join(", ") || undefined });
    // As Telegram answers: the Message sent, with its chat (Alertmanager reads both).
    const reply = problems.length
      ? { ok: false, error_code: 400, description: `Bad Request: ${problems.join(", ")}` }
      : { ok: true, result: { message_id: log.length, date: Math.floor(Date.now() / 1000), chat: { id: chatId, type: chatId < 0 ? "group" : "private" }, text: message } };
    res.writeHead(problems.length ? 400 : 200, { "content-type": "application/json" }).end(JSON.stringify(reply));
  });
}

export async function waitReady(url: string, what: string, child: ChildProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}: ${log().trim().split("\n").slice(-3).join(" | ")}`);
    const ok = await new Promise<boolean>((resolve) => http.get(url, (res) => (res.resume(), resolve(res.statusCode === 200))).on("error", () => resolve(false)));
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} was not ready at ${url}`);
}

/** Alertmanager's groups as it holds them: receiver and alert names. */
async function alertGroups(port: number): Promise<string> {
  const text = await new Promise<string>((resolve) =>
    http.get(`http://127.0.0.1:${port}/api/v2/alerts/groups`, (res) => {
      let b = "";
      res.on("data", (c) => (b += String(c)));
      res.on("end", () => resolve(b));
    }).on("error", (e) => resolve(`[] (${e.message})`)),
  );
  try {
    const groups = JSON.parse(text) as { receiver: { name: string }; alerts: { labels: { alertname: string } }[] }[];
    return groups.map((g) => `${g.receiver.name}: ${g.alerts.map((a) => a.labels.alertname).join(", ")}`).join("; ") || "no alerts";
  } catch {
    return text.slice(0, 200);
  }
}

/** The servers' last warnings and errors, to say why a delivery did not happen. */
function complaints(...logs: string[]): string {
  const lines = logs.flatMap((l) => l.split("\n")).filter((l) => /level=(warn|error)/i.test(l));
  return lines.length ? ` (logs: ${lines.slice(-3).map((l) => l.replace(/^time=\S+ /, "").slice(0, 300)).join(" | ")})` : "";
}

export interface EndToEndResult {
  ok: boolean;
  message: string;
  /** Seconds from the target turning unhealthy to each delivery. */
  timings: { critical?: { telegram?: number; ntfy?: number }; digest?: number };
  received: Received[];
}

/**
 * The critical alert DiskSmartFailed and the warning RestoreDrillStale, from
 * the generated rules, through Prometheus and Alertmanager to the stand-ins.
 * `routingFor` builds the configuration from the stand-ins' addresses (the
 * program's own function, or a broken variant).
 */
export async function alertingEndToEnd(bin: string, groups: readonly RuleGroup[], chatId: number, routingFor: (r: AlertRouting) => Record<string, unknown> = alertmanagerConfig, limitSeconds = 150): Promise<EndToEndResult> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-alerting-e2e-"));
  const received: Received[] = [];
  const children: ChildProcess[] = [];
  const servers: http.Server[] = [];
  let amLog = "";
  let promLog = "";
  try {
    const ntfyToken = "tk_e2etokenforthealertingcheck0";
    const botToken = "123456:e2e-bot-token";
    fs.writeFileSync(path.join(tmp, "ntfy-token"), ntfyToken);
    fs.writeFileSync(path.join(tmp, "telegram-bot-token"), botToken);
    const ntfy = ntfyStandIn(ntfyToken, received);
    const telegram = telegramStandIn(botToken, chatId, received);
    servers.push(ntfy, telegram);
    const ntfyPort = await listen(ntfy);
    const telegramPort = await listen(telegram);
    const routing: AlertRouting = {
      ntfy: { url: `http://127.0.0.1:${ntfyPort}`, tokenFile: path.join(tmp, "ntfy-token"), topics: { critical: "homelab-critical", digest: "homelab-digest" } },
      telegram: { apiUrl: `http://127.0.0.1:${telegramPort}`, botTokenFile: path.join(tmp, "telegram-bot-token"), chatId },
    };
    fs.writeFileSync(path.join(tmp, "alertmanager.yaml"), stringify(routingFor(routing)));
    fs.writeFileSync(path.join(tmp, "rules.yaml"), stringify(rulesDocument(groups)));

    // The target: a healthy disk until it turns failing, and then the only restore drill it has seen is 40 days old
    // (a last-success timestamp never goes back: the rule takes the newest over Prometheus' days).
    let healthy = true;
    const target = http.createServer((_, res) => {
      const now = Date.now() / 1000;
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4" }).end(
        `smartmon_device_smart_healthy{disk="/dev/sda",type="sat"} ${healthy ? 1 : 0}\n${healthy ? "" : `homelab_restore_drill_last_success_timestamp_seconds{cluster="prod",backup="prod-romm-database"} ${now - 40 * 86400}\n`}`,
      );
    });
    servers.push(target);
    const targetPort = await listen(target);

    const amPort = await freePort();
    const am = spawn(path.join(bin, "alertmanager"), [`--config.file=${path.join(tmp, "alertmanager.yaml")}`, `--storage.path=${path.join(tmp, "am")}`, `--web.listen-address=127.0.0.1:${amPort}`, "--cluster.listen-address="], { stdio: ["ignore", "pipe", "pipe"] });
    children.push(am);
    am.stdout?.on("data", (d) => (amLog += String(d)));
    am.stderr?.on("data", (d) => (amLog += String(d)));
    await waitReady(`http://127.0.0.1:${amPort}/-/ready`, "alertmanager", am, () => amLog);

    const promPort = await freePort();
    fs.writeFileSync(
      path.join(tmp, "prometheus.yaml"),
      stringify({
        global: { scrape_interval: "1s", evaluation_interval: "1s", external_labels: { cluster: "prod" } },
        rule_files: [path.join(tmp, "rules.yaml")],
        alerting: { alertmanagers: [{ static_configs: [{ targets: [`127.0.0.1:${amPort}`] }] }] },
        scrape_configs: [{ job_name: "e2e", static_configs: [{ targets: [`127.0.0.1:${targetPort}`] }] }],
      }),
    );
    const prom = spawn(path.join(bin, "prometheus"), [`--config.file=${path.join(tmp, "prometheus.yaml")}`, `--storage.tsdb.path=${path.join(tmp, "prom")}`, `--web.listen-address=127.0.0.1:${promPort}`], { stdio: ["ignore", "pipe", "pipe"] });
    children.push(prom);
    prom.stdout?.on("data", (d) => (promLog += String(d)));
    prom.stderr?.on("data", (d) => (promLog += String(d)));
    await waitReady(`http://127.0.0.1:${promPort}/-/ready`, "prometheus", prom, () => promLog);
    // Let Prometheus see the healthy state first, so what follows is a change.
    await new Promise((r) => setTimeout(r, 3000));

    const failedAt = Date.now();
    healthy = false;
    const seconds = (r?: Received) => (r ? Math.round((r.at - failedAt) / 100) / 10 : undefined);
    const find = (service: Received["service"], alert: string, topic?: string) => received.find((r) => r.service === service && r.alerts.includes(alert) && (topic === undefined || r.topic === topic));
    const deadline = failedAt + limitSeconds * 1000;
    while (Date.now() < deadline && !(find("telegram", "DiskSmartFailed") && find("ntfy", "DiskSmartFailed", "homelab-critical") && find("ntfy", "RestoreDrillStale", "homelab-digest"))) {
      await new Promise((r) => setTimeout(r, 250));
    }
    // A little longer, so a warning that also went elsewhere would show.
    await new Promise((r) => setTimeout(r, 3000));

    const problems: string[] = [];
    const groupsNow = await alertGroups(amPort);
    for (const [name, child, log] of [["alertmanager", am, amLog], ["prometheus", prom, promLog]] as const) {
      if (child.exitCode !== null || child.signalCode !== null) problems.push(`${name} stopped early (${child.exitCode ?? child.signalCode}): ${(log.match(/^panic: .*$/m)?.[0] ?? log.trim().split("\n").slice(-2).join(" | ")).slice(0, 400)}`);
    }
    for (const r of received) if (r.problem) problems.push(`${r.service}${r.topic ? `/${r.topic}` : ""} got a malformed request (${r.problem})`);
    const crit = { telegram: find("telegram", "DiskSmartFailed"), ntfy: find("ntfy", "DiskSmartFailed", "homelab-critical") };
    const digest = find("ntfy", "RestoreDrillStale", "homelab-digest");
    if (!crit.telegram) problems.push("the critical alert never reached Telegram");
    if (!crit.ntfy) problems.push("the critical alert never reached ntfy's critical topic");
    if (!digest) problems.push("the warning never reached the digest");
    const strayWarning = received.filter((r) => r.alerts.includes("RestoreDrillStale") && !(r.service === "ntfy" && r.topic === "homelab-digest"));
    if (strayWarning.length) problems.push(`the warning also went to ${strayWarning.map((r) => `${r.service}${r.topic ? `/${r.topic}` : ""}`).join(", ")}`);
    const strayCritical = received.filter((r) => r.alerts.includes("DiskSmartFailed") && r.service === "ntfy" && r.topic !== "homelab-critical");
    if (strayCritical.length) problems.push("the critical alert also went to the digest");
    const timings = { critical: { telegram: seconds(crit.telegram), ntfy: seconds(crit.ntfy) }, digest: seconds(digest) };
    return {
      ok: problems.length === 0,
      message: problems.length ? `${problems.join("; ")}; Alertmanager holds ${groupsNow}${complaints(amLog, promLog)}` : `critical to Telegram in ${timings.critical.telegram} s and ntfy in ${timings.critical.ntfy} s; warning to the digest in ${timings.digest} s, nowhere else`,
      timings,
      received,
    };
  } finally {
    for (const c of children) c.kill("SIGTERM");
    await Promise.all(children.map((c) => (c.exitCode !== null ? Promise.resolve() : new Promise((r) => c.once("exit", r)))));
    for (const s of servers) s.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
