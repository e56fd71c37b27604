// `npm run verify`: the real tools of each field check every document the
// plan generated under out/<stack>/, then prove each check can fail on a
// deliberately broken file in test/fixtures/broken/. One line per check, a
// total, and a non-zero exit on any failure or missing tool.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse, stringify } from "yaml";
import { stackKinds } from "../config/schema";
import { backupApiVersions, isBuiltIn, validateCustomResource } from "./crdModels";
import { ArtifactEntry, Check, kubernetesVersionFor, requiredTools, talosCommands } from "./checks";
import { DocCommand, documentedCommands } from "./docCommands";
import { checkGlancePage } from "./glancePage";
import { checkSquidProxy, parseSquidConf } from "./egressProxy";
import { checkBlueprintWithPyYaml } from "./authentikBlueprint";
import { committedConfig } from "../plan/stackFiles";
import { hostnameOf } from "../components/service/manifests";
import { catalog, entriesFor } from "../services";
import { alloyConfigCheck, alloyNegativeChecks } from "./alloyConfig";
import { restoreDrill } from "./backupDrill";
import { hostUnitChecks } from "./hostUnits";
import { HostBackupPlan } from "../components/hypervisor/hostBackup";
import { backupFolders } from "../services/library";
import { fakeCloudOutputs } from "../plan/stackFiles";
import { authentikRulesOnLines, backupRulesOnLines, dashboardLogqlCheck, logqlNegativeChecks, lokiRulesCheck } from "./logql";
import { dashboardChecks as grafanaDashboardChecks } from "./dashboards";
import { familyLinks } from "../services/glance";
import { groups } from "../components/identity/groups";
import { runSsoMatrix } from "./sso/matrix";
import { alertingEndToEnd, alertingFileChecks, alertingNegativeChecks, prometheusRuleCheck } from "./alerting";
import { promotionGateChecks } from "./promotionGate";
import { ruleGroups } from "../components/monitoring/alerts";
import { kubevirtApiVersions, kubevirtNegativeChecks, kubevirtSessionChecks } from "./kubevirt";
import { AlertRouting, alertmanagerConfig } from "../components/monitoring/alertmanager";

const root = path.resolve(__dirname, "..", "..");
const toolsBin = path.join(root, ".tools", "bin");
const outRoot = path.join(root, "out");
const fixtures = path.join(root, "test", "fixtures", "broken");
/** The repository's rules (defaults plus named allowances), never printing what was found. */
const gitleaksArgs = ["--config", path.join(root, ".gitleaks.toml"), "--no-banner", "--no-color", "--redact"];

interface Result {
  tool: string;
  artifact: string;
  ok: boolean;
  message: string;
}

const rel = (p: string) => path.relative(root, p);
// eslint-disable-next-line no-control-regex
const plain = (text: string) => text.replace(/\u001b\[[0-9;]*m/g, "");
const firstLines = (text: string, n = 3) => plain(text).trim().split("\n").filter(Boolean).slice(0, n).join(" | ");

function run(tool: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): { code: number; output: string } {
  const r = spawnSync(path.join(toolsBin, tool), args, { cwd: opts.cwd ?? root, env: { ...process.env, ...opts.env }, encoding: "utf8", timeout: 300_000 });
  return { code: r.status ?? 1, output: `${r.stdout ?? ""}${r.stderr ?? ""}${r.error ? String(r.error) : ""}` };
}

/** A check that must pass: the tool exits 0. */
function expectPass(check: Check): Result {
  const r = run(check.tool, check.args, { cwd: check.cwd, env: check.env });
  return { tool: check.tool, artifact: check.artifact, ok: r.code === 0, message: r.code === 0 ? "ok" : firstLines(r.output, 5) };
}

/** A check on a broken file: the tool must reject it. */
function expectReject(check: Check): Result {
  const r = run(check.tool, check.args, { cwd: check.cwd, env: check.env });
  return r.code !== 0
    ? { tool: check.tool, artifact: check.artifact, ok: true, message: `rejected as expected: ${firstLines(r.output, 2)}` }
    : { tool: check.tool, artifact: check.artifact, ok: false, message: "accepted a broken file: this check cannot fail" };
}

function readIndex(stack: string): ArtifactEntry[] {
  const file = path.join(outRoot, stack, "artifacts.json");
  if (!fs.existsSync(file)) throw new Error(`${rel(file)} is missing: run \`npm run plan\` first`);
  return JSON.parse(fs.readFileSync(file, "utf8")) as ArtifactEntry[];
}

function tmpDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `homelab-verify-${prefix}-`));
}

