// `npm run bench`: `npm run plan` (all three stacks, compile included) as a
// user runs it, against the floor: Node loading the seven Pulumi SDKs the
// program uses and nothing else. Runs alternate, so both see the same machine;
// the medians and their ratio are printed. Target: the plan within 3.5 times
// the floor.
import { spawnSync } from "child_process";
import * as path from "path";
import { projectRoot } from "./stackFiles";

export const sdks = ["@pulumi/pulumi", "@muhlba91/pulumi-proxmoxve", "@pulumi/oci", "@pulumi/kubernetes", "@pulumi/command", "@pulumi/random", "@pulumi/tls"];
export const targetRatio = 3.5;

const runs = Number(process.env.BENCH_RUNS ?? 7);
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

function timed(command: string, args: string[]): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { cwd: projectRoot, stdio: "ignore" });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== 0) {
    console.error(`${command} ${args.join(" ")} failed (exit ${result.status}); run it by hand to see why`);
    process.exit(1);
  }
  return seconds;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const floor: number[] = [];
const plan: number[] = [];
const loadSdks = sdks.map((s) => `require(${JSON.stringify(s)});`).join("");
for (let i = 0; i < runs; i++) {
  floor.push(timed(process.execPath, ["-e", loadSdks]));
  plan.push(timed(npm, ["run", "-s", "plan"]));
}
const ratio = median(plan) / median(floor);
const fmt = (xs: number[]) => `median ${median(xs).toFixed(2)} s (min ${Math.min(...xs).toFixed(2)}, max ${Math.max(...xs).toFixed(2)})`;
console.log(`floor, node loading ${sdks.length} SDKs:        ${fmt(floor)} over ${runs} runs`);
console.log(`npm run plan, 3 stacks, compile included: ${fmt(plan)} over ${runs} runs`);
console.log(`ratio ${ratio.toFixed(2)}: ${ratio <= targetRatio ? "within" : "OVER"} the ${targetRatio}x target (${path.relative(process.cwd(), projectRoot) || "."})`);
process.exit(ratio <= targetRatio ? 0 : 1);
