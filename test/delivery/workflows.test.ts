// The workflows run the README's and .ci/run's own commands, not a second,
// drifting copy of the pipeline; every action is pinned by commit; every
// deploy goes through `npm run up`/`preview` (the policy pack and its config)
// in the README's order.
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { commands as deliveryCommands } from "../../delivery/cli";
import { dispatchEventType } from "../../components/identity/provisioning";
import { parseDeployArgs, pulumiArgs } from "../../plan/deploy";

const root = path.join(__dirname, "..", "..");
const dir = path.join(root, ".github", "workflows");
const read = (f: string) => fs.readFileSync(path.join(root, f), "utf8");

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface Job {
  "runs-on": unknown;
  steps: Step[];
  environment?: string;
  strategy?: { matrix?: { include?: Record<string, string>[] } };
}
type Workflow = { on: unknown; jobs: Record<string, Job> };

const workflows: Record<string, Workflow> = Object.fromEntries(
  fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".yml"))
    .map((f) => [f, parse(fs.readFileSync(path.join(dir, f), "utf8")) as Workflow]),
);
const steps = (w: string, job: string) => workflows[w].jobs[job].steps;
/** Every shell line the workflows run, continuation-free, with its workflow. */
const allLines = Object.entries(workflows).flatMap(([w, wf]) =>
  Object.values(wf.jobs).flatMap((j) => j.steps.flatMap((s) => (s.run ?? "").split("\n").map((l) => ({ w, line: l.trim() })).filter((x) => x.line && !x.line.startsWith("#")))),
);
const runs = (w: string, job: string) => steps(w, job).filter((s) => s.run).map((s) => s.run!.trim());

/** .ci/run's commands, in order. */
const ciRun = read(".ci/run")
  .split("\n")
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith("#") && !/^(set|cd|echo) /.test(l));