async function customResource(tool: string, file: string, mustFail: boolean): Promise<Result> {
  const obj = parse(fs.readFileSync(file, "utf8")) as { apiVersion: string; kind: string };
  const problem = await validateCustomResource(obj);
  if (mustFail) {
    return problem ? { tool, artifact: rel(file), ok: true, message: `rejected as expected: ${problem}` } : { tool, artifact: rel(file), ok: false, message: "accepted a broken file: this check cannot fail" };
  }
  return { tool, artifact: rel(file), ok: problem === undefined, message: problem ?? "ok" };
}

async function verifyStack(stack: (typeof stackKinds)[number], kubernetesVersions: string[]): Promise<Result[]> {
  const dir = path.join(outRoot, stack);
  const index = readIndex(stack);
  const results: Result[] = [];
  const file = (p: string) => path.join(dir, p);

  for (const a of index.filter((x) => x.kind === "omni-cluster-template")) {
    results.push(expectPass({ tool: "omnictl", artifact: rel(file(a.path)), args: ["cluster", "template", "validate", "-f", file(a.path)] }));
  }

  const byCluster = new Map<string, ArtifactEntry[]>();
  for (const a of index.filter((x) => x.kind === "talos-patch")) byCluster.set(a.meta?.cluster ?? stack, [...(byCluster.get(a.meta?.cluster ?? stack) ?? []), a]);
  for (const [cluster, patches] of byCluster) {
    const out = tmpDir(`talos-${cluster}`);
    const cmds = talosCommands(cluster, patches.map((p) => ({ file: file(p.path), meta: p.meta ?? {} })), out);
    const gen = run("talosctl", cmds.generate);
    if (gen.code !== 0) {
      results.push({ tool: "talosctl", artifact: `${rel(path.join(dir, "talos", cluster))} (gen config)`, ok: false, message: firstLines(gen.output, 5) });
      continue;
    }
    for (const v of cmds.validate) results.push(expectPass({ tool: "talosctl", artifact: `${rel(path.join(dir, "talos", cluster))} -> ${v.machine} (validate --mode ${v.mode})`, args: v.args }));
    fs.rmSync(out, { recursive: true, force: true });
  }

  for (const a of index.filter((x) => x.kind === "compose-project")) {
    results.push(expectPass({ tool: "compose-check", artifact: rel(path.dirname(file(a.path))), args: [path.dirname(file(a.path))] }));
  }

  for (const a of index.filter((x) => x.kind === "cloudflared-ingress")) results.push(...tunnelIngressChecks(file(a.path)));
  // Prod's Alloy probes nothing (its blackbox exporter does); the others probe every service they run.
  for (const a of index.filter((x) => x.kind === "alloy-config")) {
    // The management VM's Alloy probes nothing: its containers' health is in its own metrics.
    const probes = stack === "prod" || a.meta?.host ? [] : entriesFor(stack).map((e) => e.name);
    results.push(alloyConfigCheck(path.join(toolsBin, "alloy-syntax"), file(a.path), rel(file(a.path)), { probes }));
  }
  for (const a of index.filter((x) => x.kind === "loki-rules")) results.push(lokiRulesCheck(path.join(toolsBin, "logql-check"), file(a.path), rel(file(a.path))));
  const dashboardsIndex = index.find((x) => x.kind === "grafana-datasources");
  if (dashboardsIndex) {
    results.push(...grafanaDashboardChecks(path.join(toolsBin, "promtool"), path.dirname(file(dashboardsIndex.path)), rel));
    results.push(dashboardLogqlCheck(path.join(toolsBin, "logql-check"), path.dirname(file(dashboardsIndex.path)), rel));
  }
  for (const a of index.filter((x) => x.kind === "authentik-blueprint")) {
    const r = checkBlueprintWithPyYaml(fs.readFileSync(file(a.path), "utf8"));
    results.push({ tool: "pyyaml", artifact: rel(file(a.path)), ...r });
  }

  for (const a of index.filter((x) => x.kind === "restore-object")) results.push(expectPass({ tool: "backup-crds", artifact: rel(file(a.path)), args: [file(a.path)] }));
  const version = kubernetesVersionFor(index, kubernetesVersions);
  // KubeVirt's objects are read together: a VM's devices and disks are judged by what the others declare.
  const kubevirtFiles = index.filter((x) => x.kind === "kubernetes-object" && kubevirtApiVersions.includes(x.meta?.apiVersion ?? "")).map((a) => file(a.path));
  if (kubevirtFiles.length > 0) results.push(expectPass({ tool: "kubevirt-check", artifact: `${rel(dir)} (${kubevirtFiles.length} KubeVirt objects)`, args: kubevirtFiles }));
  for (const a of index.filter((x) => x.kind === "kubernetes-object")) {
    const apiVersion = a.meta?.apiVersion ?? "";
    if (kubevirtApiVersions.includes(apiVersion)) continue;
    if (isBuiltIn(apiVersion)) {
      results.push(expectPass({ tool: "kubectl-validate", artifact: `${rel(file(a.path))} (Kubernetes ${version})`, args: [file(a.path), "--version", version] }));
    } else if (backupApiVersions.includes(apiVersion)) {
      results.push(expectPass({ tool: "backup-crds", artifact: rel(file(a.path)), args: [file(a.path)] }));
    } else {
      results.push(await customResource("crd-schema", file(a.path), false));
    }
  }
  return results;
}

