// LogQL, read by Loki's own parser (the logql-check tool, on
// github.com/grafana/loki/v3's pkg/logql/syntax): the ruler's rule file must
// hold groups of alerting and recording rules whose expressions are metric
// queries, and every log query of Grafana's dashboards must parse. Shown
// failing on a rule whose expression is a log query, a rule file with an
// unknown field, and a query that does not parse. And the rules' pipelines
// run over lines written the way Authentik logs its events: the burst alert
// counts failed sign-ins only (ten fire it, nine do not), the recording
// labels each sign-in with its user and address.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { logqlOfJson } from "../components/monitoring/dashboards";
import { backupContainer, backupLogRecordings, drillContainer, failedSignInBurst, logAlerts, logRecordings, lokiRulesDocument } from "../components/monitoring/logRules";
import { homelabMetrics, managementVm } from "../components/monitoring/metrics";
import { BackupJob, backupScript, drillLogPrefix, drillScript, resultLogPrefix, retentionByClass } from "../components/backup/restic";

export interface LogqlResult {
  tool: string;
  artifact: string;
  ok: boolean;
  message: string;
}

function logqlCheck(bin: string, args: string[]): { ok: boolean; output: string } {
  const r = spawnSync(bin, args, { encoding: "utf8", timeout: 60_000 });
  return { ok: r.status === 0, output: `${r.stdout ?? ""}${r.stderr ?? ""}${r.error?.message ?? ""}`.trim() };
}

const oneLine = (s: string, max = 200) => s.replace(/\s+/g, " ").slice(0, max);

/** The Loki ruler's file: every group and rule as Loki reads it, and the number the program wrote. */
export function lokiRulesCheck(bin: string, file: string, artifact: string): LogqlResult {
  const r = logqlCheck(bin, ["rules", file]);
  if (!r.ok) return { tool: "logql-check", artifact, ok: false, message: oneLine(r.output) };
  const read = JSON.parse(r.output) as { name: string }[];
  const expected = lokiRulesDocument().groups.flatMap((g) => g.rules as unknown[]).length;
  return read.length === expected
    ? { tool: "logql-check", artifact, ok: true, message: `ok: ${read.map((x) => x.name).join(", ")}` }
    : { tool: "logql-check", artifact, ok: false, message: `read ${read.length} rules; the program wrote ${expected}` };
}

/** Every log query of the dashboards (a directory of Grafana JSON). */
export function dashboardLogqlCheck(bin: string, dir: string, rel: (p: string) => string): LogqlResult {
  const texts = Object.fromEntries(fs.readdirSync(dir).filter((f) => f.endsWith(".json")).map((f) => [f, fs.readFileSync(path.join(dir, f), "utf8")]));
  const queries = logqlOfJson(texts);
  const failures = queries.map((q) => ({ q, r: logqlCheck(bin, ["query", q.expr]) })).filter((x) => !x.r.ok);
  const artifact = `${rel(dir)} (${queries.length} LogQL queries parse)`;
  if (queries.length === 0) return { tool: "logql-check", artifact, ok: false, message: "no log queries" };
  return failures.length
    ? { tool: "logql-check", artifact, ok: false, message: failures.map((f) => `${f.q.dashboard}/${f.q.panel}: ${oneLine(f.r.output, 120)}`).join("; ") }
    : { tool: "logql-check", artifact, ok: true, message: "ok" };
}

