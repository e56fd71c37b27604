// Plays the commands of the README and the runbooks against the project, as
// far as they can be played without the machines they talk to:
//  - `npm run <script>` runs the script's own argument parsing, and for
//    plan/preview/up the offline plan of the stack as the files stand at
//    that point (a deploy also needs every required secret already set, as
//    the real program does without the plan's stand-ins), with `--target`
//    checked the way the engine decides a targeted first deploy and
//    `--replace` against the stack's URNs;
//  - `pulumi config set|rm [--path] [--secret]` edit a copy of the stack file
//    the way the CLI does (with --path, "true"/"false" become booleans and
//    integers numbers), and the program's reader and schema then judge it;
//  - `pulumi stack init|select`, `stack output`, `destroy` are checked
//    against the stacks, their outputs and what the engine refuses;
//  - omnictl, ZFS and systemd commands are checked for the names they use
//    (cluster, labels, Talos version, pool, datasets, units); the real
//    omnictl checks their syntax in `npm run verify`.
// A command no rule knows fails, so a new kind of command gets a rule.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseDocument, isMap, isSeq, YAMLMap, YAMLSeq, Document } from "yaml";
import { NAMESPACE, ConfigError, validateConfig } from "../../config/load";
import { StackKind, requiredSecrets, stackKinds } from "../../config/schema";
import { labelKeys } from "../../components/omni/templates";
import { hostSteps, mediaDataset } from "../../components/hypervisor/hostConfig";
import { parseDeployArgs } from "../../plan/deploy";
// eslint-disable-next-line @typescript-eslint/no-require-imports
const mutationScopes = require("../mutation/scopes.js") as Record<string, unknown>;
import { runCommittedStack, planStack, Plan } from "../../plan/plan";
import { parseArgs as parsePlanArgs } from "../../plan/run";
import { programRawConfig, projectRoot, readStackFile, runConfig } from "../../plan/stackFiles";
import { targetMatcher, targetedFirstDeploy } from "../../plan/targets";
import { DocCommand } from "../../verify/docCommands";
import { projectDir } from "../../components/omni/managementVm";
import { catalog } from "../../services";
import { commands as deliveryCommands } from "../../delivery/cli";
import { parseGateArgs } from "../../delivery/gateCommand";
import { initialPasswordCommand } from "../../delivery/provision/command";
import { parseGamingArgs } from "../../gaming/cli";
import { kubevirtRoot } from "../gaming/kubevirtVariant";
import { promotedTag } from "../../delivery/rollback";

const scripts = JSON.parse(fs.readFileSync(path.join(projectRoot, "package.json"), "utf8")).scripts as Record<string, string>;

/** Flags a documented deploy may pass through to pulumi, besides --target and --replace. */
const deployFlags = new Set(["--yes", "--skip-preview", "--diff", "--refresh"]);

export class CommandFailure extends Error {}
const fail = (message: string): never => {
  throw new CommandFailure(message);
};

/** A user's shell: a copy of the stack files and the stack they selected. */
export class Session {
  readonly root: string;
  stack?: StackKind;
  /** Plans by the content of every stack file: the same files plan the same, whichever session asks. */
  private static readonly plans = new Map<string, Plan>();

  constructor() {
    this.root = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-docs-"));
    for (const f of fs.readdirSync(projectRoot).filter((n) => /^Pulumi(\.[a-z]+)?\.yaml$/.test(n))) fs.copyFileSync(path.join(projectRoot, f), path.join(this.root, f));
  }

  /** A machine already set up: every stack initialized with its required secrets (where a command in prose is typed). */
  static setUp(): Session {
    const session = new Session();
    for (const stack of stackKinds) {
      const file = session.stackFile(stack);
      const doc = parseDocument(fs.readFileSync(file, "utf8"));
      for (const name of requiredSecrets[stack]) doc.setIn(["config", `${NAMESPACE}:${name}`], doc.createNode({ secure: "v1:emulated" }));
      fs.writeFileSync(file, doc.toString());
    }
    return session;
  }

  dispose() {
    fs.rmSync(this.root, { recursive: true, force: true });
  }

  private stackFile(stack: StackKind) {
    return path.join(this.root, `Pulumi.${stack}.yaml`);
  }

  /** The offline plan of a stack as its files stand now (cached per content). */
  async plan(stack: StackKind): Promise<Plan> {
    const key = stackKinds.map((s) => (fs.existsSync(this.stackFile(s)) ? fs.readFileSync(this.stackFile(s), "utf8") : "")).join("\0") + stack;
    const cached = Session.plans.get(key);
    if (cached) return cached;
    let plan: Plan;
    try {
      plan = await planStack(stack, this.root);
    } catch (err) {
      return fail(`the plan of ${stack} fails: ${(err as Error).message}`);
    }
    Session.plans.set(key, plan);
    return plan;
  }

