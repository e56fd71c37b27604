// Grafana's dashboards as the prod cluster's Grafana loads them: valid JSON,
// one UID each, every panel on a provisioned datasource (dashboardProblems),
// and every PromQL query parsed by promtool, which reads them as recording
// rules; their LogQL queries by logql-check (verify/logql.ts). Both
// checks are shown failing on broken dashboards.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse, stringify } from "yaml";
import { dashboardProblems, promqlOfJson } from "../components/monitoring/dashboards";

export interface DashboardResult {
  tool: string;
  artifact: string;
  ok: boolean;
  message: string;
}

type Json = Record<string, unknown>;

/** Runs promtool on the queries as recording rules: undefined when all parse, else promtool's words. */
function promtoolParses(promtool: string, queries: { expr: string }[]): string | undefined {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-dashboards-"));
  try {
    const file = path.join(dir, "queries.yaml");
    fs.writeFileSync(file, stringify({ groups: [{ name: "dashboards", rules: queries.map((q, i) => ({ record: `homelab:dashboard_query_${i}`, expr: q.expr })) }] }));
    const r = spawnSync(promtool, ["check", "rules", file], { encoding: "utf8", timeout: 60_000 });
    return r.status === 0 ? undefined : `${r.stdout}${r.stderr}`.replace(/\s+/g, " ").trim();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function dashboardChecks(promtool: string, dir: string, rel: (p: string) => string): DashboardResult[] {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith(".json")).sort();
  const texts = Object.fromEntries(files.map((f) => [f, fs.readFileSync(path.join(dir, f), "utf8")]));
  const sources = ((parse(fs.readFileSync(path.join(dir, "datasources.yaml"), "utf8")) as { datasources: { uid: string }[] }).datasources ?? []).map((d) => ({ uid: d.uid }));
  const problems = dashboardProblems(texts, sources);
  const queries = promqlOfJson(texts);
  const parsed = promtoolParses(promtool, queries);
  const results: DashboardResult[] = [
    { tool: "dashboards", artifact: `${rel(dir)} (${files.length} dashboards: JSON, UIDs, datasources)`, ok: files.length > 0 && problems.length === 0, message: problems.length ? problems.join("; ") : files.length ? "ok" : "no dashboards" },
    { tool: "promtool", artifact: `${rel(dir)} (${queries.length} PromQL queries parse)`, ok: queries.length > 0 && parsed === undefined, message: parsed ?? (queries.length ? "ok" : "no queries") },
  ];
  // The same checks on broken copies: a UID twice and a datasource nobody provisions; a query that does not parse.
  const [first, second] = files;
  if (first && second) {
    const a = JSON.parse(texts[first]) as Json;
    const b = { ...(JSON.parse(texts[second]) as Json), uid: a.uid };
    const panels = (a.panels as Json[]).map((p, i) => (i === 0 ? { ...p, datasource: { type: "prometheus", uid: "thanos" } } : p));
    const broken = dashboardProblems({ [first]: JSON.stringify({ ...a, panels }), [second]: JSON.stringify(b) }, sources);
    results.push({ tool: "dashboards", artifact: "dashboards sharing a UID, a panel on a datasource nobody provisions", ok: broken.length >= 2, message: broken.length >= 2 ? `rejected as expected: ${broken.join("; ").slice(0, 200)}` : "accepted broken dashboards: this check cannot fail" });
  }
  const garbled = promtoolParses(promtool, [{ expr: "sum by (node (up)" }]);
  results.push({ tool: "promtool", artifact: "a dashboard query that does not parse", ok: garbled !== undefined, message: garbled ? `rejected as expected: ${garbled.slice(0, 160)}` : "accepted a broken query: this check cannot fail" });
  return results;
}
