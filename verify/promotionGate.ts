// The promotion gate against the real Prometheus (tools/prometheus): each
// scenario's 30 hours of DEV series are written as OpenMetrics, backfilled
// into a TSDB with `promtool tsdb create-blocks-from openmetrics`, served by
// Prometheus on loopback, and judged by the gate's own queries. A stable DEV
// opens the gate (prod's own alerts and failed probes do not count, nor an
// alert from before the commit ran); a critical alert, a failed probe, a gap
// in the probes' results or too short a run closes it, each with its reason.
// `npm run delivery -- gate` itself is run twice (open: exit 0; closed: exit 1).
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { GateCheck, promotionGate } from "../delivery/gate";
import { prometheusQuery } from "../delivery/prometheus";
import { waitReady } from "./alerting";
import { freePort } from "./net";

/** One verify check of the gate scenarios (not the gate's own verdict: delivery/gate.ts GateResult). */
export interface GateCheckResult {
  tool: string;
  artifact: string;
  ok: boolean;
  message: string;
}

const minute = 60;
const hour = 3600;
/** How far back each scenario's series go, and how long DEV has run the commit. */
const history = 30 * hour;
const ran = 26 * hour;
const services = ["glance", "adguard", "home-assistant"];
const commit = "5f2c1e0d9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d";

interface Scenario {
  name: string;
  /** Seconds before now; a sample per minute from `history` ago to a minute ago. */
  probe: (service: string, cluster: string, ago: number) => number | undefined;
  /** Critical alerts firing: name, cluster, from and to (seconds ago). */
  alerts: { alertname: string; cluster: string; from: number; to: number }[];
  /** How long ago DEV's current deployment ended. */
  deployedAgo: number;
  expect: { open: boolean; failing?: GateCheck["name"]; says?: string };
}

const healthy = () => 1;
/** Prod's own trouble during the window: never DEV's. */
const prodNoise = { alertname: "BackupFailed", cluster: "prod", from: 10 * hour, to: 9 * hour };

export const gateScenarios: Scenario[] = [
  { name: "a stable DEV (prod's own alert and failed probe aside)", probe: (s, c, ago) => (c === "prod" && s === "glance" && ago < 2 * hour ? 0 : 1), alerts: [prodNoise], deployedAgo: ran, expect: { open: true } },
  { name: "an alert that fired before the commit ran", probe: healthy, alerts: [{ alertname: "ServiceDown", cluster: "dev", from: 28 * hour, to: 27 * hour }], deployedAgo: ran, expect: { open: true } },
  { name: "a critical alert on DEV during the run", probe: healthy, alerts: [{ alertname: "ServiceDown", cluster: "dev", from: 20 * hour, to: 20 * hour - 10 * minute }], deployedAgo: ran, expect: { open: false, failing: "alerts", says: "ServiceDown" } },
  { name: "a failed probe on DEV during the run", probe: (s, c, ago) => (c === "dev" && s === "adguard" && ago > 5 * hour && ago <= 5 * hour + 3 * minute ? 0 : 1), alerts: [], deployedAgo: ran, expect: { open: false, failing: "probes", says: "adguard" } },
  { name: "four hours without probe results", probe: (_s, c, ago) => (c === "dev" && ago > 12 * hour && ago <= 16 * hour ? undefined : 1), alerts: [], deployedAgo: ran, expect: { open: false, failing: "coverage", says: "DEV was not watched" } },
  { name: "a commit DEV has run for 10 hours", probe: healthy, alerts: [], deployedAgo: 10 * hour, expect: { open: false, failing: "window", says: "promotion window is 24 h" } },
];

/** The scenario's series as OpenMetrics, ending a minute before `now` (seconds). */
export function openMetrics(s: Scenario, now: number): string {
  const lines = ["# TYPE probe_success gauge"];
  for (const cluster of ["dev", "prod"]) {
    for (const service of services) {
      for (let ago = history; ago >= minute; ago -= minute) {
        const v = s.probe(service, cluster, ago);
        if (v !== undefined) lines.push(`probe_success{job="services",cluster="${cluster}",service="${service}"} ${v} ${now - ago}`);
      }
    }
  }
  lines.push("# TYPE ALERTS gauge");
  for (const a of s.alerts) {
    for (let ago = a.from; ago >= a.to; ago -= minute) lines.push(`ALERTS{alertname="${a.alertname}",alertstate="firing",severity="critical",cluster="${a.cluster}"} 1 ${now - ago}`);
  }
  lines.push("# EOF", "");
  return lines.join("\n");
}

/** DEV's stack history as `pulumi stack history --json` prints it: the commit deployed `ago` seconds before `now`. */
export const historyJson = (now: number, ago: number) =>
  JSON.stringify([{ version: 0, kind: "update", startTime: new Date((now - ago - 300) * 1000).toISOString(), message: "deploy", environment: { "git.head": commit, "git.dirty": "false" }, result: "succeeded", endTime: new Date((now - ago) * 1000).toISOString() }]);

