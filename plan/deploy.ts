// `npm run preview -- --stack X [pulumi flags]` and `npm run up -- --stack X [...]`:
// the way to run the Pulumi CLI on this program. It plans the stack offline
// first (stopping on invalid config or a mandatory violation, and writing the
// stack's policy config from the program as it is now), then runs
// `pulumi preview|up` with the policy pack and that config, so no real deploy
// skips the policies or judges with stale declarations.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { StackKind, stackKinds } from "../config/schema";
import { runPlan } from "./run";
import { projectRoot } from "./stackFiles";

export type Operation = "preview" | "up";

export interface DeployArgs {
  operation: Operation;
  stack: StackKind;
  /** Everything else, handed to pulumi as given. */
  passThrough: string[];
}

export function parseDeployArgs(argv: string[]): DeployArgs {
  const [operation, ...rest] = argv;
  if (operation !== "preview" && operation !== "up") throw new Error(`expected preview or up, got ${operation ?? "nothing"}`);
  const i = rest.findIndex((a) => a === "--stack" || a === "-s" || a.startsWith("--stack="));
  const value = i === -1 ? undefined : rest[i].startsWith("--stack=") ? rest[i].slice("--stack=".length) : rest[i + 1];
  if (!value || !(stackKinds as readonly string[]).includes(value)) {
    throw new Error(`--stack ${value ?? "(missing)"}: expected one of ${stackKinds.join(", ")}, e.g. npm run ${operation} -- --stack prod`);
  }
  const passThrough = rest.filter((_, j) => j !== i && !(j === i + 1 && !rest[i].startsWith("--stack=")));
  for (const flag of ["--policy-pack", "--policy-pack-config"]) {
    if (passThrough.some((a) => a === flag || a.startsWith(`${flag}=`))) throw new Error(`${flag} is set by this command; leave it out`);
  }
  return { operation, stack: value as StackKind, passThrough };
}

/** The pulumi command line the wrapper runs. */
export function pulumiArgs(args: DeployArgs, root = projectRoot): string[] {
  return [
    args.operation,
    "--stack",
    args.stack,
    "--policy-pack",
    path.join(root, "policies"),
    "--policy-pack-config",
    path.join(root, "out", args.stack, "policy-config.json"),
    ...args.passThrough,
  ];
}

export async function deploy(args: DeployArgs, root = projectRoot, pulumi = process.env.PULUMI ?? "pulumi"): Promise<number> {
  if (!fs.existsSync(path.join(root, "policies", "node_modules", "@pulumi", "policy"))) {
    console.error("The policy pack's dependencies are not installed: run `npm ci` (it installs policies/ too) or `npm ci --prefix policies`.");
    return 1;
  }
  const planned = await runPlan({ stacks: [args.stack], acceptIdentity: false }, path.join(root, "out"), () => undefined);
  if (planned !== 0) {
    console.error(`The offline plan of ${args.stack} failed (above); nothing was sent to Pulumi. Run \`npm run plan -- --stack ${args.stack}\` for the whole plan.`);
    return planned;
  }
  const result = spawnSync(pulumi, pulumiArgs(args, root), { cwd: root, stdio: "inherit" });
  if (result.error) {
    console.error(`could not run ${pulumi}: ${result.error.message}`);
    return 1;
  }
  return result.status ?? 1;
}

if (require.main === module) {
  let args: DeployArgs;
  try {
    args = parseDeployArgs(process.argv.slice(2));
  } catch (err) {
    console.error((err as Error).message);
    process.exit(2);
  }
  deploy(args).then(
    (code) => process.exit(code),
    (err) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
