// Every npm dependency is used, and where: imported by the program, the plan,
// the policies or the tests, or run by a script or a tool. A dependency left
// behind by removed code fails here.
import * as fs from "fs";
import * as path from "path";
import { projectRoot } from "../plan/stackFiles";

/** Packages used without an import: what uses them instead. */
const usedWithoutImport: Record<string, string> = {
  "ts-node": "Pulumi's Node.js language host compiles index.ts with it (Pulumi.yaml runtime options)",
  typescript: "tsc in `npm test`, and ts-node's compiler",
  "@types/jest": "types of the jest globals in test/",
  "@types/node": "types of Node's modules",
  jest: "the test runner (`npm test`)",
  "ts-jest": "jest's TypeScript transform (jest.config.js)",
  eslint: "`npm run lint`",
  "@stryker-mutator/core": "`npm run mutation` (stryker.config.mjs)",
  "@stryker-mutator/jest-runner": "Stryker's jest test runner (stryker.config.mjs: testRunner)",
};

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    if (["node_modules", "build", "out", ".git", ".tools", "coverage", "reports", ".stryker-tmp"].includes(d.name)) return [];
    const p = path.join(dir, d.name);
    return d.isDirectory() ? sourceFiles(p) : /\.(ts|mjs|js)$/.test(d.name) ? [p] : [];
  });
}

const pkg = JSON.parse(fs.readFileSync(path.join(projectRoot, "package.json"), "utf8")) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
const sources = sourceFiles(projectRoot)
  .filter((f) => f !== __filename)
  .map((f) => fs.readFileSync(f, "utf8"))
  .join("\n");
/** Imported or required, or named as a module to import at run time (verify/crdModels.ts maps API groups to packages). */
const imported = (name: string) => new RegExp(`["']${name.replace(/[/.]/g, "\\$&")}(/[^"']*)?["']`).test(sources);

describe.each(Object.keys({ ...pkg.dependencies, ...pkg.devDependencies }))("dependency %s", (name) => {
  test("is imported somewhere, or its use is stated", () => {
    expect([name, imported(name) || name in usedWithoutImport]).toEqual([name, true]);
  });

  test("is pinned to an exact version", () => {
    expect({ ...pkg.dependencies, ...pkg.devDependencies }[name]).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

test("the stated exceptions are real dependencies and really not imported", () => {
  for (const name of Object.keys(usedWithoutImport)) {
    expect([name, name in { ...pkg.dependencies, ...pkg.devDependencies }]).toEqual([name, true]);
  }
});
