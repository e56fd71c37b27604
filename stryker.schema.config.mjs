// The second mutation run: config/schema.ts, static mutants included, against
// the config tests (which validate every stack and one hostile fixture per
// class of bad input). See stryker.config.mjs.
import { shared } from "./stryker.config.mjs";

export default {
  ...shared,
  jest: { projectType: "custom", configFile: "test/mutation/jest.schema.config.js" },
  mutate: ["config/schema.ts"],
  ignoreStatic: false,
  incremental: true,
  incrementalFile: "reports/mutation-schema/incremental.json",
  htmlReporter: { fileName: "reports/mutation-schema/index.html" },
  jsonReporter: { fileName: "reports/mutation-schema/mutation.json" },
};
