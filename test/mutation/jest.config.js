/**
 * The tests Stryker runs against each mutant: the ones aimed at the mutated
 * code (config validation, policies, host scripts, stack files and secrets).
 * The whole-stack, component and documentation suites exercise the same code
 * through the program but take seconds per test; they stay in `npm test`.
 */
const base = require("../../jest.config.js");

module.exports = {
  ...base,
  rootDir: "../..",
  roots: ["<rootDir>/test"],
  testMatch: [
    "<rootDir>/test/config/*.test.ts",
    "<rootDir>/test/policies/*.test.ts",
    "<rootDir>/test/components/hostSteps.test.ts",
    "<rootDir>/test/plan/secrets.test.ts",
    "<rootDir>/test/plan/stackFiles.test.ts",
  ],
  // The policy contract test starts a gRPC server, and the policies' whole-stack test runs every stack:
  // the policies' own tests cover the same code one rule and one fixture at a time.
  testPathIgnorePatterns: ["/node_modules/", "analyzerContract", "policies/stacks"],
};