describe("the workflows", () => {
  it("are the six of the delivery path and account provisioning", () => {
    expect(Object.keys(workflows).sort()).toEqual(["ci.yml", "deploy-dev.yml", "drift.yml", "preview.yml", "promote-prod.yml", "provision.yml", "rollback.yml"]);
  });

  it("provision.yml answers Authentik's dispatch and hands the command the secrets it reads, the payload never pasted into a script", () => {
    expect(workflows["provision.yml"].on).toEqual({ repository_dispatch: { types: [dispatchEventType] }, workflow_dispatch: null });
    const step = steps("provision.yml", "provision").find((s) => s.run?.includes("delivery -- provision"))!;
    const env = (step as Step & { env: Record<string, string> }).env;
    expect(Object.keys(env).sort()).toEqual(["AUTHENTIK_TOKEN", "PROVISIONING_PASSWORD_KEY", "PROVISIONING_WEBHOOK_SECRET"]);
    for (const [k, v] of Object.entries(env)) expect(v).toBe(`\${{ secrets.${k} }}`);
    const command = fs.readFileSync(path.join(root, "delivery", "provision", "command.ts"), "utf8");
    for (const k of Object.keys(env)) expect(command).toContain(`env.${k}`);
    expect(read(".github/workflows/provision.yml")).not.toContain("github.event.client_payload");
  });

  it("CI's test job runs .ci/run's commands in .ci/run's order, and its lint job the rest", () => {
    const test = runs("ci.yml", "test").map((c) => c.replace(/^sudo /, ""));
    const lint = runs("ci.yml", "yamllint").map((c) => c.replace(/^sudo /, ""));
    expect(ciRun).toEqual(["bash .ci/debian-packages", "npm ci --no-audit --no-fund", "npm test", "npm run plan", "npm run tools", "npm run verify", "yamllint --strict ."]);
    expect(test).toEqual(ciRun.filter((c) => !c.startsWith("yamllint")));
    expect(lint).toEqual(["bash .ci/debian-packages", "yamllint --strict ."]);
  });

  it("run the README's commands as the README writes them", () => {
    const readme = read("README.md");
    for (const c of ["npm ci", "npm test", "npm run plan", "npm run tools", "npm run verify", "npm run up -- --stack", "npm run preview -- --stack", "npm run plan -- --stack"]) expect(readme).toContain(c);
    const npmRuns = allLines.flatMap((x) => [...x.line.matchAll(/npm run (?:--silent )?([a-z-]+)/g)].map((m) => m[1]));
    const scripts = Object.keys(JSON.parse(read("package.json")).scripts);
    expect(npmRuns.filter((s) => !scripts.includes(s))).toEqual([]);
  });

  it("deploy and preview through the wrapper, whose arguments it accepts", () => {
    const deploys = allLines.filter((x) => /npm run (up|preview) /.test(x.line));
    expect(deploys.length).toBeGreaterThanOrEqual(6);
    for (const { line } of deploys) {
      const argv = line.replace(/\s*2>&1.*$/, "").replace(/^npm run /, "").replace(" -- ", " ").replace("${{ matrix.stack }}", "prod").split(/\s+/);
      expect(() => parseDeployArgs(argv)).not.toThrow();
    }
    expect(allLines.filter((x) => /^pulumi (up|preview|destroy)\b|[|;&] *pulumi (up|preview|destroy)\b/.test(x.line))).toEqual([]);
  });

  it("call only commands npm run delivery has", () => {
    const used = allLines.flatMap((x) => [...x.line.matchAll(/npm run (?:--silent )?delivery -- ([a-z-]+)/g)].map((m) => m[1]));
    expect(used.length).toBeGreaterThan(5);
    expect(used.filter((c) => !(deliveryCommands as readonly string[]).includes(c))).toEqual([]);
  });

  it("deploy cloud before prod, as the README orders them", () => {
    for (const w of ["promote-prod.yml", "rollback.yml"]) {
      const order = allLines.filter((x) => x.w === w && x.line.startsWith("npm run up")).map((x) => parseDeployArgs(x.line.replace(/^npm run /, "").replace(" -- ", " ").split(/\s+/)).stack);
      expect(order).toEqual(["cloud", "prod"]);
    }
    expect(allLines.filter((x) => x.w === "deploy-dev.yml" && x.line.startsWith("npm run up")).map((x) => x.line)).toEqual(["npm run up -- --stack dev --yes"]);
  });

  it("the PR preview hands Pulumi the policy pack and config `npm run preview` would", () => {
    const job = workflows["preview.yml"].jobs.preview;
    const action = job.steps.find((s) => s.uses?.startsWith("pulumi/actions@"))!;
    const stacks = job.strategy!.matrix!.include!.map((m) => m.stack);
    expect(stacks.sort()).toEqual(["cloud", "dev", "prod"]);
    for (const stack of stacks) {
      const args = pulumiArgs({ operation: "preview", stack: stack as "prod", passThrough: [] }, root);
      const flag = (f: string) => path.relative(root, args[args.indexOf(f) + 1]);
      expect(String(action.with!.policyPacks)).toBe(flag("--policy-pack"));
      expect(String(action.with!.policyPackConfigs).replace("${{ matrix.stack }}", stack)).toBe(flag("--policy-pack-config"));
    }
    expect(action.with).toMatchObject({ command: "preview", "comment-on-pr": true });
    expect(job.steps.some((s) => s.run === "npm run plan -- --stack ${{ matrix.stack }}")).toBe(true);
  });

  it("deploy PROD only through the prod environment (its reviewers), on the homelab's runner", () => {
    expect(workflows["promote-prod.yml"].jobs.promote.environment).toBe("prod");
    expect(workflows["rollback.yml"].jobs.rollback.environment).toBe("prod");
    const label = (parse(read(".github/actionlint.yaml")) as { "self-hosted-runner": { labels: string[] } })["self-hosted-runner"].labels;
    for (const [w, job] of [["promote-prod.yml", "promote"], ["rollback.yml", "rollback"], ["deploy-dev.yml", "deploy"]]) expect([workflows[w].jobs[job]["runs-on"]]).toEqual(label);
  });

  it("pin every action by commit, with its release beside it", () => {
    const uses = Object.values(workflows).flatMap((w) => Object.values(w.jobs).flatMap((j) => j.steps.map((s) => s.uses).filter((u): u is string => !!u)));
    expect(uses.length).toBeGreaterThan(20);
    expect(uses.filter((u) => !/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/.test(u))).toEqual([]);
    const text = fs.readdirSync(dir).map((f) => fs.readFileSync(path.join(dir, f), "utf8")).join("\n");
    const unlabelled = text.split("\n").filter((l) => /uses: \S+@[0-9a-f]{40}/.test(l) && !/ # v\d+\.\d+\.\d+$/.test(l));
    expect(unlabelled).toEqual([]);
    // One release per action across the workflows.
    const versions = new Map<string, Set<string>>();
    for (const u of uses) versions.set(u.split("@")[0], new Set([...(versions.get(u.split("@")[0]) ?? []), u]));
    expect([...versions].filter(([, v]) => v.size > 1).map(([a]) => a)).toEqual([]);
  });

  it("install the CLI, Node and Go releases the project pins", () => {
    expect(read(".pulumi.version").trim()).toBe(JSON.parse(read("package.json")).dependencies["@pulumi/pulumi"]);
    expect(read(".nvmrc").trim()).toMatch(/^20\.\d+\.\d+$/);
    const goVersion = read("tools/.go-version").trim();
    for (const mod of fs.readdirSync(path.join(root, "tools")).filter((d) => fs.existsSync(path.join(root, "tools", d, "go.mod")))) {
      const wants = /^go (\d+\.\d+(?:\.\d+)?)$/m.exec(read(`tools/${mod}/go.mod`))![1];
      const [a, b] = [goVersion, wants].map((v) => v.split(".").map(Number));
      expect(a[0] * 1e6 + a[1] * 1e3 + (a[2] ?? 0)).toBeGreaterThanOrEqual(b[0] * 1e6 + b[1] * 1e3 + (b[2] ?? 0));
    }
  });

  it("never run a fork's pull request on the homelab's runner", () => {
    expect(workflows["preview.yml"].jobs.preview).toMatchObject({ if: "github.event.pull_request.head.repo.full_name == github.repository" });
    for (const [name, wf] of Object.entries(workflows)) {
      const on = wf.on as Record<string, unknown>;
      if (name !== "ci.yml" && name !== "preview.yml") expect(Object.keys(on)).not.toContain("pull_request");
      expect(Object.keys(on)).not.toContain("pull_request_target");
    }
  });
});
