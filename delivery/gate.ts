// The promotion gate (US-007): a commit goes to PROD only after it has run
// on DEV for the whole promotion window and DEV stayed healthy all that time,
// as prod's Prometheus saw it (DEV ships its metrics and probe results there):
// no critical alert fired, every service probe answered, and the probes'
// results cover the window (no results is no evidence). Each check says in
// one line why it passed or failed.
import { Deployment } from "./history";

/** One instant-query result: the series' labels and its value. */
export interface Sample {
  metric: Record<string, string>;
  value: number;
}

/** Runs an instant PromQL query at a time; rejects when Prometheus cannot answer. */
export type Query = (promql: string, at: Date) => Promise<Sample[]>;

export interface GateInput {
  /** The commit to promote. */
  commit: string;
  /** What DEV runs, from its stack history, or why that is not known. */
  dev: { deployment?: Deployment; reason?: string };
  now: Date;
  /** How long DEV must have run the commit, in hours (the prod stack's delivery.promotionWindowHours). */
  windowHours: number;
  query: Query;
  /** How often each service is probed, in seconds: what a full window of results counts. */
  probeIntervalSeconds: number;
}

export interface GateCheck {
  name: "deployed" | "window" | "alerts" | "probes" | "coverage";
  ok: boolean;
  message: string;
}

export interface GateResult {
  open: boolean;
  checks: GateCheck[];
}

/** The series that belong to DEV: the clusters' series carry `cluster`, the stack-wide ones `stack`. */
export const devSelectors = ['cluster="dev"', 'stack="dev"'] as const;
/** The fraction of a window's probe results that must be there. */
export const minimumCoverage = 0.9;

const hours = (ms: number) => (ms / 3_600_000).toFixed(1);

/** A PromQL range covering the window: whole seconds, rounded up. */
const rangeOf = (seconds: number) => `${Math.ceil(seconds)}s`;

/** Critical alerts that fired on DEV during the last `seconds`, one series per alert name. */
export function criticalAlertsQuery(seconds: number): string {
  const r = rangeOf(seconds);
  const each = devSelectors.map((s) => `max_over_time(ALERTS{alertstate="firing",severity="critical",${s}}[${r}])`);
  return `max by (alertname) (${each.join(" or ")})`;
}

/** Each DEV service probe's worst result during the last `seconds` (0 when it failed once). */
export const probeFailuresQuery = (seconds: number) => `min by (service) (min_over_time(probe_success{job="services",cluster="dev"}[${rangeOf(seconds)}]))`;

/** How many results each DEV service probe has during the last `seconds`. */
export const probeCountQuery = (seconds: number) => `min by (service) (count_over_time(probe_success{job="services",cluster="dev"}[${rangeOf(seconds)}]))`;

const names = (samples: Sample[], label: string) => samples.map((s) => s.metric[label] ?? "(unnamed)").sort().join(", ");

/** The gate's verdict: open only when every check passes. */
export async function promotionGate(input: GateInput): Promise<GateResult> {
  const { commit, dev, now, windowHours, query } = input;
  const checks: GateCheck[] = [];
  const done = (): GateResult => ({ open: checks.length === 5 && checks.every((c) => c.ok), checks });

  const d = dev.deployment;
  if (!d) {
    checks.push({ name: "deployed", ok: false, message: `DEV's state is not known to run ${commit}: ${dev.reason ?? "no deployment"}` });
    return done();
  }
  if (d.commit !== commit) {
    checks.push({ name: "deployed", ok: false, message: `DEV runs ${d.commit} (since ${d.since.toISOString()}), not ${commit}: deploy it to DEV first (deploy-dev), or promote what DEV runs` });
    return done();
  }
  checks.push({ name: "deployed", ok: true, message: `DEV runs ${commit} since ${d.since.toISOString()}` });

  const ranMs = now.getTime() - d.since.getTime();
  const windowMs = windowHours * 3_600_000;
  if (ranMs < windowMs) {
    const after = new Date(d.since.getTime() + windowMs).toISOString();
    checks.push({ name: "window", ok: false, message: `DEV has run ${commit} for ${hours(ranMs)} h; the promotion window is ${windowHours} h: promote after ${after}` });
    return done();
  }
  checks.push({ name: "window", ok: true, message: `DEV has run it for ${hours(ranMs)} h (window ${windowHours} h)` });

  // The whole time DEV has run the commit, not only the last window: an alert at hour 2 of 30 counts.
  const seconds = ranMs / 1000;
  let alerts: Sample[], failures: Sample[], counts: Sample[];
  try {
    [alerts, failures, counts] = await Promise.all([query(criticalAlertsQuery(seconds), now), query(probeFailuresQuery(seconds), now), query(probeCountQuery(seconds), now)]);
  } catch (err) {
    checks.push({ name: "alerts", ok: false, message: `cannot ask Prometheus whether DEV was healthy: ${(err as Error).message}` });
    return done();
  }

  const fired = alerts.filter((s) => s.value > 0);
  checks.push(
    fired.length === 0
      ? { name: "alerts", ok: true, message: "no critical alert fired on DEV" }
      : { name: "alerts", ok: false, message: `critical alert(s) fired on DEV since ${d.since.toISOString()}: ${names(fired, "alertname")}` },
  );

  const failed = failures.filter((s) => s.value < 1);
  if (failures.length === 0) {
    checks.push({ name: "probes", ok: false, message: "no probe results from DEV since it runs this commit: Prometheus cannot vouch for it (is DEV shipping its metrics to prod?)" });
  } else {
    checks.push(
      failed.length === 0
        ? { name: "probes", ok: true, message: `every probe answered (${failures.length} services)` }
        : { name: "probes", ok: false, message: `probe(s) of ${names(failed, "service")} failed on DEV since ${d.since.toISOString()}` },
    );
  }

  const expected = Math.floor(seconds / input.probeIntervalSeconds);
  const thin = counts.filter((s) => s.value < minimumCoverage * expected);
  if (counts.length === 0) {
    checks.push({ name: "coverage", ok: false, message: "no probe results to count" });
  } else {
    checks.push(
      thin.length === 0
        ? { name: "coverage", ok: true, message: `probe results cover the window (at least ${Math.round(minimumCoverage * 100)} % of ${expected} per service)` }
        : { name: "coverage", ok: false, message: `probe results of ${names(thin, "service")} cover less than ${Math.round(minimumCoverage * 100)} % of the ${hours(ranMs)} h (fewest: ${Math.min(...thin.map((s) => s.value))} of ${expected}): DEV was not watched all that time` },
    );
  }
  return done();
}

/** The gate's report, one line per check. */
export function describeGate(commit: string, r: GateResult): string {
  const lines = r.checks.map((c) => `  ${c.ok ? "ok  " : "FAIL"} ${c.name.padEnd(8)} ${c.message}`);
  return [`promotion gate for ${commit}: ${r.open ? "OPEN" : "CLOSED"}`, ...lines].join("\n");
}
