// Alloy's configuration, read by Alloy's own parser and evaluator (the
// alloy-syntax tool, github.com/grafana/alloy/syntax as Alloy v1.18 builds
// it): it must parse, every reference must name a component the file
// declares, the embedded blackbox module must be the one prod's exporter
// runs, and a sender must probe exactly the services its cluster runs.
// Component names and their arguments are Alloy's to check at start; no
// offline tool here knows them.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { blackboxModules } from "../components/monitoring/probes";
import { riverString } from "../components/monitoring/telemetry";

export interface AlloyBlock {
  name: string;
  label?: string;
  attributes: Record<string, unknown>;
  blocks: AlloyBlock[];
}

export interface AlloyResult {
  tool: string;
  artifact: string;
  ok: boolean;
  message: string;
}

/** Runs alloy-syntax on a file: the blocks it read, or Alloy's error. */
export function readAlloy(bin: string, file: string): { blocks?: AlloyBlock[]; error?: string } {
  const r = spawnSync(bin, [file], { encoding: "utf8", timeout: 60_000 });
  if (r.status !== 0) return { error: `${r.stderr || r.stdout || r.error?.message || "no output"}`.trim() };
  return { blocks: JSON.parse(r.stdout) as AlloyBlock[] };
}

const isReference = (v: unknown): v is { expr: string } => typeof v === "object" && v !== null && typeof (v as { expr?: unknown }).expr === "string";

function attributes(b: AlloyBlock): [string, unknown][] {
  return [...Object.entries(b.attributes), ...b.blocks.flatMap(attributes)];
}

/** References (`loki.write.prod.receiver`) that name no component of the file. */
export function danglingReferences(blocks: AlloyBlock[]): string[] {
  const declared = blocks.map((b) => `${b.name}.${b.label ?? ""}.`);
  const refs = blocks.flatMap(attributes).flatMap(([, v]) => (isReference(v) ? v.expr.replace(/^\[|\]$/g, "").split(",").map((s) => s.trim()) : []));
  return refs.filter((r) => r !== "" && !declared.some((d) => r.startsWith(d)));
}

/** What the file says beyond its syntax: wiring, the blackbox module, the probed services. */
export function alloyProblems(blocks: AlloyBlock[], expected: { probes: string[] }): string[] {
  const problems = danglingReferences(blocks).map((r) => `${r} names no component of the file`);
  const blackbox = blocks.find((b) => b.name === "prometheus.exporter.blackbox");
  const probed = (blackbox?.blocks ?? []).filter((b) => b.name === "target").map((t) => String(t.attributes.name));
  if (JSON.stringify([...probed].sort()) !== JSON.stringify([...expected.probes].sort())) problems.push(`probes ${probed.join(", ") || "nothing"}; expected ${expected.probes.join(", ") || "nothing"}`);
  if (blackbox) {
    const modules = parse(String(blackbox.attributes.config));
    if (JSON.stringify(modules) !== JSON.stringify({ modules: blackboxModules })) problems.push(`the embedded blackbox modules are ${JSON.stringify(modules)}; expected prod's exporter's`);
    for (const t of blackbox.blocks.filter((b) => b.name === "target")) {
      if (JSON.stringify(t.attributes.labels) !== JSON.stringify({ service: t.attributes.name })) problems.push(`target ${String(t.attributes.name)} is labelled ${JSON.stringify(t.attributes.labels)}; expected its service`);
    }
  }
  return problems;
}

/** One generated configuration: Alloy parses it and its wiring holds. */
export function alloyConfigCheck(bin: string, file: string, artifact: string, expected: { probes: string[] }): AlloyResult {
  const read = readAlloy(bin, file);
  if (!read.blocks) return { tool: "alloy-syntax", artifact, ok: false, message: read.error ?? "unreadable" };
  const problems = alloyProblems(read.blocks, expected);
  return { tool: "alloy-syntax", artifact, ok: problems.length === 0, message: problems.length ? problems.join("; ") : `ok: ${read.blocks.length} components, probes ${expected.probes.length}` };
}

/** The checks fail when they must: a bad escape, a dangling reference; and a hostile string survives the quoting intact. */
export function alloyNegativeChecks(bin: string): AlloyResult[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "alloy-"));
  const write = (name: string, text: string) => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, text);
    return f;
  };
  const results: AlloyResult[] = [];
  try {
    const badEscape = readAlloy(bin, write("bad-escape.alloy", 'loki.write "prod" {\n  endpoint {\n    url = "http://x/\\q"\n  }\n}\n'));
    results.push(
      badEscape.error
        ? { tool: "alloy-syntax", artifact: "a configuration with a bad string escape", ok: true, message: `rejected as expected: ${badEscape.error.split("\n")[0]}` }
        : { tool: "alloy-syntax", artifact: "a configuration with a bad string escape", ok: false, message: "accepted a broken file: this check cannot fail" },
    );
    const dangling = readAlloy(bin, write("dangling.alloy", 'loki.source.kubernetes "pods" {\n  targets    = discovery.relabel.pods.output\n  forward_to = [loki.write.prod.receiver]\n}\n'));
    const found = dangling.blocks ? danglingReferences(dangling.blocks) : [];
    results.push({
      tool: "alloy-syntax",
      artifact: "a configuration forwarding to components it does not declare",
      ok: found.length === 2,
      message: found.length === 2 ? `rejected as expected: ${found.join(", ")}` : `found ${found.length} dangling references of 2 (${dangling.error ?? found.join(", ")})`,
    });
    const hostile = 'a "quoted" \\ back\\slash\nnew line\ttab ${not.a.ref} ü 🚀 \u0001';
    const quoted = readAlloy(bin, write("quoted.alloy", `a "b" {\n  value = ${riverString(hostile)}\n}\n`));
    const back = quoted.blocks?.[0]?.attributes.value;
    results.push({
      tool: "alloy-syntax",
      artifact: "a string of quotes, backslashes, control characters and ${...} through the program's quoting",
      ok: back === hostile,
      message: back === hostile ? "Alloy reads back exactly the string the program wrote" : `Alloy read ${JSON.stringify(back ?? quoted.error)}`,
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return results;
}
