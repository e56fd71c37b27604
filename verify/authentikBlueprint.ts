// The blueprint as Authentik reads it: PyYAML's SafeLoader with constructors
// for the blueprint tags (Authentik's BlueprintLoader registers them the same
// way: a scalar or a sequence), compared with what the program meant (the
// YAML 1.2 core schema's reading, where only true and false are booleans). A
// YAML 1.2 rendering would let PyYAML turn a bare `on` or `yes` into a
// boolean: the comparison catches any such difference.
import { spawnSync } from "child_process";
import { parse } from "yaml";
import { AkTag, blueprintTags } from "../components/identity/blueprint";

const loader = String.raw`
import json, sys, yaml
class BlueprintLoader(yaml.SafeLoader):
    pass
def tagged(tag):
    def construct(loader, node):
        args = loader.construct_scalar(node) if isinstance(node, yaml.ScalarNode) else loader.construct_sequence(node, deep=True)
        return {"tag": tag, "args": args}
    return construct
for tag in ["!KeyOf", "!Find", "!Env", "!Format", "!Context", "!If", "!Condition"]:
    BlueprintLoader.add_constructor(tag, tagged(tag))
print(json.dumps(yaml.load(sys.stdin.read(), Loader=BlueprintLoader), default=str))
`;

const plain = (v: unknown): unknown => {
  if (v instanceof AkTag) return { tag: v.tag, args: plain(v.args) };
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
};

/** The first path where PyYAML reads the text differently from what the program meant, or undefined when they agree. */
function firstDifference(a: unknown, b: unknown, path = "$"): string | undefined {
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return `${path}: ${a.length} items, PyYAML reads ${b.length}`;
    for (let i = 0; i < a.length; i++) {
      const d = firstDifference(a[i], b[i], `${path}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  if (a !== null && b !== null && typeof a === "object" && typeof b === "object") {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
      if (d) return d;
    }
    return undefined;
  }
  return a === b ? undefined : `${path}: meant ${JSON.stringify(a)}, PyYAML reads ${JSON.stringify(b)}`;
}

export function checkBlueprintWithPyYaml(text: string): { ok: boolean; message: string } {
  const r = spawnSync("python3", ["-c", loader], { input: text, encoding: "utf8", timeout: 60_000 });
  if (r.status !== 0) return { ok: false, message: `python3 with PyYAML failed (install Debian's python3-yaml): ${(r.stderr || String(r.error)).trim().split("\n").slice(-1)[0]}` };
  // What was meant: the text read by the YAML 1.2 core schema, where only true and false are booleans.
  const meant = plain(parse(text, { customTags: blueprintTags, version: "1.2" }));
  const difference = firstDifference(meant, JSON.parse(r.stdout));
  const entries = (meant as { entries?: unknown[] }).entries?.length ?? 0;
  return difference ? { ok: false, message: difference } : { ok: true, message: `ok: PyYAML reads the ${entries} entries as meant` };
}
