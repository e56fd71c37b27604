/** The tests of one mutation scope (MUTATION_SCOPE, see scopes.js). */
const base = require("../../jest.config.js");
const scopes = require("./scopes.js");

const name = process.env.MUTATION_SCOPE;
const scope = scopes[name];
if (!scope) throw new Error(`MUTATION_SCOPE: expected one of ${Object.keys(scopes).join(", ")}, got ${JSON.stringify(name)}`);

module.exports = {
  ...base,
  rootDir: "../..",
  roots: ["<rootDir>/test"],
  testMatch: scope.tests.map((t) => `<rootDir>/${t}`),
  testPathIgnorePatterns: ["/node_modules/", ...(scope.ignore ?? [])],
  // Stryker reads coverage from the process it starts: no worker processes of jest's own.
  maxWorkers: 1,
  workerIdleMemoryLimit: undefined,
};