  async play(cmd: DocCommand): Promise<void> {
    const [program, ...args] = cmd.argv;
    switch (program) {
      case "npm":
        return this.npm(args);
      case "pulumi":
        return this.pulumi(args, cmd);
      case "omnictl":
        return this.omnictl(args);
      case "zfs":
      case "zpool":
      case "ls":
      case "cp":
        return this.hostPaths(program, args);
      case "systemctl":
        return this.systemctl(args);
      // talosctl appears only as what `npm run verify` runs, which checks its syntax with the real tool;
      // the others are read-only looks at a live host, cluster or registry that name nothing the program creates.
      case "kubectl":
        return this.kubectl(args);
      case "talosctl":
      case "exportfs":
      case "dmesg":
      case "grep":
      case "base64":
      case "pveum":
        return;
      case "docker":
        return this.docker(args);
      case "restic":
        return this.restic(args);
      case "velero":
        return this.velero(args);
      case "git":
        return this.git(args);
      // What runs as root runs by the same rules.
      case "sudo":
        return this.play({ ...cmd, argv: args });
      default:
        return fail(`no rule checks \`${program}\`; add one to test/docs/session.ts`);
    }
  }

  private async npm(args: string[]) {
    const [verb, script, ...rest] = args;
    if (verb === "ci" || verb === "test") {
      if (args.length > 1) fail(`npm ${verb} takes no arguments here`);
      return;
    }
    if (verb !== "run") return fail(`npm ${verb}: expected npm ci, npm test or npm run <script>`);
    if (!script || !Object.hasOwn(scripts, script)) return fail(`npm run ${script}: package.json has no such script`);
    const dashes = rest.indexOf("--");
    if (rest.length > 0 && dashes !== 0) fail(`npm run ${script} ${rest.join(" ")}: arguments for the script go after --`);
    const scriptArgs = rest.slice(1);
    try {
      if (script === "plan") {
        for (const stack of parsePlanArgs(scriptArgs).stacks) await this.ensurePlans(stack);
        return;
      }
      if (script === "preview" || script === "up") return await this.deploy(parseDeployArgs([script, ...scriptArgs]));
      if (script === "delivery") return await this.delivery(scriptArgs);
      // The gaming control talks to the Proxmox host on the LAN: its command line is checked as it parses it.
      if (script === "gaming") {
        parseGamingArgs(scriptArgs);
        return;
      }
      if (script === "mutation") {
        // test/mutation/run.mjs: scope names (or --report-only), each one it knows.
        const unknown = scriptArgs.filter((a) => a !== "--report-only" && !Object.hasOwn(mutationScopes, a));
        if (unknown.length > 0) fail(`npm run mutation: unknown scope ${unknown.join(", ")}: expected one of ${Object.keys(mutationScopes).join(", ")}`);
        return;
      }
    } catch (err) {
      if (err instanceof CommandFailure) throw err;
      return fail(`npm run ${script}: ${(err as Error).message}`);
    }
    if (scriptArgs.length > 0) fail(`npm run ${script} takes no arguments`);
  }

  /**
   * `npm run delivery -- <command>`: a command delivery/cli.ts has, with the
   * arguments it parses (the gate's with its own parser); the ones that read
   * a live stack, GitHub or Prometheus are judged by their arguments only.
   */
  private async delivery(args: string[]) {
    const [command, ...rest] = args;
    if (!(deliveryCommands as readonly string[]).includes(command ?? "")) fail(`npm run delivery -- ${command ?? ""}: expected one of ${deliveryCommands.join(", ")}`);
    if (command === "gate") {
      parseGateArgs(rest, {});
      return;
    }
    if (command === "rollback-target" || command === "images" || command === "summary") {
      if (rest.length > 0) fail(`npm run delivery -- ${command} takes no arguments here`);
      return;
    }
    if (command === "deployed") {
      const i = rest.indexOf("--stack");
      if (i === -1 || !(stackKinds as readonly string[]).includes(rest[i + 1])) fail(`npm run delivery -- deployed: expected --stack ${stackKinds.join("|")}`);
      return;
    }
    if (command === "initial-password") {
      // The key comes from Bitwarden on the admin's machine: a stand-in of its length here.
      initialPasswordCommand(rest, { PROVISIONING_PASSWORD_KEY: "k".repeat(48) });
      return;
    }
    fail(`npm run delivery -- ${command}: the documentation does not tell users to type it (the workflows run it)`);
  }

  /** The rollback by hand: fetch the tags, check out a promotion's tag as promote-prod writes it. */
  private git(args: string[]) {
    if (args.join(" ") === "fetch --tags") return;
    if (args[0] === "checkout" && args.length === 2) {
      if (!promotedTag.test(args[1])) fail(`git checkout ${args[1]}: expected a promotion's tag like promoted/20261117T060012Z (delivery/rollback.ts)`);
      return;
    }
    fail(`git ${args.join(" ")}: the documentation only fetches tags and checks out a promoted one`);
  }