/** The KubeVirt session of the committed prod config, whichever consumer it names (the runbook's switch renders these). */
function kubevirtSession(kubernetesVersion: string): Result[] {
  const prod = committedConfig("prod");
  const dir = tmpDir("kubevirt");
  try {
    const { checks, talosPatch } = kubevirtSessionChecks(prod, dir, kubernetesVersion);
    const results = checks.map((c) => expectPass({ ...c, artifact: c.artifact.replace(dir, "(prod with KubeVirt)") }));
    const out = path.join(dir, "talos");
    const cmds = talosCommands("gpu-worker", [{ file: talosPatch, meta: { talos: prod.cluster.versions.talos, kubernetes: prod.cluster.versions.kubernetes, mode: "metal" } }], out);
    const gen = run("talosctl", cmds.generate);
    if (gen.code !== 0) results.push({ tool: "talosctl", artifact: "(prod with KubeVirt) gpu-worker patch (gen config)", ok: false, message: firstLines(gen.output, 5) });
    else for (const v of cmds.validate) results.push(expectPass({ tool: "talosctl", artifact: `(prod with KubeVirt) gpu-worker patch -> ${v.machine} (validate --mode ${v.mode})`, args: v.args }));
    return results;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The host's backups as the committed prod config has them (the cloud stack's bucket as the plan stands it in). */
function hostBackupPlanOfProd(): HostBackupPlan {
  const prod = committedConfig("prod");
  if (!prod.backup.host) throw new Error("Pulumi.prod.yaml: homelab:backup.host is missing (the config rules require it)");
  const { provider, endpoint, region, bucket } = fakeCloudOutputs.backupStore;
  return { pool: prod.hypervisor.zfs.pool, folders: backupFolders(catalog, prod.hypervisor.nfs.shares), localMount: prod.backup.host.localMount, store: { provider: provider as "oci", endpoint, region, bucket } };
}

function kubectlValidateVersions(): string[] {
  // kubectl-validate ships the schemas of recent Kubernetes releases; ask it which by trying from newest to oldest.
  const found: string[] = [];
  for (let minor = 40; minor >= 27; minor--) {
    const probe = run("kubectl-validate", [path.join(fixtures, "..", "valid", "configmap.yaml"), "--version", `1.${minor}`]);
    if (probe.code === 0) found.push(`1.${minor}`);
  }
  return found;
}

async function negativeChecks(kubernetesVersion: string): Promise<Result[]> {
  const results: Result[] = [];
  results.push(expectReject({ tool: "omnictl", artifact: rel(path.join(fixtures, "omni/cluster-template.yaml")), args: ["cluster", "template", "validate", "-f", path.join(fixtures, "omni/cluster-template.yaml")] }));
  const out = tmpDir("talos-broken");
  const cmds = talosCommands("broken", [{ file: path.join(fixtures, "talos/cluster-bad-field.yaml"), meta: { talos: "1.13.10", kubernetes: "1.36.3", mode: "metal" } }], out);
  const gen = run("talosctl", cmds.generate);
  const rejection = gen.code !== 0 ? gen.output : cmds.validate.map((v) => run("talosctl", v.args)).find((r) => r.code !== 0)?.output;
  results.push({
    tool: "talosctl",
    artifact: rel(path.join(fixtures, "talos/cluster-bad-field.yaml")),
    ok: rejection !== undefined,
    message: rejection !== undefined ? `rejected as expected: ${firstLines(rejection, 2)}` : "accepted a broken file: this check cannot fail",
  });
  fs.rmSync(out, { recursive: true, force: true });
  results.push(expectReject({ tool: "compose-check", artifact: rel(path.join(fixtures, "compose")), args: [path.join(fixtures, "compose")] }));
  results.push(...alloyNegativeChecks(path.join(toolsBin, "alloy-syntax")));
  results.push(...logqlNegativeChecks(path.join(toolsBin, "logql-check")), ...authentikRulesOnLines(path.join(toolsBin, "logql-check")), ...backupRulesOnLines(path.join(toolsBin, "logql-check")));
  results.push(...restoreDrill(toolsBin));
  const plan = hostBackupPlanOfProd();
  results.push(...hostUnitChecks(plan, plan.store));
  const badDeployment = path.join(fixtures, "kubernetes/deployment-bad-replicas.yaml");
  results.push(expectReject({ tool: "kubectl-validate", artifact: rel(badDeployment), args: [badDeployment, "--version", kubernetesVersion] }));
  results.push(await customResource("crd-schema", path.join(fixtures, "custom-resources/clustersecretstore-bad-ca-type.yaml"), true));
  for (const c of kubevirtNegativeChecks(fixtures)) results.push(expectReject({ ...c, artifact: rel(c.artifact) }));
  for (const broken of fs.readdirSync(path.join(fixtures, "backup")).sort()) {
    const f = path.join(fixtures, "backup", broken);
    results.push(expectReject({ tool: "backup-crds", artifact: rel(f), args: [f] }));
  }
  results.push(mustRefuse("omnictl cluster frobnicate dev"), mustRefuse("omnictl download oracle --no-such-flag"), mustRefuse("restic restore latest --no-such-flag"));
  // A leaked token, written at run time so the repository itself never holds one.
  const leakDir = tmpDir("leak");
  fs.writeFileSync(path.join(leakDir, "deploy.env"), `GITHUB_TOKEN=${["ghp", "_", "Zx8KqT3vLm9RwY2pBn6JdF4hGs7CeU1aVo5N"].join("")}\n`);
  results.push(expectReject({ tool: "gitleaks", artifact: "a token written to a temporary file", args: ["dir", leakDir, ...gitleaksArgs] }));
  fs.rmSync(leakDir, { recursive: true, force: true });
  const badWorkflow = path.join(fixtures, "workflows/broken.yaml");
  results.push(expectReject({ tool: "actionlint", artifact: rel(badWorkflow), args: ["-no-color", badWorkflow] }));
  const badTunnel = path.join(fixtures, "cloudflared/config.yaml");
  results.push(expectReject({ tool: "cloudflared", artifact: rel(badTunnel), args: ["tunnel", "--config", badTunnel, "ingress", "validate"] }));
  // The same blueprint written as YAML 1.2 (the yaml package's default): PyYAML must read `on` differently.
  const yaml12 = stringify({ version: 1, metadata: { name: "t" }, entries: [{ model: "authentik_core.group", identifiers: { name: "on" } }] });
  const bad = checkBlueprintWithPyYaml(yaml12);
  results.push({ tool: "pyyaml", artifact: "a blueprint written as YAML 1.2", ok: !bad.ok, message: bad.ok ? "accepted a YAML 1.2 rendering: this check cannot fail" : `rejected as expected: ${bad.message}` });
  const badSquid = parseSquidConf(path.join(fixtures, "squid/squid.conf"));
  results.push({ tool: "squid", artifact: rel(badSquid.artifact), ok: !badSquid.ok, message: badSquid.ok ? "accepted a broken file: this check cannot fail" : `rejected as expected: ${badSquid.message}` });
  return results;
}

/**
 * A documented omnictl, talosctl or restic command, parsed by the real tool: it runs
 * with --help, which checks the sub-command path and every flag without
 * reaching a server. A path that ends on a command with sub-commands while
 * words are left over is an unknown sub-command.
 */
function fieldCommand(c: DocCommand): Result {
  const [tool, ...args] = c.argv;
  const artifact = `${c.file}:${c.line} \`${c.text}\``;
  const r = run(tool, [...args, "--help"]);
  if (r.code !== 0) return { tool, artifact, ok: false, message: firstLines(r.output, 3) };
  const usage = /Usage:\n\s+(.*)/.exec(plain(r.output))?.[1] ?? "";
  // The command cobra resolved: the longest run of the given words its usage line starts with.
  const words = args.filter((a) => !a.startsWith("-"));
  let depth = 0;
  while (depth < words.length && `${usage} `.startsWith(`${[tool, ...words.slice(0, depth + 1)].join(" ")} `)) depth++;
  const resolved = [tool, ...words.slice(0, depth)].join(" ");
  // Words left over on a command that has sub-commands name one that does not exist.
  if (!usage.startsWith(tool) || (/Available Commands:/.test(r.output) && depth < words.length)) return { tool, artifact, ok: false, message: `resolves to \`${resolved}\`: unknown sub-command` };
  const first = firstLines(r.output, 1);
  return { tool, artifact, ok: true, message: /deprecated/i.test(first) ? `ok (${first})` : "ok" };
}

/** Every omnictl, talosctl and restic command of the README and docs/ (run with sudo or not). */
const fieldTools = ["omnictl", "talosctl", "restic"];
const documentedFieldCommands = (): Result[] =>
  documentedCommands(root)
    .map((c) => (c.argv[0] === "sudo" ? { ...c, argv: c.argv.slice(1) } : c))
    .filter((c) => fieldTools.includes(c.argv[0]))
    .map(fieldCommand);

/** A made-up command must be refused, or the check above cannot fail. */
function mustRefuse(text: string): Result {
  const r = fieldCommand({ file: "made up", line: 0, text, argv: text.split(" "), source: "block", metavariables: [] });
  return r.ok ? { ...r, ok: false, message: "accepted a made-up command: this check cannot fail" } : { ...r, ok: true, message: `rejected as expected: ${r.message}` };
}

/** The egress proxy's configuration a stack generates, parsed by Squid. */
function egressProxyConfigs(stack: (typeof stackKinds)[number]): Result[] {
  return readIndex(stack)
    .filter((a) => a.kind === "squid-config")
    .map((a) => {
      const r = parseSquidConf(path.join(outRoot, stack, a.path));
      return { tool: "squid", artifact: rel(r.artifact), ok: r.ok, message: r.message };
    });
}

/** The family dashboard a stack generates, served by Glance and opened in Chromium. */
async function dashboardChecks(stack: (typeof stackKinds)[number]): Promise<Result[]> {
  const entry = readIndex(stack).find((a) => a.kind === "glance-config");
  if (!entry) return [];
  const config = path.join(outRoot, stack, entry.path);
  const domain = committedConfig(stack).services.domain;
  const present = familyLinks(catalog, domain).flatMap((g) => g.links.map((l) => l.url));
  const absent = catalog.filter((e) => e.auth === "admin").flatMap((e) => (hostnameOf(e, domain) ? [`https://${hostnameOf(e, domain)}`] : []));
  const r = await checkGlancePage(path.join(toolsBin, "glance"), config, { present, absent }, path.join(path.dirname(config), "glance.png"));
  const results = [{ tool: "glance+chromium", artifact: rel(config), ok: r.ok, message: r.ok ? `ok: ${r.message}` : r.message }];
  // The same page with an admin app's link slipped in must fail: the check can fail.
  const leaky = parse(fs.readFileSync(config, "utf8")) as { pages: { columns: { widgets: { type: string; groups?: { links: object[] }[] }[] }[] }[] };
  const bookmarks = leaky.pages[0].columns.flatMap((c) => c.widgets).find((w) => w.type === "bookmarks");
  bookmarks?.groups?.[0].links.push({ title: "Admin", url: absent[0] });
  const dir = tmpDir("glance");
  fs.writeFileSync(path.join(dir, "glance.yml"), stringify(leaky));
  const bad = await checkGlancePage(path.join(toolsBin, "glance"), path.join(dir, "glance.yml"), { present, absent }, path.join(dir, "glance.png"));
  results.push(
    bad.ok
      ? { tool: "glance+chromium", artifact: "the page with an admin link added", ok: false, message: "accepted an admin app on the family page: this check cannot fail" }
      : { tool: "glance+chromium", artifact: "the page with an admin link added", ok: true, message: `rejected as expected: ${bad.message}` },
  );
  return results;
}

/**
 * A tunnel's ingress, by cloudflared itself: the rules validate (a catch-all
 * last), and each hostname's URL matches its own rule, never the catch-all;
 * a hostname the tunnel does not carry gets the catch-all's 404.
 */
function tunnelIngressChecks(file: string): Result[] {
  const rules = (parse(fs.readFileSync(file, "utf8")) as { ingress: { hostname?: string; service: string }[] }).ingress;
  const results = [expectPass({ tool: "cloudflared", artifact: `${rel(file)} (ingress validate)`, args: ["tunnel", "--config", file, "ingress", "validate"] })];
  const matched = (url: string) => {
    const r = run("cloudflared", ["tunnel", "--config", file, "ingress", "rule", url]);
    return { code: r.code, rule: /Matched rule #(\d+)/.exec(r.output)?.[1], output: r.output };
  };
  rules.forEach((rule, i) => {
    if (!rule.hostname) return;
    const m = matched(`https://${rule.hostname}/some/path`);
    const ok = m.code === 0 && m.rule === String(i);
    results.push({ tool: "cloudflared", artifact: `${rel(file)}: https://${rule.hostname}/`, ok, message: ok ? "ok" : `matched rule #${m.rule ?? "none"}, expected #${i} (${rule.service}): ${firstLines(m.output, 2)}` });
  });
  const stray = matched("https://not-published.invalid/");
  const catchAll = String(rules.length - 1);
  results.push({
    tool: "cloudflared",
    artifact: `${rel(file)}: a hostname it does not carry`,
    ok: stray.code === 0 && stray.rule === catchAll && rules[rules.length - 1].service === "http_status:404",
    message: stray.rule === catchAll ? "ok: the catch-all answers 404" : `matched rule #${stray.rule ?? "none"}, expected the catch-all #${catchAll}`,
  });
  return results;
}

/**
 * The SSO access matrix with the real oauth2-proxy and an OIDC issuer: 0 wrong
 * answers with the gates the program renders, and wrong answers with each
 * kind of broken gate (or the check could not fail). Prints the table.
 */
async function ssoMatrixChecks(): Promise<Result[]> {
  const domain = committedConfig("cloud").services.domain;
  const bin = path.join(toolsBin, "oauth2-proxy");
  const real = await runSsoMatrix(bin, catalog, domain);
  console.log(`SSO access matrix (${domain}; login = sent to the sign-in form, ✗ = wrong answer, ≠ what the catalog says):`);
  for (const line of real.lines) console.log(`  ${line}`);
  console.log("");
  const results: Result[] = [
    {
      tool: "oauth2-proxy",
      artifact: "SSO access matrix (every tunnel hostname, path and user)",
      ok: !real.error && real.asked > 0 && real.wrong === 0,
      message: real.error ?? `${real.asked} answers, ${real.wrong} wrong`,
    },
  ];
  const broken: [string, Parameters<typeof runSsoMatrix>[3]][] = [
    ["an admin gate that also admits family-validated", (gates) => gates.map((g) => (g.allowedGroups.join() === groups.admin ? { ...g, allowedGroups: [groups.family, groups.admin] } : g))],
    ["a bypass path widened to the whole host", (gates) => gates.map((g) => (g.bypass.length > 0 ? { ...g, bypass: ["/"] } : g))],
    ["a declared bypass path left out", (gates) => gates.map((g) => ({ ...g, bypass: g.bypass.slice(1) }))],
  ];
  for (const [what, breakGates] of broken) {
    const r = await runSsoMatrix(bin, catalog, domain, breakGates);
    results.push(
      r.error || r.wrong === 0
        ? { tool: "oauth2-proxy", artifact: `the matrix with ${what}`, ok: false, message: r.error ?? "no wrong answer: this check cannot fail" }
        : { tool: "oauth2-proxy", artifact: `the matrix with ${what}`, ok: true, message: `rejected as expected: ${r.wrong} of ${r.asked} answers wrong` },
    );
  }
  return results;
}

/**
 * Alerting: promtool and amtool on prod's generated rules and routing, then
 * the end-to-end run with Prometheus and Alertmanager, and the same run with
 * Telegram left out of the critical receiver, which must fail.
 */
async function alertingChecks(): Promise<Result[]> {
  const dir = path.join(outRoot, "prod", "monitoring");
  if (!fs.existsSync(dir)) return [{ tool: "promtool", artifact: rel(dir), ok: false, message: "missing: run `npm run plan` first" }];
  const groups = ruleGroups(catalog);
  const results: Result[] = [...alertingFileChecks(toolsBin, dir, groups, rel), ...alertingNegativeChecks(toolsBin, dir), ...(await prometheusRuleCheck(dir, rel))];
  const prod = committedConfig("prod");
  const chatId = prod.monitoring.telegramChatId;
  const real = await alertingEndToEnd(toolsBin, groups, chatId);
  console.log(`Alerting end to end (Prometheus and Alertmanager on loopback): ${real.message}`);
  results.push({ tool: "alertmanager", artifact: "end to end: a failing disk (critical) and a stale restore drill (warning)", ok: real.ok, message: real.message });
  const noTelegram = (r: AlertRouting) => {
    const config = alertmanagerConfig(r) as { receivers: { name: string; telegram_configs?: unknown }[] };
    return { ...config, receivers: config.receivers.map(({ telegram_configs: _dropped, ...rest }) => rest) };
  };
  const broken = await alertingEndToEnd(toolsBin, groups, chatId, noTelegram, 90);
  results.push(
    broken.ok
      ? { tool: "alertmanager", artifact: "end to end with Telegram left out of the critical receiver", ok: false, message: "delivered as if nothing were missing: this check cannot fail" }
      : { tool: "alertmanager", artifact: "end to end with Telegram left out of the critical receiver", ok: true, message: `rejected as expected: ${broken.message}` },
  );
  return results;
}

async function main(): Promise<number> {
  const missing = requiredTools.filter((t) => !fs.existsSync(path.join(toolsBin, t)));
  if (missing.length > 0) {
    const go = spawnSync("go", ["version"], { encoding: "utf8" });
    console.error(`verify: missing tools in ${rel(toolsBin)}: ${missing.join(", ")}`);
    console.error(
      go.status === 0
        ? "Build them with `npm run tools` (Go builds them from the versions pinned in tools/*/go.mod through the Go module proxy)."
        : "Go is not installed: install Go 1.26 or newer (https://go.dev/dl/), then run `npm run tools`.",
    );
    return 1;
  }
  const versions = kubectlValidateVersions();
  if (versions.length === 0) {
    console.error("verify: kubectl-validate knows no Kubernetes version between 1.27 and 1.40");
    return 1;
  }
  const results: Result[] = [];
  for (const stack of stackKinds) results.push(...(await verifyStack(stack, versions)));
  results.push(expectPass({ tool: "gitleaks", artifact: "repository (committed history)", args: ["git", root, ...gitleaksArgs] }));
  results.push(expectPass({ tool: "gitleaks", artifact: rel(outRoot), args: ["dir", outRoot, ...gitleaksArgs] }));
  const workflows = path.join(root, ".github", "workflows");
  if (fs.existsSync(workflows)) results.push(expectPass({ tool: "actionlint", artifact: rel(workflows), args: [], cwd: root }));
  else results.push({ tool: "actionlint", artifact: ".github/workflows", ok: true, message: "skipped: no workflows in the repository yet" });
  for (const stack of stackKinds) results.push(...(await dashboardChecks(stack)));
  for (const stack of stackKinds) results.push(...egressProxyConfigs(stack));
  results.push(...(await checkSquidProxy()).map((r) => ({ tool: "squid", ...r })));
  results.push(...(await ssoMatrixChecks()));
  results.push(...(await alertingChecks()));
  results.push(...(await promotionGateChecks(toolsBin, root)));
  results.push(...documentedFieldCommands());
  results.push(...kubevirtSession(versions[0]));
  results.push(...(await negativeChecks(versions[0])));

  for (const r of results) console.log(`${r.ok ? "ok    " : "FAILED"} ${r.tool.padEnd(16)} ${r.artifact}${r.message === "ok" ? "" : `: ${r.message}`}`);
  const failed = results.filter((r) => !r.ok).length;
  console.log(`\n${results.length} checks, ${results.length - failed} ok, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`verify: ${err instanceof Error ? err.message : err}`);
    process.exit(1);
  },
);
