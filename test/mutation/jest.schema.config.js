/** The config tests, for the mutation run over config/schema.ts (every mutant there runs all of them). */
const base = require("./jest.config.js");

module.exports = {
  ...base,
  testMatch: ["<rootDir>/test/config/invalidConfig.test.ts", "<rootDir>/test/config/validConfig.test.ts", "<rootDir>/test/plan/stackFiles.test.ts"],
};
