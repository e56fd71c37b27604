// Mutation testing (`npm run mutation`, which runs test/mutation/run.mjs):
// Stryker changes the code that decides (config validation, the policies,
// the host scripts, the plan's secret handling) one mutant at a time and runs
// the tests aimed at it; a mutant no test notices is a test that cannot fail.
// One scope per run (MUTATION_SCOPE, scopes in test/mutation/scopes.js).
// Figures and the surviving mutants: docs/verification.md.
import { createRequire } from "module";

const scopes = createRequire(import.meta.url)("./test/mutation/scopes.js");
const name = process.env.MUTATION_SCOPE;
const scope = scopes[name];
if (!scope) throw new Error(`MUTATION_SCOPE: expected one of ${Object.keys(scopes).join(", ")}, got ${JSON.stringify(name)}`);

export default {
  testRunner: "jest",
  // Not jest's --findRelatedTests: its map holds only test/ (jest.config.js roots), so it links a test to the
  // files it imports itself and to nothing they import, and a mutant there ran no test and "survived".
  // Stryker's per-test coverage already picks the tests that reach each mutant.
  jest: { projectType: "custom", configFile: "test/mutation/jest.config.js", enableFindRelatedTests: false },
  coverageAnalysis: "perTest",
  concurrency: 2,
  timeoutMS: 30000,
  thresholds: { high: 90, low: 85, break: null },
  reporters: ["clear-text", "progress", "html", "json"],
  tempDirName: ".stryker-tmp",
  ignorePatterns: ["out", "build", ".tools", "reports", "tools/**", "!tools/*/go.mod", "test/identity/v0.1", "policies/node_modules"],
  mutate: scope.mutate,
  ignoreStatic: !scope.static,
  incremental: true,
  incrementalFile: `reports/mutation/${name}/incremental.json`,
  htmlReporter: { fileName: `reports/mutation/${name}/index.html` },
  jsonReporter: { fileName: `reports/mutation/${name}/mutation.json` },
};
