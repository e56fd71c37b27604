// `npm run bench`: wall time of the offline plan for all three stacks, as a
// user runs it (a fresh node process each time). Target: under 5 s.
import { spawnSync } from "child_process";
import * as path from "path";

const runs = Number(process.env.BENCH_RUNS ?? 5);
const script = path.join(__dirname, "run.js");
const times: number[] = [];
for (let i = 0; i < runs; i++) {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [script], { stdio: "ignore" });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== 0) {
    console.error(`plan failed (exit ${result.status}); run \`npm run plan\` to see why`);
    process.exit(1);
  }
  times.push(seconds);
}
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];
console.log(`plan, all three stacks: median ${median.toFixed(2)} s, min ${times[0].toFixed(2)} s, max ${times[times.length - 1].toFixed(2)} s over ${runs} runs`);
console.log(median < 5 ? "within the 5 s target" : "OVER the 5 s target");
process.exit(median < 5 ? 0 : 1);
