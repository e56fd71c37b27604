// `npm run mutation [-- scope...]`: runs Stryker once per scope (all of
// test/mutation/scopes.js by default), then prints each scope's figures, the
// score over everything and every surviving mutant, read from the JSON
// reports. Exits non-zero below 85 %.
import { spawnSync } from "child_process";
import { existsSync, readFileSync } from "fs";
import { createRequire } from "module";
import { dirname, join } from "path";
import { fileURLToPath } from "url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const scopes = createRequire(import.meta.url)("./scopes.js");
const minimum = 85;

const args = process.argv.slice(2);
const reportOnly = args.includes("--report-only");
const chosen = args.filter((a) => a !== "--report-only");
for (const s of chosen) {
  if (!scopes[s]) {
    console.error(`npm run mutation: unknown scope ${JSON.stringify(s)}: expected one of ${Object.keys(scopes).join(", ")}`);
    process.exit(2);
  }
}
const run = chosen.length ? chosen : Object.keys(scopes);

if (!reportOnly) {
  for (const scope of run) {
    const started = Date.now();
    console.log(`\n== mutation scope ${scope}: ${scopes[scope].mutate.join(", ")}`);
    const r = spawnSync("npx", ["stryker", "run"], { cwd: root, stdio: "inherit", env: { ...process.env, MUTATION_SCOPE: scope } });
    if (r.status !== 0) {
      console.error(`mutation scope ${scope}: Stryker exited with ${r.status}`);
      process.exit(1);
    }
    console.log(`== ${scope}: ${((Date.now() - started) / 60000).toFixed(1)} min`);
  }
}

/** Counts per status, from a mutation-testing-report-schema JSON report. */
export function tally(report) {
  const counts = {};
  const survivors = [];
  for (const [file, { mutants }] of Object.entries(report.files)) {
    for (const m of mutants) {
      counts[m.status] = (counts[m.status] ?? 0) + 1;
      if (m.status === "Survived" || m.status === "NoCoverage") {
        survivors.push(`${file}:${m.location.start.line} ${m.mutatorName} -> ${JSON.stringify(m.replacement ?? "")}`);
      }
    }
  }
  const detected = (counts.Killed ?? 0) + (counts.Timeout ?? 0);
  const valid = detected + (counts.Survived ?? 0) + (counts.NoCoverage ?? 0);
  return { counts, detected, valid, survivors };
}

let detected = 0;
let valid = 0;
const rows = [];
const allSurvivors = [];
for (const scope of Object.keys(scopes)) {
  const file = join(root, "reports", "mutation", scope, "mutation.json");
  if (!existsSync(file)) {
    rows.push(`${scope.padEnd(9)} not run`);
    continue;
  }
  const t = tally(JSON.parse(readFileSync(file, "utf8")));
  detected += t.detected;
  valid += t.valid;
  allSurvivors.push(...t.survivors);
  const c = t.counts;
  rows.push(
    `${scope.padEnd(9)} ${((100 * t.detected) / Math.max(t.valid, 1)).toFixed(2).padStart(6)} %  killed ${c.Killed ?? 0}, timeout ${c.Timeout ?? 0}, survived ${c.Survived ?? 0}, no coverage ${c.NoCoverage ?? 0}, errors ${(c.CompileError ?? 0) + (c.RuntimeError ?? 0)}, ignored ${c.Ignored ?? 0}`,
  );
}
const score = (100 * detected) / Math.max(valid, 1);
console.log(`\nMutation score per scope\n${rows.join("\n")}\ntotal     ${score.toFixed(2).padStart(6)} %  (${detected} of ${valid} mutants detected)`);
if (allSurvivors.length) console.log(`\nSurvivors:\n${allSurvivors.join("\n")}`);
if (score < minimum) {
  console.error(`\nmutation score ${score.toFixed(2)} % is below ${minimum} %`);
  process.exit(1);
}
