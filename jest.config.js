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
  // in two worker processes, each replaced once it holds more than 3 GB, so
  // the suite's footprint stays bounded whatever it grows to.
  maxWorkers: 2,
  workerIdleMemoryLimit: "3GB",
};
