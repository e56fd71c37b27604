/**
 * The tests Stryker runs against each mutant: the ones aimed at the mutated
 * code (config validation, policies, host scripts, stack files and secrets).
 * The whole-stack and documentation suites exercise the same code through the
 * program but take minutes; they stay in `npm test`.
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
    "<rootDir>/test/components/hypervisorHost.test.ts",
    "<rootDir>/test/plan/secrets.test.ts",
    "<rootDir>/test/plan/stackFiles.test.ts",
  ],
  testPathIgnorePatterns: ["/node_modules/", "analyzerContract"],
};
