// `npm run plan [-- --stack dev|prod|cloud]`: the offline plan of each stack.
// Prints a readable plan, writes out/<stack>/plan.json and exits non-zero on
// invalid config or a mandatory policy violation.
import * as fs from "fs";
import * as path from "path";
import { ConfigError } from "../config/load";
import { StackKind, stackKinds } from "../config/schema";
import { leakedFakeSecrets, planStack, policyConfigFor, committedStackConfig } from "./plan";
import { renderPlan } from "./report";
import { projectRoot } from "./stackFiles";

function parseArgs(argv: string[]): StackKind[] {
  const i = argv.indexOf("--stack");
  if (i === -1) return [...stackKinds];
  const stack = argv[i + 1];
  if (!(stackKinds as readonly string[]).includes(stack)) {
    throw new Error(`--stack ${stack ?? "(missing)"}: expected one of ${stackKinds.join(", ")}`);
  }
  return [stack as StackKind];
}

async function main(): Promise<number> {
  const stacks = parseArgs(process.argv.slice(2));
  const outRoot = path.join(projectRoot, "out");
  let failed = false;
  for (const stack of stacks) {
    try {
      const { artifacts, ...plan } = await planStack(stack);
      const json = JSON.stringify(plan, null, 2);
      const leaks = leakedFakeSecrets([json, ...artifacts.map((a) => a.content)].join("\n"));
      if (leaks.length > 0) throw new Error(`plan for ${stack} would reveal secret values (${[...new Set(leaks)].join(", ")})`);
      const dir = path.join(outRoot, stack);
      // Start clean, so no document of an earlier run is checked as if it were current.
      fs.rmSync(dir, { recursive: true, force: true });
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, "plan.json"), `${json}\n`);
      for (const a of artifacts) {
        fs.mkdirSync(path.dirname(path.join(dir, a.path)), { recursive: true });
        fs.writeFileSync(path.join(dir, a.path), a.content);
      }
      const index = artifacts.map(({ path: p, kind, meta }) => ({ path: p, kind, ...(meta ? { meta } : {}) }));
      fs.writeFileSync(path.join(dir, "artifacts.json"), `${JSON.stringify(index, null, 2)}\n`);
      fs.writeFileSync(path.join(dir, "policy-config.json"), `${JSON.stringify(policyConfigFor(committedStackConfig(stack)), null, 2)}\n`);
      console.log(renderPlan(plan));
      console.log(`\nWrote ${path.relative(process.cwd(), path.join(dir, "plan.json"))} and ${artifacts.length} generated documents under ${path.relative(process.cwd(), dir)}/\n`);
      if (plan.violations.some((v) => v.level === "mandatory")) failed = true;
    } catch (err) {
      failed = true;
      console.error(err instanceof ConfigError ? err.message : `stack ${stack}: ${(err as Error).stack ?? err}`);
    }
  }
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