/** Prometheus on loopback over the backfilled TSDB of one scenario; stop() ends it. */
async function servePrometheus(bin: string, dir: string): Promise<{ url: string; stop: () => void }> {
  fs.writeFileSync(path.join(dir, "prometheus.yaml"), "global:\n  scrape_interval: 1m\n");
  const port = await freePort();
  let log = "";
  const child: ChildProcess = spawn(
    path.join(bin, "prometheus"),
    [`--config.file=${path.join(dir, "prometheus.yaml")}`, `--storage.tsdb.path=${path.join(dir, "data")}`, "--storage.tsdb.retention.time=30d", `--web.listen-address=127.0.0.1:${port}`],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  child.stdout?.on("data", (d) => (log += String(d)));
  child.stderr?.on("data", (d) => (log += String(d)));
  const stop = () => child.exitCode === null && child.kill("SIGKILL");
  try {
    await waitReady(`http://127.0.0.1:${port}/-/ready`, "prometheus", child, () => log);
  } catch (err) {
    stop();
    throw err;
  }
  return { url: `http://127.0.0.1:${port}`, stop };
}

/** Writes the scenario's TSDB with promtool; the reason when promtool refuses. */
function backfill(bin: string, dir: string, s: Scenario, now: number): string | undefined {
  const file = path.join(dir, "series.om");
  fs.writeFileSync(file, openMetrics(s, now));
  const r = spawnSync(path.join(bin, "promtool"), ["tsdb", "create-blocks-from", "openmetrics", file, path.join(dir, "data")], { encoding: "utf8", timeout: 120_000 });
  return r.status === 0 ? undefined : `promtool tsdb create-blocks-from openmetrics: ${`${r.stdout}${r.stderr}`.trim().split("\n").slice(-2).join(" | ")}`;
}

/** `npm run delivery -- gate`, compiled, on a history file, against the Prometheus at `url`. */
function gateCommand(root: string, historyFile: string, url: string): { code: number; output: string } {
  const r = spawnSync(process.execPath, [path.join(root, "build", "delivery", "cli.js"), "gate", "--commit", commit, "--history", historyFile, "--prometheus", url], { cwd: root, encoding: "utf8", timeout: 120_000 });
  return { code: r.status ?? 1, output: `${r.stdout}${r.stderr}`.trim() };
}

export async function promotionGateChecks(bin: string, root: string): Promise<GateCheckResult[]> {
  const results: GateCheckResult[] = [];
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-gate-"));
  try {
    for (const [i, s] of gateScenarios.entries()) {
      const artifact = `promotion gate, ${s.name}`;
      const dir = path.join(tmp, String(i));
      fs.mkdirSync(dir);
      const now = Math.floor(Date.now() / 1000);
      const refused = backfill(bin, dir, s, now);
      if (refused) {
        results.push({ tool: "prometheus", artifact, ok: false, message: refused });
        continue;
      }
      const prometheus = await servePrometheus(bin, dir);
      try {
        const r = await promotionGate({
          commit,
          dev: { deployment: { commit, since: new Date((now - s.deployedAgo) * 1000) } },
          now: new Date(now * 1000),
          windowHours: 24,
          query: prometheusQuery(prometheus.url),
          probeIntervalSeconds: minute,
        });
        const failed = r.checks.filter((c) => !c.ok);
        const reason = failed.map((c) => `${c.name}: ${c.message}`).join("; ");
        const ok = s.expect.open ? r.open : !r.open && failed.length === 1 && failed[0].name === s.expect.failing && failed[0].message.includes(s.expect.says ?? "");
        results.push({ tool: "prometheus", artifact, ok, message: ok ? (r.open ? "open, as expected" : `closed as expected: ${reason}`) : `expected ${s.expect.open ? "open" : `closed by ${s.expect.failing}`}, got ${r.open ? "open" : `closed: ${reason}`}` });

        // The command the workflow runs, on the first scenario (open) and the third (a critical alert).
        if (i === 0 || i === 2) {
          const historyFile = path.join(dir, "history.json");
          fs.writeFileSync(historyFile, historyJson(Math.floor(Date.now() / 1000), s.deployedAgo));
          const c = gateCommand(root, historyFile, prometheus.url);
          const want = s.expect.open ? 0 : 1;
          results.push({ tool: "prometheus", artifact: `npm run delivery -- gate, ${s.name}`, ok: c.code === want, message: c.code === want ? `exit ${c.code}: ${c.output.split("\n")[0]}` : `exit ${c.code}, expected ${want}: ${c.output.split("\n").slice(0, 4).join(" | ")}` });
        }
      } finally {
        prometheus.stop();
      }
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return results;
}
