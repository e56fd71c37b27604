// Transpiles the program to build/ for `npm run plan`, `preview`, `up`,
// `bench` and `verify`: TypeScript to CommonJS, file by file, without type
// checking (`npm test` type-checks everything with tsc). Fast enough that the
// plan a user runs costs little more than loading the provider SDKs.
import { build } from "esbuild";
import { readdirSync } from "fs";
import { join } from "path";

const roots = ["index.ts", "config", "contract", "components", "services", "stacks", "policies/index.ts", "policies/rules", "plan", "verify", "delivery", "gaming"];

/** Every .ts file under `entry` (a file or a folder). */
function tsFiles(entry) {
  if (entry.endsWith(".ts")) return [entry];
  return readdirSync(entry, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? tsFiles(join(entry, d.name)) : d.name.endsWith(".ts") ? [join(entry, d.name)] : []));
}

await build({
  entryPoints: roots.flatMap(tsFiles),
  outdir: "build",
  outbase: ".",
  platform: "node",
  format: "cjs",
  target: "node20",
  sourcemap: true,
  logLevel: "warning",
});
