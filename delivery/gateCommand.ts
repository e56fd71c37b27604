// `npm run delivery -- gate --commit <sha> [--history <file>] [--prometheus <url>]`:
// the promotion gate as the promote-prod workflow runs it. DEV's history comes
// from `pulumi stack history --stack dev --json` (or a file of it), the
// window from the prod stack's committed config, the verdict from prod's
// Prometheus. Exits 0 when the gate is open, 1 when closed, 2 on bad usage.
import { spawnSync } from "child_process";
import * as fs from "fs";
import { committedConfig, projectRoot } from "../plan/stackFiles";
import { probeInterval } from "../components/monitoring/probes";
import { prometheusInClusterUrl } from "../components/monitoring/metrics";
import { describeGate, promotionGate } from "./gate";
import { currentDeployment, parseHistory } from "./history";
import { prometheusQuery } from "./prometheus";
import { UsageError, option } from "./usage";

export interface GateArgs {
  commit: string;
  historyFile?: string;
  prometheus: string;
}

export function parseGateArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): GateArgs {
  const value = (flag: string) => option(argv, flag);
  const known = new Set(["--commit", "--history", "--prometheus"]);
  const unknown = argv.filter((a, i) => a.startsWith("--") && !known.has(a) && !known.has(argv[i - 1]));
  if (unknown.length > 0) throw new UsageError(`unknown option ${unknown[0]}: expected --commit <sha>, --history <file>, --prometheus <url>`);
  const commit = value("--commit");
  if (!commit || !/^[0-9a-f]{40}$/.test(commit)) throw new UsageError(`--commit ${commit ?? "(missing)"}: expected a full 40-hex-digit commit, e.g. npm run delivery -- gate --commit $(git rev-parse HEAD)`);
  const prometheus = value("--prometheus") ?? env.HOMELAB_PROMETHEUS_URL ?? prometheusInClusterUrl;
  if (!/^https?:\/\/[^\s/]+/.test(prometheus)) throw new UsageError(`--prometheus ${prometheus}: expected an http(s):// URL`);
  return { commit, historyFile: value("--history"), prometheus };
}

/** A stack's history, from a file or the Pulumi CLI. */
export function stackHistory(stack: string, file?: string): string {
  if (file) return fs.readFileSync(file, "utf8");
  const r = spawnSync(process.env.PULUMI ?? "pulumi", ["stack", "history", "--stack", stack, "--json", "--page-size", "100"], { cwd: projectRoot, encoding: "utf8" });
  if (r.error || r.status !== 0) throw new Error(`pulumi stack history --stack ${stack}: ${r.error?.message ?? r.stderr.trim()}`);
  return r.stdout;
}

const seconds = (interval: string) => {
  const m = /^(\d+)s$/.exec(interval);
  if (!m) throw new Error(`probe interval ${interval}: expected seconds like 60s`);
  return Number(m[1]);
};

export async function runGate(args: GateArgs, now = new Date()): Promise<number> {
  const prod = committedConfig("prod");
  const dev = currentDeployment(parseHistory(stackHistory("dev", args.historyFile)));
  const result = await promotionGate({
    commit: args.commit,
    dev,
    now,
    windowHours: prod.delivery.promotionWindowHours,
    query: prometheusQuery(args.prometheus),
    probeIntervalSeconds: seconds(probeInterval),
  });
  console.log(describeGate(args.commit, result));
  return result.open ? 0 : 1;
}
