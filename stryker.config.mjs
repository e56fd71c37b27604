// Mutation testing (`npm run mutation`): Stryker changes the code that
// decides (config validation, the policies, the host scripts, the plan's
// secret handling) one mutant at a time and runs the tests that cover it; a
// mutant no test notices is a test that cannot fail. Figures and the
// surviving mutants: docs/verification.md.
//
// Two runs. This one mutates everything but config/schema.ts and runs, per
// mutant, only the tests that execute it. Static mutants (code run once when a
// module loads: policy names and descriptions, constants) cannot be traced to
// tests and would each run the whole set, so they are left out here and
// counted apart. config/schema.ts is almost all static (Zod schemas are built
// at load), so stryker.schema.config.mjs runs it against the config tests only.
export const shared = {
  testRunner: "jest",
  coverageAnalysis: "perTest",
  concurrency: 2,
  timeoutMS: 30000,
  thresholds: { high: 90, low: 85, break: 85 },
  reporters: ["clear-text", "progress", "html", "json"],
  tempDirName: ".stryker-tmp",
  ignorePatterns: ["out", "build", ".tools", "reports", "tools", "test/identity/v0.1", "policies/node_modules"],
};

export default {
  ...shared,
  jest: { projectType: "custom", configFile: "test/mutation/jest.config.js" },
  mutate: [
    "config/load.ts",
    "config/net.ts",
    "config/site.ts",
    "policies/rules/*.ts",
    "components/hypervisor/hostConfig.ts",
    "components/shell.ts",
    "plan/secrets.ts",
    "plan/stackFiles.ts",
  ],
  ignoreStatic: true,
  incremental: true,
  incrementalFile: "reports/mutation/incremental.json",
  htmlReporter: { fileName: "reports/mutation/index.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
};
