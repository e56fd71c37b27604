// The loader's own pieces, each at its edges: how deep a value nests, how a
// problem is worded, which keys of the CLI's config are the program's, and
// how a value's text becomes a value.
import { ConfigError, describeIssues, maxConfigDepth, nestingDepth, parseConfigValue, rawConfigFrom, validateConfig } from "../../config/load";
import { committedRaw } from "../helpers";

/** A value nested `depth` levels: objects and lists alternating. */
function nested(depth: number): unknown {
  let value: unknown = "leaf";
  for (let d = 1; d <= depth; d++) value = d % 2 ? { k: value } : [value];
  return value;
}

describe("nestingDepth", () => {
  test("counts objects and lists, scalars and null are 0", () => {
    expect(nestingDepth("x")).toBe(0);
    expect(nestingDepth(null)).toBe(0);
    expect(nestingDepth(3)).toBe(0);
    expect(nestingDepth({})).toBe(1);
    expect(nestingDepth([])).toBe(1);
    expect(nestingDepth({ a: 1, b: { c: [1, { d: 2 }] } })).toBe(4);
    expect(nestingDepth(nested(7))).toBe(7);
    // The deepest branch counts, wherever it is.
    expect(nestingDepth({ a: { b: {} }, c: {} })).toBe(3);
    expect(nestingDepth({ c: {}, a: { b: {} } })).toBe(3);
  });

  test("stops counting once past its limit, so a hostile depth costs nothing", () => {
    expect(nestingDepth(nested(10), 3)).toBe(5);
    expect(nestingDepth(nested(10), 0)).toBe(2);
    expect(nestingDepth(nested(2), 5)).toBe(2);
    expect(nestingDepth(nested(100_000))).toBe(maxConfigDepth + 2);
  });
});

describe("a key nested too deep", () => {
  test("is refused alone, before anything else is checked, at one level past the limit and not at the limit", () => {
    const raw = committedRaw("dev");
    const at = (depth: number) => ({ values: { ...raw.values, extra: nested(depth) }, secretKeys: raw.secretKeys });
    let problems: string[] = [];
    try {
      validateConfig("dev", at(maxConfigDepth + 1));
    } catch (err) {
      problems = (err as ConfigError).problems;
    }
    expect(problems).toEqual([`homelab:extra: nested more than ${maxConfigDepth} levels deep; expected the shape in docs/configuration.md`]);
    // At the limit it reaches the schema, which refuses the unknown key as such.
    expect(() => validateConfig("dev", at(maxConfigDepth))).toThrow("homelab:extra: unknown key; expected one of the documented keys (see docs/configuration.md)");
  });
});

describe("describeIssues", () => {
  test("names the key path with list indexes, the value found and what is expected", () => {
    const root = { cluster: { nodes: [{ ip: "10.0.0.300" }] } };
    expect(describeIssues(root, [{ path: ["cluster", "nodes", 0, "ip"], message: "expected an IPv4 address" }])).toEqual(['homelab:cluster.nodes[0].ip = "10.0.0.300": expected an IPv4 address']);
    expect(describeIssues(root, [{ path: ["cluster", "name"], message: "expected a name" }])).toEqual(["homelab:cluster.name = (missing): expected a name"]);
    // A path through a scalar finds nothing there.
    expect(describeIssues({ cluster: "x" }, [{ path: ["cluster", "name"], message: "m" }])).toEqual(["homelab:cluster.name = (missing): m"]);
    expect(describeIssues({ cluster: null }, [{ path: ["cluster", "name"], message: "m" }])).toEqual(["homelab:cluster.name = (missing): m"]);
  });

  test("shortens a long value to 80 characters, and leaves one of exactly 80 whole", () => {
    const exactly80 = "x".repeat(78); // JSON adds the two quotes
    expect(describeIssues({ a: exactly80 }, [{ path: ["a"], message: "m" }])).toEqual([`homelab:a = "${exactly80}": m`]);
    const long = "y".repeat(100);
    expect(describeIssues({ a: long }, [{ path: ["a"], message: "m" }])).toEqual([`homelab:a = "${"y".repeat(76)}...: m`]);
  });

  test("lists each unknown key of an object on its own line", () => {
    const issue = { path: ["platform"], message: "Unrecognized keys", code: "unrecognized_keys", keys: ["foo", "bar"] };
    expect(describeIssues({}, [issue as never])).toEqual([
      "homelab:platform.foo: unknown key; expected one of the documented keys (see docs/configuration.md)",
      "homelab:platform.bar: unknown key; expected one of the documented keys (see docs/configuration.md)",
    ]);
    // Another issue with a keys list is worded as usual.
    expect(describeIssues({ platform: 1 }, [{ ...issue, code: "custom" } as never])).toEqual(["homelab:platform = 1: Unrecognized keys"]);
  });
});

describe("rawConfigFrom", () => {
  test("keeps the homelab: keys, namespace stripped, values parsed, and which are secret", () => {
    const raw = rawConfigFrom(
      { "homelab:cluster": '{"name":"dev"}', "homelab:ociPrivateKey": "k", "aws:region": "x", nocolon: "y", "homelabx:a": "z", "other:homelab:b": "w" },
      (key) => key === "homelab:ociPrivateKey",
    );
    expect(Object.keys(raw.values)).toEqual(["cluster", "ociPrivateKey"]);
    expect(raw.values.cluster).toEqual({ name: "dev" });
    expect([...raw.secretKeys]).toEqual(["ociPrivateKey"]);
    expect(Object.getPrototypeOf(raw.values)).toBeNull();
  });

  test("a key that starts with a colon belongs to no namespace", () => {
    expect(Object.keys(rawConfigFrom({ ":homelab": "x", "homelab:": "y" }, () => false).values)).toEqual([""]);
  });
});

describe("parseConfigValue", () => {
  test("reads JSON objects and lists, even with surrounding spaces; everything else is text as given", () => {
    expect(parseConfigValue('{"a":1}')).toEqual({ a: 1 });
    expect(parseConfigValue("[1,2]")).toEqual([1, 2]);
    expect(parseConfigValue('  {"a":1}\n')).toEqual({ a: 1 });
    expect(parseConfigValue(" [1] ")).toEqual([1]);
    expect(parseConfigValue("true")).toBe("true");
    expect(parseConfigValue("42")).toBe("42");
    expect(parseConfigValue(" plain ")).toBe(" plain ");
    // Looks like JSON and is not: kept as text, whitespace and all.
    expect(parseConfigValue(" {not json ")).toBe(" {not json ");
    expect(parseConfigValue("a]")).toBe("a]");
    expect(parseConfigValue("x{}")).toBe("x{}");
  });
});

describe("secret", () => {
  test("reads the stack's secret as a secret Output, and refuses a missing one by name", async () => {
    const pulumi = await import("@pulumi/pulumi");
    const { secret } = await import("../../config/load");
    pulumi.runtime.setAllConfig({ "homelab:sshPrivateKey": "PRIVATE" }, ["homelab:sshPrivateKey"]);
    const out = secret("sshPrivateKey");
    // The SDK's flag that the CLI and the plan show it as [secret].
    expect(await (out as unknown as { isSecret: Promise<boolean> }).isSecret).toBe(true);
    expect(await new Promise((resolve) => out.apply(resolve))).toBe("PRIVATE");
    expect(() => secret("ociPrivateKey")).toThrow("homelab:ociPrivateKey");
  });
});
