import { GateInput, Query, Sample, criticalAlertsQuery, describeGate, probeCountQuery, probeFailuresQuery, promotionGate } from "../../delivery/gate";
import { parseGateArgs } from "../../delivery/gateCommand";
import { prometheusInClusterUrl } from "../../components/monitoring/metrics";

const commit = "5f2c1e0d9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d";
const since = new Date("2026-11-20T08:00:00.000Z");
const now = new Date("2026-11-21T10:00:00.000Z"); // 26 h later
const ranSeconds = 26 * 3600;
const healthy = { alerts: [] as Sample[], failures: [{ metric: { service: "glance" }, value: 1 }, { metric: { service: "adguard" }, value: 1 }], counts: [{ metric: { service: "glance" }, value: 1560 }, { metric: { service: "adguard" }, value: 1500 }] };

/** Answers the gate's three queries from `series`, and records what was asked. */
function fakePrometheus(series: typeof healthy, asked: { promql: string; at: Date }[] = []): Query {
  return async (promql, at) => {
    asked.push({ promql, at });
    if (promql === criticalAlertsQuery(ranSeconds)) return series.alerts;
    if (promql === probeFailuresQuery(ranSeconds)) return series.failures;
    if (promql === probeCountQuery(ranSeconds)) return series.counts;
    throw new Error(`unexpected query ${promql}`);
  };
}

const input = (over: Partial<GateInput> = {}): GateInput => ({ commit, dev: { deployment: { commit, since } }, now, windowHours: 24, query: fakePrometheus(healthy), probeIntervalSeconds: 60, ...over });