  private async ensurePlans(stack: StackKind) {
    const plan = await this.plan(stack);
    const mandatory = plan.violations.filter((v) => v.level === "mandatory");
    if (mandatory.length > 0) fail(`the plan of ${stack} has mandatory violations: ${mandatory.map((v) => `${v.policy}: ${v.message}`).join("; ")}`);
  }

  private async deploy(args: ReturnType<typeof parseDeployArgs>) {
    const file = readStackFile(args.stack, this.root);
    const missing = requiredSecrets[args.stack].filter((s) => !file.secretKeys.includes(`${NAMESPACE}:${s}`));
    if (missing.length > 0) fail(`npm run ${args.operation} -- --stack ${args.stack} before ${missing.map((s) => `\`pulumi config set --secret ${s}\``).join(", ")}: the program stops on a missing secret`);
    await this.ensurePlans(args.stack);
    const targets: string[] = [];
    const replaces: string[] = [];
    for (let i = 0; i < args.passThrough.length; i++) {
      const flag = args.passThrough[i];
      if (flag === "--target" || flag === "--replace") (flag === "--target" ? targets : replaces).push(args.passThrough[++i] ?? fail(`${flag} without a URN`));
      else if (!deployFlags.has(flag)) fail(`pulumi ${args.operation} ${flag}: not a flag this project documents (known: --target, --replace, ${[...deployFlags].join(", ")})`);
    }
    if (targets.length === 0 && replaces.length === 0) return;
    const run = await runCommittedStack(args.stack, "preview", this.root);
    for (const pattern of replaces) {
      const matches = targetMatcher(pattern);
      const replaced = run.resources.filter((r) => matches(r.urn));
      if (replaced.length === 0) fail(`--replace ${pattern}: no such resource in ${args.stack}`);
      const guarded = replaced.filter((r) => r.options.protect).map((r) => r.urn);
      if (guarded.length > 0) fail(`--replace ${pattern}: the engine refuses to replace protected ${guarded.join(", ")}`);
      const deleting = replaced.filter((r) => r.type.startsWith("command:") && r.inputs.delete !== undefined).map((r) => r.urn);
      if (deleting.length > 0) fail(`--replace ${pattern}: the replacement would run the old delete of ${deleting.join(", ")}`);
    }
    if (targets.length > 0) {
      const targeted = targetedFirstDeploy(run, targets);
      if (targeted.unmatched.length > 0) fail(`--target ${targeted.unmatched.join(", ")}: matches nothing in ${args.stack}`);
      if (targeted.problems.length > 0) fail(`the engine stops this targeted deploy:\n${targeted.problems.join("\n")}`);
    }
  }

  private async pulumi(args: string[], cmd: DocCommand) {
    const { flags, words } = splitFlags(args, ["--stack", "-s"]);
    const explicit = flags.get("--stack") ?? flags.get("-s");
    const stackOf = (): StackKind => {
      const s = explicit ?? this.stack ?? fail(`pulumi ${words.join(" ")}: no stack selected; add --stack or select one first`);
      if (!(stackKinds as readonly string[]).includes(s)) fail(`--stack ${s}: expected one of ${stackKinds.join(", ")}`);
      return s as StackKind;
    };
    const [verb, sub, ...rest] = words;
    if (verb === "login") return;
    // The deploys' record the promotion gate reads (delivery/history.ts): read-only, of a stack that exists.
    if (verb === "stack" && sub === "history") {
      stackOf();
      const unknown = [...flags.keys()].filter((f) => !["--stack", "-s", "--json", "--page-size"].includes(f));
      if (unknown.length > 0 || rest.length > 0) fail(`pulumi stack history ${args.join(" ")}: expected --stack, --json, --page-size`);
      return;
    }
    if (verb === "up" || verb === "preview") return fail(`pulumi ${verb} runs without the policy pack and its config; document \`npm run ${verb} -- --stack <stack>\``);
    if (verb === "stack" && (sub === "init" || sub === "select")) {
      const name = rest[0] ?? fail(`pulumi stack ${sub}: which stack?`);
      if (!(stackKinds as readonly string[]).includes(name) || !fs.existsSync(this.stackFile(name as StackKind))) fail(`pulumi stack ${sub} ${name}: this project has stacks ${stackKinds.join(", ")}`);
      this.stack = name as StackKind;
      return;
    }
    if (verb === "stack" && sub === "output") {
      const stack = stackOf();
      const names = rest.filter((w) => !w.startsWith("-"));
      const outputs = (await this.plan(stack)).outputs;
      for (const n of names) if (!outputs.includes(n)) fail(`pulumi stack output ${n}: ${stack} exports ${outputs.join(", ")}`);
      return;
    }
    if (verb === "config" && (sub === "set" || sub === "rm")) return this.config(sub, stackOf(), rest, flags, cmd);
    if (verb === "destroy") {
      const stack = stackOf();
      const guarded = (await this.plan(stack)).identity.filter((e) => e.protect);
      if (guarded.length > 0) fail(`pulumi destroy --stack ${stack} stops on protected resources: ${guarded.map((e) => e.urn).join(", ")}`);
      return;
    }
    return fail(`no rule checks \`pulumi ${words.slice(0, 2).join(" ")}\`; add one to test/docs/session.ts`);
  }

  private async config(op: "set" | "rm", stack: StackKind, words: string[], flags: Map<string, string>, cmd: DocCommand) {
    const known = new Set(["--path", "--secret", "--plaintext", "--stack", "-s"]);
    for (const o of flags.keys()) if (!known.has(o)) fail(`pulumi config ${op} ${o}: unknown flag`);
    const byPath = flags.has("--path");
    const secret = flags.has("--secret");
    const [rawKey, value, ...extra] = words;
    if (!rawKey) fail(`pulumi config ${op}: which key?`);
    if (extra.length > 0) fail(`pulumi config ${op}: unexpected ${extra.join(" ")}`);
    if (op === "rm" && (value !== undefined || cmd.stdin)) fail("pulumi config rm takes a key only");
    if (value !== undefined && cmd.stdin) fail(`pulumi config set ${rawKey}: a value and stdin`);
    const key = rawKey.includes(":") ? rawKey : `${NAMESPACE}:${rawKey}`;
    const [top, ...pathParts] = byPath ? splitConfigPath(key) : [key];

    const file = this.stackFile(stack);
    const doc = parseDocument(fs.readFileSync(file, "utf8"));
    const config = (doc.get("config") ?? fail(`${path.basename(file)} has no config section`)) as YAMLMap;
    if (op === "rm") {
      if (!doc.hasIn(["config", top, ...pathParts])) fail(`pulumi config rm ${rawKey}: ${stack} has no such key`);
      doc.deleteIn(["config", top, ...pathParts]);
    } else {
      // Without a value or stdin the CLI prompts for it; the emulation types a stand-in.
      const text = value ?? (cmd.stdin ? `contents of ${cmd.stdin}` : "typed at the prompt");
      const leaf: unknown = secret ? { secure: "v1:emulated" } : byPath ? cliTyped(text) : text;
      if (pathParts.length === 0) config.set(top, doc.createNode(leaf));
      else setAtPath(doc, ["config", top], pathParts, leaf);
    }
    fs.writeFileSync(file, doc.toString());
    // What the program will read next time: the reader and the schema judge it now.
    try {
      const sf = readStackFile(stack, this.root);
      validateConfig(stack, programRawConfig(runConfig(stack, sf)));
    } catch (err) {
      fail(`after \`${cmd.text}\` the program refuses ${stack}'s config:\n${err instanceof ConfigError ? err.problems.join("\n") : (err as Error).message}`);
    }
  }

  private async omnictl(args: string[]) {
    const { flags, words } = splitFlags(args, ["--arch", "--talos-version", "--initial-labels", "--output", "--cluster", "--selector", "-l"]);
    const clusters = await this.clusters();
    const [verb, sub, target] = words;
    if (verb === "download") {
      if (sub !== "oracle") return;
      const cloud = clusters.cloud;
      if (flags.get("--arch") !== "arm64") fail("omnictl download oracle: the A1 shapes need --arch arm64");
      if (flags.get("--talos-version") !== cloud.talos) fail(`omnictl download oracle --talos-version ${flags.get("--talos-version")}: the cloud cluster runs Talos ${cloud.talos}`);
      const label = `${labelKeys.cluster}=${cloud.name}`;
      if (!(flags.get("--initial-labels") ?? "").split(",").includes(label)) fail(`omnictl download oracle: the machine classes select ${label}; bake it in with --initial-labels`);
      return;
    }
    const names = Object.values(clusters).map((c) => c.name);
    if (verb === "cluster" && sub === "delete" && !names.includes(target)) fail(`omnictl cluster delete ${target}: the clusters are ${names.join(", ")}`);
    if (verb === "kubeconfig" && flags.has("--cluster") && !names.includes(flags.get("--cluster") as string)) fail(`omnictl kubeconfig --cluster ${flags.get("--cluster")}: the clusters are ${names.join(", ")}`);
    if (verb === "delete" && sub === "machineclasses") {
      const ids = await this.machineClassIds();
      if (!ids.includes(target)) fail(`omnictl delete machineclasses ${target}: the program's machine classes are ${ids.join(", ")}`);
    }
    if (verb === "delete" && sub === "machinelabels") {
      const selector = flags.get("--selector") ?? flags.get("-l") ?? fail("omnictl delete machinelabels: without --selector it needs an ID");
      const [k, v] = selector.split("=");
      if (k !== labelKeys.cluster || !names.includes(v)) fail(`omnictl delete machinelabels --selector ${selector}: the program labels with ${labelKeys.cluster}=<cluster>`);
    }
  }

  private async clusters(): Promise<Record<StackKind, { name: string; talos: string }>> {
    const out = {} as Record<StackKind, { name: string; talos: string }>;
    for (const stack of stackKinds) {
      const sc = validateConfig(stack, programRawConfig(runConfig(stack, readStackFile(stack, this.root))));
      out[stack] = { name: sc.config.cluster.name, talos: sc.config.cluster.versions.talos };
    }
    return out;
  }

  private async machineClassIds(): Promise<string[]> {
    const ids: string[] = [];
    for (const stack of stackKinds) {
      for (const a of (await this.plan(stack)).artifacts) {
        if (!a.path.endsWith("machine-classes.yaml")) continue;
        for (const m of a.content.matchAll(/type: MachineClasses\.omni\.sidero\.dev\n\s+id: (\S+)/g)) ids.push(m[1]);
      }
    }
    return ids;
  }

  private async prodHost() {
    const sc = validateConfig("prod", programRawConfig(runConfig("prod", readStackFile("prod", this.root))));
    if (sc.kind !== "prod") throw new Error("unreachable");
    return sc.config.hypervisor;
  }

  /** Pool, datasets and share paths named by a host command exist in prod's config. */
  private async hostPaths(program: string, args: string[]) {
    const hv = await this.prodHost();
    const pool = hv.zfs.pool;
    const datasets = hv.nfs.shares.map((s) => mediaDataset(pool, s));
    for (const a of args.filter((w) => !w.startsWith("-"))) {
      if (program === "zpool" && a !== "status" && a !== pool) fail(`zpool ${args.join(" ")}: the pool is ${pool}`);
      if (program === "zfs" && a.startsWith(`${pool}/`) && !datasets.includes(a.split("@")[0])) fail(`zfs ${a}: the media datasets are ${datasets.join(", ")}`);
      if (a.startsWith("/") && a.split("/")[1] === pool) {
        const dataset = a.split("/").slice(1, 4).join("/");
        if (!datasets.includes(dataset)) fail(`${program} ${a}: the media datasets are ${datasets.join(", ")}`);
        if (a.includes("/.zfs/snapshot/") && hv.snapshots.daily < 1) fail(`${program} ${a}: no daily snapshots are kept`);
      }
    }
    if (program === "zfs" && !["list", "get"].includes(args[0])) fail(`zfs ${args[0]}: the runbooks only read ZFS state`);
  }

  /**
   * docker on the management VM: compose on the project the cloud stack writes, and services or
   * containers (ps, logs) that its compose file declares. Image inspection names nothing the program runs.
   */
  private async docker(args: string[]) {
    if (args[0] === "buildx") return;
    const compose = (await this.plan("cloud")).artifacts.find((a) => a.path === "compose/compose.yaml");
    if (!compose) return fail("docker: the cloud plan writes no compose project");
    const services = (parseDocument(compose.content).toJSON() as { services: Record<string, { container_name?: string }> }).services;
    const containers = Object.entries(services).map(([name, s]) => s.container_name ?? name);
    if (args[0] === "compose") {
      const { flags, words } = splitFlags(args.slice(1), ["-f", "--file", "--tail"]);
      const file = flags.get("-f") ?? flags.get("--file");
      if (file !== `${projectDir}/compose.yaml`) fail(`docker compose: expected -f ${projectDir}/compose.yaml, the project the cloud stack writes`);
      if (!["ps", "logs"].includes(words[0])) fail(`docker compose ${words[0]}: the runbooks only look (ps, logs)`);
      for (const w of words.slice(1)) if (!Object.hasOwn(services, w)) fail(`docker compose ${words[0]} ${w}: the project's services are ${Object.keys(services).join(", ")}`);
      return;
    }
    const { words } = splitFlags(args, ["--tail"]);
    if (!["logs", "ps", "inspect"].includes(words[0])) fail(`docker ${words[0]}: the runbooks only look (ps, logs, inspect)`);
    for (const w of words.slice(1)) if (!containers.includes(w)) fail(`docker ${words[0]} ${w}: the management VM's containers are ${containers.join(", ")}`);
  }

  /**
   * kubectl that changes an object (annotate, rollout, scale, label, patch, delete) must name one the
   * program applies, by kind, namespace and name, as some stack's plan records it; looks (get, exec,
   * logs, port-forward) may name what charts make too.
   */
  private async kubectl(args: string[]) {
    const { flags, words } = splitFlags(args, ["-n", "--namespace", "-o", "--output", "-f", "--filename", "--from", "--replicas"]);
    const namespace = flags.get("-n") ?? flags.get("--namespace") ?? "default";
    const applied = async (kind: string, name: string) => {
      const found: string[] = [];
      for (const stack of stackKinds) {
        for (const r of (await this.plan(stack)).resources) {
          const m = r.inputs as { kind?: string; metadata?: { name?: string; namespace?: string } };
          const rKind = (m.kind ?? r.type.split(":").pop() ?? "").toLowerCase();
          if (m.metadata?.name === name && (m.metadata.namespace ?? "default") === namespace && [rKind, `${rKind}s`].includes(kind.toLowerCase())) found.push(stack);
        }
      }
      // KubeVirt's objects exist only with the GPU given to KubeVirt (docs/runbooks/gaming.md).
      if (found.length === 0 && (await Session.kubevirtApplied(kind, name, namespace))) found.push("prod with KubeVirt");
      return found;
    };
    // A file the plan writes for the runbooks (out/<stack>/...).
    const planFile = async (file: string) => {
      const [out, stack, ...rest] = file.split("/");
      if (out !== "out" || !(stackKinds as readonly string[]).includes(stack) || !(await this.plan(stack as StackKind)).artifacts.some((a) => a.path === rest.join("/"))) fail(`kubectl: ${file} is not a file \`npm run plan\` writes`);
      return (await this.plan(stack as StackKind)).artifacts.find((a) => a.path === rest.join("/"));
    };
    if (words[0] === "apply") return void (await planFile(flags.get("-f") ?? flags.get("--filename") ?? fail("kubectl apply: expected -f <file>")));
    if (words[0] === "create" && words[1] === "job") {
      const from = flags.get("--from") ?? "";
      if (!from.startsWith("cronjob/")) fail(`kubectl create job: expected --from=cronjob/<name>`);
      if ((await applied("cronjob", from.slice("cronjob/".length))).length === 0) fail(`kubectl create job --from=${from}: no stack applies a CronJob ${namespace}/${from.slice("cronjob/".length)}`);
      return;
    }
    if (words[0] === "virt") return this.kubectlVirt(args.slice(args.indexOf("virt") + 1), namespace);
    const changing = ["annotate", "rollout", "scale", "label", "patch", "delete"];
    if (!changing.includes(words[0])) return;
    const [kind, name] = words[0] === "rollout" ? words.slice(2, 4) : words.slice(1, 3);
    if (!kind || !name) fail(`kubectl ${words.join(" ")}: expected a kind and a name`);
    // A catalog entry's own workload, named after it in its namespace (the charts' fullnameOverride).
    if (["deployment", "statefulset"].includes(kind) && name === namespace && catalog.some((e) => e.name === name)) return;
    // A restore object of the runbook, once applied.
    if (kind === "replicationdestination") {
      const restores = (await Promise.all(stackKinds.map(async (st) => (await this.plan(st)).artifacts.filter((a) => a.kind === "restore-object")))).flat();
      if (!restores.some((a) => a.content.includes(`name: ${name}\n`) && a.content.includes(`namespace: ${namespace}\n`))) fail(`kubectl ${words[0]} replicationdestination ${namespace}/${name}: no restore object of the plan has that name`);
      return;
    }
    if ((await applied(kind, name)).length === 0) fail(`kubectl ${words.join(" ")}: no stack applies a ${kind} ${namespace}/${name}`);
  }

  /** The prod plan with KubeVirt given the GPU (the runbook's switch), where KubeVirt's objects are. */
  private static kubevirt?: Promise<Plan>;
  private static kubevirtPlan(): Promise<Plan> {
    Session.kubevirt ??= (async () => {
      const root = kubevirtRoot();
      try {
        return await planStack("prod", root);
      } finally {
        fs.rmSync(root, { recursive: true, force: true });
      }
    })();
    return Session.kubevirt;
  }

  /** The object of that kind (as kubectl names it: Kind, kind or kinds), name and namespace the prod plan with KubeVirt applies. */
  private static async kubevirtApplied(kind: string, name: string, namespace: string): Promise<Plan["resources"][number] | undefined> {
    return (await Session.kubevirtPlan()).resources.find((r) => {
      const m = r.inputs as { kind?: string; metadata?: { name?: string; namespace?: string } };
      const rKind = (m.kind ?? "").toLowerCase();
      return m.metadata?.name === name && m.metadata.namespace === namespace && [rKind, `${rKind}s`].includes(kind.toLowerCase());
    });
  }

  /**
   * KubeVirt's kubectl plugin (virtctl): start, stop and restart name a VirtualMachine, and an upload
   * into an existing DataVolume (--no-create) one of upload source, as the prod plan with KubeVirt applies them.
   */
  private async kubectlVirt(args: string[], namespace: string) {
    const words = args.filter((w, i) => !w.startsWith("-") && !["-n", "--namespace"].includes(args[i - 1]));
    const applied = (kind: string, name: string) => Session.kubevirtApplied(kind, name, namespace);
    if (["start", "stop", "restart"].includes(words[0])) {
      if (!words[1]) fail(`kubectl virt ${words[0]}: expected a VM's name`);
      if (!(await applied("VirtualMachine", words[1]))) fail(`kubectl virt ${words[0]} ${words[1]}: the prod stack with KubeVirt applies no VirtualMachine ${namespace}/${words[1]}`);
      return;
    }
    if (words[0] === "image-upload") {
      if (words[1] !== "dv" || !words[2]) fail("kubectl virt image-upload: expected dv <name>");
      if (!args.includes("--no-create")) fail("kubectl virt image-upload: expected --no-create: the program owns the DataVolume");
      if (!args.some((a) => a.startsWith("--image-path="))) fail("kubectl virt image-upload: expected --image-path=<file>");
      const dv = await applied("DataVolume", words[2]);
      if (!dv) fail(`kubectl virt image-upload dv ${words[2]}: the prod stack with KubeVirt applies no DataVolume ${namespace}/${words[2]}`);
      if (!(dv!.inputs as { spec?: { source?: { upload?: unknown } } }).spec?.source?.upload) fail(`kubectl virt image-upload dv ${words[2]}: that DataVolume's source is not an upload`);
      return;
    }
    fail(`kubectl virt ${words[0]}: no rule checks it; add one to test/docs/session.ts`);
  }

  private async systemctl(args: string[]) {
    const [verb, unit] = args;
    if (verb !== "status") fail(`systemctl ${verb}: the runbooks only read unit status`);
    // Every unit named on an `enable --now` line (one line may enable several) of the host's steps, its backup step among them.
    const scripts = [...hostSteps(await this.prodHost()).map((s) => s.script), ...(await this.plan("prod")).resources.filter((r) => r.type === "command:remote:Command").map((r) => String(r.inputs.create ?? ""))];
    const enabled = scripts.flatMap((script) => [...script.matchAll(/systemctl enable --now ([^\n>]+)/g)].flatMap((m) => m[1].trim().split(/\s+/).map((u) => u.replace(/^'|'$/g, ""))));
    if (!enabled.includes(unit)) fail(`systemctl status ${unit}: the host steps enable ${[...new Set(enabled)].join(", ")}`);
  }

  /** The restic tags the program's backup scripts write, in every stack (clusters, host, management VM). */
  private async resticTags(): Promise<string[]> {
    const tags = new Set<string>();
    for (const stack of stackKinds) {
      const plan = await this.plan(stack);
      const texts = [...plan.resources.map((r) => JSON.stringify(r.inputs)), ...plan.artifacts.map((a) => a.content)];
      for (const t of texts) for (const m of t.matchAll(/restic backup --tag '([A-Za-z0-9_-]+)'/g)) tags.add(m[1]);
    }
    return [...tags].sort();
  }

  /**
   * restic, reading or restoring: the sub-commands that do not change a repository, and
   * every --tag one the program's jobs write (the real restic checks the flags in `npm run verify`).
   */
  private async restic(args: string[]) {
    const { flags, words } = splitFlags(args, ["--tag", "--target", "--include", "--exclude", "--host", "--path", "-r", "--repo"]);
    const reading = ["snapshots", "restore", "ls", "find", "stats", "check", "cat", "diff", "version"];
    if (!reading.includes(words[0])) fail(`restic ${words[0]}: the runbooks only read and restore (${reading.join(", ")})`);
    const tag = flags.get("--tag");
    if (tag !== undefined) {
      const tags = await this.resticTags();
      for (const t of tag.split(",")) if (!tags.includes(t)) fail(`restic --tag ${t}: the backup jobs tag ${tags.join(", ")}`);
    }
  }

  /**
   * velero (its CLI is not built here): reads, and restores from one of the program's schedules into
   * namespaces it backs up. The flags are checked against this list only.
   */
  private async velero(args: string[]) {
    const known = ["--selector", "-l", "--from-schedule", "--from-backup", "--include-namespaces", "--details", "-o", "--output"];
    const { flags, words } = splitFlags(args, known);
    for (const a of args) if (a.startsWith("-") && !known.includes(a.split("=")[0])) fail(`velero ${words.join(" ")}: flag ${a} is not one the runbooks use (${known.join(", ")})`);
    const [noun, verb] = words;
    const reads = ["get", "describe", "logs"];
    if (!["backup", "restore", "schedule"].includes(noun) || !(reads.includes(verb) || (noun === "restore" && verb === "create"))) fail(`velero ${noun} ${verb}: the runbooks read backups, restores and schedules, and create restores`);
    const schedules: { name: string; namespaces: string[] }[] = [];
    for (const stack of stackKinds) {
      for (const r of (await this.plan(stack)).resources.filter((x) => x.type === "kubernetes:velero.io/v1:Schedule")) {
        const m = r.inputs as { metadata?: { name?: string }; spec?: { template?: { includedNamespaces?: string[] } } };
        schedules.push({ name: m.metadata?.name ?? "", namespaces: m.spec?.template?.includedNamespaces ?? [] });
      }
    }
    const selector = flags.get("--selector") ?? flags.get("-l");
    const named = flags.get("--from-schedule") ?? (selector?.startsWith("velero.io/schedule-name=") ? selector.split("=")[1] : undefined);
    if (named !== undefined && !schedules.some((x) => x.name === named)) fail(`velero: schedule ${named}: the program's schedules are ${[...new Set(schedules.map((x) => x.name))].join(", ")}`);
    for (const ns of (flags.get("--include-namespaces") ?? "").split(",").filter(Boolean)) {
      if (!schedules.some((x) => (named === undefined || x.name === named) && x.namespaces.includes(ns))) fail(`velero --include-namespaces ${ns}: no schedule of the program backs it up`);
    }
    if (noun === "restore" && verb === "create" && flags.get("--from-schedule") === undefined && flags.get("--from-backup") === undefined) fail("velero restore create: from which schedule or backup?");
  }
}