/** The checks refuse what Loki would: a log query as a rule, an unknown field, a query that does not parse. */
export function logqlNegativeChecks(bin: string): LogqlResult[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-logql-"));
  const results: LogqlResult[] = [];
  const reject = (artifact: string, args: string[]) => {
    const r = logqlCheck(bin, args);
    results.push({ tool: "logql-check", artifact, ok: !r.ok, message: r.ok ? "accepted a broken file: this check cannot fail" : `rejected as expected: ${oneLine(r.output, 160)}` });
  };
  try {
    const doc = lokiRulesDocument();
    const [group] = doc.groups as { name: string; rules: Record<string, unknown>[] }[];
    const logQuery = path.join(dir, "log-query-rule.yaml");
    // The alert's selector without its count: a stream of lines, not samples.
    const selector = String(group.rules[0].expr).replace(/^sum\(count_over_time\((.*) \[10m\]\)\) >= \d+$/, "$1");
    fs.writeFileSync(logQuery, stringify({ groups: [{ ...group, rules: [{ ...group.rules[0], expr: selector }] }] }));
    reject("a Loki rule whose expression is a log query", ["rules", logQuery]);
    const unknown = path.join(dir, "unknown-field.yaml");
    fs.writeFileSync(unknown, stringify({ groups: [{ ...group, rules: [{ ...group.rules[0], severity: "critical" }] }] }));
    reject("a Loki rule with a field Loki does not know", ["rules", unknown]);
    reject("a log query that does not parse", ["query", '{container="authentik-server" | json']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return results;
}

interface LogLine {
  labels: Record<string, string>;
  line: string;
}

/** One event as Authentik's server logs it when it creates the event: one JSON object (structlog), the message "Created Event". */
export function authentikEventLine(action: string, fields: { clientIp: string; username: string; context?: Record<string, unknown> }): LogLine {
  const event = {
    action,
    client_ip: fields.clientIp,
    context: fields.context ?? {},
    event: "Created Event",
    host: "auth.homelab.example",
    level: "info",
    logger: "authentik.events.models",
    pid: 41,
    request_id: "5b0c7e1f",
    timestamp: "2026-11-23T05:00:00.000000",
    user: action === "login_failed" ? { pk: 1, email: "", username: "AnonymousUser" } : { pk: 7, email: `${fields.username}@homelab.example`, username: fields.username },
  };
  return { labels: { host: managementVm.host, container: "authentik-server", stack: "cloud" }, line: JSON.stringify(event) };
}

function runLines(bin: string, query: string, lines: LogLine[]): { matched: boolean; value?: number; labels?: Record<string, string> }[] | string {
  const r = spawnSync(bin, ["lines", query], { input: lines.map((l) => JSON.stringify(l)).join("\n"), encoding: "utf8", timeout: 60_000 });
  return r.status === 0 ? (JSON.parse(r.stdout) as { matched: boolean; value?: number; labels?: Record<string, string> }[]) : `${r.stderr}${r.error?.message ?? ""}`;
}

/** The rules' own pipelines (Loki's code) over Authentik's event lines. */
export function authentikRulesOnLines(bin: string): LogqlResult[] {
  const failed = (n: number) => Array.from({ length: n }, (_, i) => authentikEventLine("login_failed", { clientIp: "198.51.100.23", username: "", context: { username: `guess${i}`, password: "********************" } }));
  const noise: LogLine[] = [
    authentikEventLine("login", { clientIp: "203.0.113.9", username: "alice" }),
    authentikEventLine("authorize_application", { clientIp: "203.0.113.9", username: "alice", context: { authorized_application: { name: "Grafana" } } }),
    // A request log line that mentions a failed login without being the event.
    { labels: { host: managementVm.host, container: "authentik-server", stack: "cloud" }, line: JSON.stringify({ event: "/api/v3/flows/executor/default-authentication-flow/?query=login_failed", level: "info", logger: "authentik.asgi", status: 200 }) },
  ];
  const results: LogqlResult[] = [];
  const [burst] = logAlerts;
  for (const [n, shouldFire] of [[failedSignInBurst, true], [failedSignInBurst - 1, false]] as const) {
    const out = runLines(bin, burst.expr, [...noise, ...failed(n)]);
    const artifact = `${burst.alert} over ${n} failed sign-ins among other events (must ${shouldFire ? "fire" : "stay silent"})`;
    if (typeof out === "string") {
      results.push({ tool: "logql-check", artifact, ok: false, message: oneLine(out) });
      continue;
    }
    const counted = out.filter((o) => o.matched).length;
    results.push({ tool: "logql-check", artifact, ok: counted === n && counted >= failedSignInBurst === shouldFire, message: `counted ${counted} of ${out.length} lines; threshold ${failedSignInBurst}` });
  }
  const [recording] = logRecordings;
  const signIns = [authentikEventLine("login", { clientIp: "203.0.113.9", username: "alice" }), authentikEventLine("login", { clientIp: "198.51.100.7", username: "akadmin" }), ...failed(2), ...noise.slice(1)];
  const out = runLines(bin, recording.expr, signIns);
  const artifact = `${recording.record} over two sign-ins among failures and other events`;
  if (typeof out === "string") results.push({ tool: "logql-check", artifact, ok: false, message: oneLine(out) });
  else {
    const recorded = out.filter((o) => o.matched).map((o) => Object.entries(o.labels ?? {}).sort().map(([k, v]) => `${k}=${v}`).join(","));
    const expected = ["client_ip=203.0.113.9,user_username=alice", "client_ip=198.51.100.7,user_username=akadmin"];
    const ok = JSON.stringify(recorded) === JSON.stringify(expected);
    results.push({ tool: "logql-check", artifact, ok, message: ok ? "each sign-in recorded with its user and address, nothing else" : `recorded ${JSON.stringify(recorded)}; expected ${JSON.stringify(expected)}` });
  }
  return results;
}

/**
 * The result lines the backup and drill scripts print, produced by bash
 * running the scripts' own echo lines (ok at the end of a run, failed from
 * the error trap), with the labels the log shippers give them.
 */
export function backupResultLines(): { backupOk: LogLine; backupFailed: LogLine; drillOk: LogLine; drillFailed: LogLine } {
  const job: BackupJob = { name: "cloud-vaultwarden-database", class: "critical", source: { kind: "postgres", host: "vaultwarden-db-rw", port: 5432, database: "vaultwarden", user: "vaultwarden" }, retention: retentionByClass.critical };
  const echo = (script: string, prefix: string) => script.split("\n").map((l) => l.trim()).filter((l) => l.startsWith(`echo "${prefix} `));
  const trapped = (script: string) => /^trap '(.*)' ERR$/m.exec(script)?.[1].replace(/'\\''/g, "'") ?? "";
  const run = (line: string) => spawnSync("bash", ["-c", `started=$SECONDS; lost=0; ${line}`], { encoding: "utf8" }).stdout.trim();
  const backup = echo(backupScript(job), resultLogPrefix);
  const drill = drillScript(job, "/var/tmp/restore", "drill");
  const pod = (container: string) => ({ cluster: "cloud", namespace: "vaultwarden", pod: `${container}-29391840-abcde`, container });
  return {
    backupOk: { labels: pod(backupContainer), line: run(backup.find((l) => l.includes("status=ok")) ?? "") },
    backupFailed: { labels: pod(backupContainer), line: run(backup.find((l) => l.includes("status=failed")) ?? "") },
    drillOk: { labels: pod(drillContainer), line: run(echo(drill, drillLogPrefix)[0] ?? "") },
    drillFailed: { labels: pod(drillContainer), line: run(trapped(drill)) },
  };
}

/** The backup recordings' pipelines (Loki's code) over the scripts' result lines and the other lines the same containers print. */
export function backupRulesOnLines(bin: string): LogqlResult[] {
  const l = backupResultLines();
  const noise: LogLine[] = [
    { labels: l.backupOk.labels, line: "Files:           3 new,     0 changed,     0 unmodified" },
    { labels: l.drillOk.labels, line: "tables 3 lost 0" },
    // Someone else's line that mentions a backup is not a result.
    { labels: { ...l.backupOk.labels, container: "vaultwarden" }, line: l.backupOk.line },
  ];
  const lines = [l.backupOk, l.backupFailed, l.drillOk, l.drillFailed, ...noise];
  const finished = (line: string) => Number(/finished=(\d+)/.exec(line)?.[1]);
  const expected: Record<string, { line: LogLine; value: number; labels: string }[]> = {
    [homelabMetrics.backupLastSuccess]: [{ line: l.backupOk, value: finished(l.backupOk.line), labels: "backup=cloud-vaultwarden-database,class=critical" }],
    [homelabMetrics.backupLastRunFailed]: [
      { line: l.backupOk, value: 0, labels: "backup=cloud-vaultwarden-database,class=critical" },
      { line: l.backupFailed, value: 1, labels: "backup=cloud-vaultwarden-database,class=critical" },
    ],
    [homelabMetrics.restoreDrillLastSuccess]: [{ line: l.drillOk, value: finished(l.drillOk.line), labels: "backup=cloud-vaultwarden-database,cluster=cloud" }],
    [homelabMetrics.restoreDrillLastRunFailed]: [
      { line: l.drillOk, value: 0, labels: "backup=cloud-vaultwarden-database,cluster=cloud" },
      { line: l.drillFailed, value: 1, labels: "backup=cloud-vaultwarden-database,cluster=cloud" },
    ],
    [homelabMetrics.restoreDrillDuration]: [
      { line: l.drillOk, value: 0, labels: "backup=cloud-vaultwarden-database,cluster=cloud" },
      { line: l.drillFailed, value: 0, labels: "backup=cloud-vaultwarden-database,cluster=cloud" },
    ],
  };
  return backupLogRecordings.map((r) => {
    const artifact = `${r.record} over the backup and drill scripts' result lines among their other output`;
    const out = runLines(bin, r.expr, lines);
    if (typeof out === "string") return { tool: "logql-check", artifact, ok: false, message: oneLine(out) };
    const got = out.flatMap((o, i) => (o.matched ? [`${lines.indexOf(lines[i])}:${o.value ?? 0}:${Object.entries(o.labels ?? {}).sort().map(([k, v]) => `${k}=${v}`).join(",")}`] : []));
    const want = (expected[r.record] ?? []).map((e) => `${lines.indexOf(e.line)}:${e.value}:${e.labels}`);
    const ok = want.length > 0 && JSON.stringify(got) === JSON.stringify(want);
    return { tool: "logql-check", artifact, ok, message: ok ? `recorded ${got.length} of ${lines.length} lines, each with its value and labels` : `recorded ${JSON.stringify(got)}; expected ${JSON.stringify(want)}` };
  });
}
