// `npm run plan [-- --stack dev|prod|cloud] [--accept-identity]`: the offline
// plan of each stack. Prints a readable plan, writes out/<stack>/ (plan.json,
// policy-config.json, identity.json and every generated document) and exits
// non-zero on invalid config or a mandatory policy violation.
// --accept-identity records the current identity as the committed snapshot
// (test/identity/<stack>.json): do it on purpose, after reading what changed.
import * as fs from "fs";
import * as path from "path";
import { ConfigError } from "../config/load";
import { StackKind, stackKinds } from "../config/schema";
import { identitySnapshotPath, planStack } from "./plan";
import { renderPlan } from "./report";
import { leakedFakeSecrets } from "./secrets";
import { StackFileError, projectRoot } from "./stackFiles";

export interface PlanArgs {
  stacks: StackKind[];
  acceptIdentity: boolean;
}

export function parseArgs(argv: string[]): PlanArgs {
  const known = new Set(["--stack", "--accept-identity"]);
  const unknown = argv.filter((a, i) => a.startsWith("-") && !known.has(a) && argv[i - 1] !== "--stack");
  if (unknown.length > 0) throw new Error(`unknown option ${unknown[0]}; expected --stack dev|prod|cloud or --accept-identity`);
  const acceptIdentity = argv.includes("--accept-identity");
  const i = argv.indexOf("--stack");
  if (i === -1) return { stacks: [...stackKinds], acceptIdentity };
  const stack = argv[i + 1];
  if (!(stackKinds as readonly string[]).includes(stack)) {
    throw new Error(`--stack ${stack ?? "(missing)"}: expected one of ${stackKinds.join(", ")}`);
  }
  return { stacks: [stack as StackKind], acceptIdentity };
}

/** Plans `stacks` and writes their files under `outRoot`; returns the exit code. */
export async function runPlan(args: PlanArgs, outRoot = path.join(projectRoot, "out"), log: (line: string) => void = console.log, error: (line: string) => void = console.error): Promise<number> {
  let failed = false;
  for (const stack of args.stacks) {
    try {
      const { artifacts, policyConfig, ...plan } = await planStack(stack);
      const json = JSON.stringify(plan, null, 2);
      const policyJson = JSON.stringify(policyConfig, null, 2);
      const identityJson = JSON.stringify(plan.identity, null, 2);
      const leaks = leakedFakeSecrets([json, policyJson, ...artifacts.map((a) => a.content)].join("\n"));
      if (leaks.length > 0) throw new Error(`plan for ${stack} would reveal secret values (${[...new Set(leaks)].join(", ")})`);
      const dir = path.join(outRoot, stack);
      // Start clean, so no document of an earlier run is checked as if it were current.
      fs.rmSync(dir, { recursive: true, force: true });
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, "plan.json"), `${json}\n`);
      fs.writeFileSync(path.join(dir, "policy-config.json"), `${policyJson}\n`);
      fs.writeFileSync(path.join(dir, "identity.json"), `${identityJson}\n`);
      for (const a of artifacts) {
        fs.mkdirSync(path.dirname(path.join(dir, a.path)), { recursive: true });
        fs.writeFileSync(path.join(dir, a.path), a.content);
      }
      const index = artifacts.map(({ path: p, kind, meta }) => ({ path: p, kind, ...(meta ? { meta } : {}) }));
      fs.writeFileSync(path.join(dir, "artifacts.json"), `${JSON.stringify(index, null, 2)}\n`);
      if (args.acceptIdentity) {
        fs.mkdirSync(path.dirname(identitySnapshotPath(stack)), { recursive: true });
        fs.writeFileSync(identitySnapshotPath(stack), `${identityJson}\n`);
      }
      log(renderPlan(plan));
      log(`\nWrote ${path.relative(process.cwd(), path.join(dir, "plan.json"))} and ${artifacts.length} generated documents under ${path.relative(process.cwd(), dir)}/`);
      if (args.acceptIdentity) log(`Recorded the identity snapshot ${path.relative(process.cwd(), identitySnapshotPath(stack))}`);
      log("");
      if (plan.violations.some((v) => v.level === "mandatory")) failed = true;
    } catch (err) {
      failed = true;
      error(err instanceof ConfigError || err instanceof StackFileError ? err.message : `stack ${stack}: ${(err as Error).stack ?? err}`);
    }
  }
  return failed ? 1 : 0;
}

if (require.main === module) {
  let args: PlanArgs;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error((err as Error).message);
    process.exit(2);
  }
  runPlan(args).then(
    (code) => process.exit(code),
    (err) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