/** Flags with a value (`--stack x` or `--stack=x`) apart from the other words. */
export function splitFlags(args: string[], valued: string[]): { flags: Map<string, string>; words: string[] } {
  const flags = new Map<string, string>();
  const words: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const eq = a.indexOf("=");
    if (a.startsWith("-") && eq > 0 && valued.includes(a.slice(0, eq))) flags.set(a.slice(0, eq), a.slice(eq + 1));
    else if (valued.includes(a)) flags.set(a, args[++i] ?? "");
    else if (a.startsWith("-")) flags.set(a, "");
    else words.push(a);
  }
  return { flags, words };
}

/** `homelab:cluster.nodes[0].memoryGb` -> ["homelab:cluster", "nodes", 0, "memoryGb"], as `--path` reads it. */
export function splitConfigPath(key: string): [string, ...(string | number)[]] {
  const colon = key.indexOf(":");
  const ns = key.slice(0, colon + 1);
  const parts: (string | number)[] = [];
  const re = /([^.[\]]+)|\[(\d+)\]|\["([^"]+)"\]|(\.)/g;
  const body = key.slice(colon + 1);
  if (/^\.|\.$|\.\.|\.\[/.test(body)) fail(`config path ${key}: an empty segment`);
  let consumed = 0;
  for (const m of body.matchAll(re)) {
    if (m.index !== consumed) fail(`config path ${key}: cannot read it at "${body.slice(consumed)}"`);
    consumed = m.index + m[0].length;
    if (m[1] !== undefined) parts.push(m[1]);
    else if (m[2] !== undefined) parts.push(Number(m[2]));
    else if (m[3] !== undefined) parts.push(m[3]);
  }
  if (consumed !== body.length || parts.length === 0 || typeof parts[0] !== "string") fail(`config path ${key}: expected namespace:key.path`);
  return [`${ns}${parts[0]}`, ...parts.slice(1)];
}

