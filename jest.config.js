/** Unit, policy, config-fixture and whole-stack tests; all offline. */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  // Type-checking is done once by `tsc` in `npm test`; here we only transpile.
  transform: { "^.+\\.ts$": ["ts-jest", { diagnostics: false }] },
  testTimeout: 60000,
  // Whole-stack runs load every provider SDK and Pulumi's closure serializer
  // (dynamic providers), which keep memory across test files: run the files
  // in two worker processes, each replaced after a file that leaves more than
  // 1 GB of heap. Jest measures the heap only, and most of what these runs
  // keep is outside it (a worker grew past 12 GB of RSS under a 3 GB limit):
  // recycling after every heavy file is what bounds the footprint.
  maxWorkers: 2,
  workerIdleMemoryLimit: "1GB",
};