describe("promotion gate", () => {
  it("opens for a commit DEV has run, healthy and watched, longer than the window", async () => {
    const asked: { promql: string; at: Date }[] = [];
    const r = await promotionGate(input({ query: fakePrometheus(healthy, asked) }));
    expect(r.open).toBe(true);
    expect(r.checks.map((c) => [c.name, c.ok])).toEqual([["deployed", true], ["window", true], ["alerts", true], ["probes", true], ["coverage", true]]);
    // The whole time DEV has run the commit, evaluated now.
    expect(asked.map((q) => q.at)).toEqual([now, now, now]);
    expect(asked[0].promql).toBe(`max by (alertname) (max_over_time(ALERTS{alertstate="firing",severity="critical",cluster="dev"}[93600s]) or max_over_time(ALERTS{alertstate="firing",severity="critical",stack="dev"}[93600s]))`);
    expect(describeGate(commit, r)).toContain(`promotion gate for ${commit}: OPEN`);
  });

  it("stays closed when DEV runs another commit", async () => {
    const r = await promotionGate(input({ dev: { deployment: { commit: "0".repeat(40), since } } }));
    expect(r.open).toBe(false);
    expect(r.checks).toEqual([{ name: "deployed", ok: false, message: expect.stringContaining(`DEV runs ${"0".repeat(40)} (since 2026-11-20T08:00:00.000Z), not ${commit}`) }]);
  });

  it("stays closed when DEV's state is unknown, with the history's reason", async () => {
    const r = await promotionGate(input({ dev: { reason: "its last update (2026-11-21T00:00:00.000Z) failed" } }));
    expect(r.open).toBe(false);
    expect(r.checks[0].message).toBe(`DEV's state is not known to run ${commit}: its last update (2026-11-21T00:00:00.000Z) failed`);
  });

  it("stays closed before the window has passed, and says when it opens", async () => {
    const r = await promotionGate(input({ now: new Date("2026-11-21T05:00:00.000Z"), windowHours: 24 }));
    expect(r.open).toBe(false);
    expect(r.checks.at(-1)).toEqual({ name: "window", ok: false, message: `DEV has run ${commit} for 21.0 h; the promotion window is 24 h: promote after 2026-11-21T08:00:00.000Z` });
  });

  it("opens exactly at the end of the window", async () => {
    const at = new Date(since.getTime() + 24 * 3600_000);
    const q: Query = async (promql) => (promql.startsWith("max by (alertname)") ? [] : promql.includes("count_over_time") ? [{ metric: { service: "glance" }, value: 1440 }] : [{ metric: { service: "glance" }, value: 1 }]);
    expect((await promotionGate(input({ now: at, query: q }))).open).toBe(true);
  });

  it("stays closed when a critical alert fired, naming it", async () => {
    const r = await promotionGate(input({ query: fakePrometheus({ ...healthy, alerts: [{ metric: { alertname: "ServiceDown" }, value: 1 }, { metric: { alertname: "BackupFailed" }, value: 1 }] }) }));
    expect(r.open).toBe(false);
    expect(r.checks.find((c) => c.name === "alerts")).toEqual({ name: "alerts", ok: false, message: "critical alert(s) fired on DEV since 2026-11-20T08:00:00.000Z: BackupFailed, ServiceDown" });
  });

  it("stays closed when a probe failed, naming the service", async () => {
    const r = await promotionGate(input({ query: fakePrometheus({ ...healthy, failures: [{ metric: { service: "glance" }, value: 1 }, { metric: { service: "adguard" }, value: 0 }] }) }));
    expect(r.open).toBe(false);
    expect(r.checks.find((c) => c.name === "probes")?.message).toBe("probe(s) of adguard failed on DEV since 2026-11-20T08:00:00.000Z");
  });

  it("stays closed without probe results", async () => {
    const r = await promotionGate(input({ query: fakePrometheus({ alerts: [], failures: [], counts: [] }) }));
    expect(r.open).toBe(false);
    expect(r.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(["probes", "coverage"]);
    expect(r.checks.find((c) => c.name === "probes")?.message).toContain("no probe results from DEV");
  });

  it("stays closed when the probes' results do not cover the window", async () => {
    // 1560 results are expected in 26 h at one a minute; 90 % is 1404.
    const r = await promotionGate(input({ query: fakePrometheus({ ...healthy, counts: [{ metric: { service: "glance" }, value: 1404 }, { metric: { service: "adguard" }, value: 1403 }] }) }));
    expect(r.open).toBe(false);
    expect(r.checks.find((c) => c.name === "coverage")?.message).toBe("probe results of adguard cover less than 90 % of the 26.0 h (fewest: 1403 of 1560): DEV was not watched all that time");
  });

  it("stays closed when Prometheus cannot answer", async () => {
    const r = await promotionGate(input({ query: async () => Promise.reject(new Error("http://127.0.0.1:1: connect ECONNREFUSED")) }));
    expect(r.open).toBe(false);
    expect(r.checks.at(-1)).toEqual({ name: "alerts", ok: false, message: "cannot ask Prometheus whether DEV was healthy: http://127.0.0.1:1: connect ECONNREFUSED" });
    expect(describeGate(commit, r)).toMatch(/CLOSED\n.*ok {3}deployed[\s\S]*FAIL alerts/);
  });
});

describe("npm run gate arguments", () => {
  it("takes the commit, the history file and Prometheus' address", () => {
    expect(parseGateArgs(["--commit", commit, "--history", "h.json", "--prometheus", "http://127.0.0.1:9090"], {})).toEqual({ commit, historyFile: "h.json", prometheus: "http://127.0.0.1:9090" });
  });

  it("asks prod's Prometheus in the cluster unless told otherwise", () => {
    expect(parseGateArgs(["--commit", commit], {}).prometheus).toBe(prometheusInClusterUrl);
    expect(parseGateArgs(["--commit", commit], { HOMELAB_PROMETHEUS_URL: "http://prometheus.lan:9090" }).prometheus).toBe("http://prometheus.lan:9090");
  });

  it.each([
    [[], "--commit (missing): expected a full 40-hex-digit commit"],
    [["--commit", "abc123"], "--commit abc123: expected a full 40-hex-digit commit"],
    [["--commit", commit, "--history"], "--history: expected a value"],
    [["--commit", commit, "--window", "3"], "unknown option --window"],
    [["--commit", commit, "--prometheus", "prometheus:9090"], "--prometheus prometheus:9090: expected an http(s):// URL"],
  ])("refuses %j", (argv, message) => {
    expect(() => parseGateArgs(argv, {})).toThrow(message);
  });
});