/** How `pulumi config set --path` types a value: booleans and integers (no leading zero) become YAML scalars of that type. */
export function cliTyped(text: string): string | number | boolean {
  if (text === "true") return true;
  if (text === "false") return false;
  if (/^(0|-?[1-9]\d*)$/.test(text) && Number.isSafeInteger(Number(text))) return Number(text);
  return text;
}

function setAtPath(doc: Document, prefix: string[], parts: (string | number)[], leaf: unknown) {
  let node: unknown = doc.getIn(prefix, true);
  if (node === undefined) {
    doc.setIn(prefix, doc.createNode(typeof parts[0] === "number" ? [] : {}));
    node = doc.getIn(prefix, true);
  }
  parts.forEach((part, i) => {
    const last = i === parts.length - 1;
    const next = parts[i + 1];
    if (typeof part === "number") {
      if (!isSeq(node)) fail(`config path: [${part}] on something that is not a list`);
      const seq = node as YAMLSeq;
      if (part > seq.items.length) fail(`config path: index ${part} is past the end of a list of ${seq.items.length}`);
    } else if (!isMap(node)) fail(`config path: .${part} on something that is not a map`);
    const container = node as YAMLMap | YAMLSeq;
    if (last) {
      container.set(part, doc.createNode(leaf));
      return;
    }
    if (!container.has(part)) container.set(part, doc.createNode(typeof next === "number" ? [] : {}));
    node = container.get(part, true);
  });
}
