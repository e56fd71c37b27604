// Stack files read as the Pulumi CLI reads them, and hostile ones refused by
// name: one fixture per class (test/fixtures/hostile/). A *.append.yaml
// fixture is added to the committed Pulumi.dev.yaml's config section.
import * as fs from "fs";
import * as path from "path";
import { ConfigError, validateConfig } from "../../config/load";
import { StackFileError, committedConfig, parseStackFile, programRawConfig, projectRoot, runConfig, secretStandIn } from "../../plan/stackFiles";
import * as os from "os";

const fixture = (name: string) => fs.readFileSync(path.join(projectRoot, "test", "fixtures", "hostile", name), "utf8");
const committedDev = () => fs.readFileSync(path.join(projectRoot, "Pulumi.dev.yaml"), "utf8");
const withAppended = (name: string) => parseStackFile(`${committedDev()}${fixture(name)}`, "Pulumi.dev.yaml");

function refusal(read: () => unknown): string[] {
  try {
    read();
  } catch (err) {
    expect(err).toBeInstanceOf(StackFileError);
    return (err as StackFileError).problems;
  }
  throw new Error("expected the stack file to be refused");
}

/** The lines of the ConfigError the program raises for a stack file's config. */
function configLines(file: ReturnType<typeof parseStackFile>): string[] {
  try {
    validateConfig("dev", programRawConfig(runConfig("dev", file)));
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error("expected the configuration to be refused");
}

describe("YAML the CLI would not load is refused with one line per problem, file, line and column", () => {
  test("a key twice in a mapping", () => {
    expect(refusal(() => parseStackFile(fixture("duplicate-keys.yaml"), "Pulumi.dev.yaml"))).toEqual(["Pulumi.dev.yaml:4:5: Map keys must be unique"]);
  });

  test("a tab as indentation", () => {
    expect(refusal(() => parseStackFile(fixture("tab-indentation.yaml"), "Pulumi.dev.yaml"))).toEqual(["Pulumi.dev.yaml:3:1: Tabs are not allowed as indentation"]);
  });

  test("an alias bomb", () => {
    expect(refusal(() => parseStackFile(fixture("alias-bomb.yaml"), "Pulumi.dev.yaml"))).toEqual([
      "Pulumi.dev.yaml: Excessive alias count indicates a resource exhaustion attack; expected plain YAML without alias expansion",
    ]);
  });

  test("a config key without its namespace", () => {
    expect(refusal(() => parseStackFile(fixture("key-without-namespace.yaml"), "Pulumi.dev.yaml"))).toEqual(['Pulumi.dev.yaml: config key "cluster": expected namespace:name, e.g. homelab:cluster']);
  });

  test("errors print as messages, not stack traces", () => {
    const err = (() => {
      try {
        parseStackFile(fixture("duplicate-keys.yaml"), "Pulumi.dev.yaml");
        return undefined;
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err?.message).toBe("Pulumi.dev.yaml cannot be read:\n  - Pulumi.dev.yaml:4:5: Map keys must be unique");
  });
});

describe("config the program refuses by name", () => {
  test("nesting deeper than any key of the schema", () => {
    expect(configLines(withAppended("deep-nesting.append.yaml"))).toEqual(["homelab:extra: nested more than 16 levels deep; expected the shape in docs/configuration.md"]);
  });

  test("__proto__ and constructor are keys like any other, and unknown", () => {
    expect(configLines(withAppended("proto-keys.append.yaml"))).toEqual([
      "homelab:__proto__: unknown key; expected one of the documented keys (see docs/configuration.md)",
      "homelab:constructor: unknown key; expected one of the documented keys (see docs/configuration.md)",
    ]);
  });

  test("a required secret written in plain text is refused, not masked by a stand-in", () => {
    const file = withAppended("plaintext-secret.append.yaml");
    expect(file.secretKeys).toEqual([]);
    expect(runConfig("dev", file).config["homelab:proxmoxApiToken"]).toBe("pulumi@pve!homelab=0b6f3e1a-2c4d-4e5f-8a9b-1c2d3e4f5a6b");
    expect(configLines(file)).toEqual(["homelab:proxmoxApiToken = [plaintext]: expected an encrypted value, set it with `pulumi config set --secret proxmoxApiToken <value>`"]);
  });
});

describe("config the program accepts, read as the CLI passes it", () => {
  test("keys of other namespaces pass through untouched and the program ignores them", () => {
    const file = withAppended("other-namespaces.append.yaml");
    expect(file.config["proxmoxve:endpoint"]).toBe("https://192.168.68.51:8006");
    expect(file.config["oci:region"]).toBe("eu-paris-1");
    expect(file.config["pulumi:tags"]).toBe('{"team":"family"}');
    const raw = programRawConfig(runConfig("dev", file));
    expect(Object.keys(raw.values).some((k) => k.includes(":") || k === "endpoint" || k === "region" || k === "tags")).toBe(false);
    expect(validateConfig("dev", raw).kind).toBe("dev");
  });

  test("a secure value is a secret the plan cannot decrypt: a stand-in, marked secret", () => {
    const file = withAppended("secure-secret.append.yaml");
    expect(file.secretKeys).toEqual(["homelab:proxmoxApiToken"]);
    expect(file.config["homelab:proxmoxApiToken"]).toBe(secretStandIn("homelab:proxmoxApiToken"));
    expect(validateConfig("dev", programRawConfig(runConfig("dev", file))).kind).toBe("dev");
  });

  test("scalars are passed as their text and structures as JSON, as the CLI does", () => {
    const file = parseStackFile("config:\n  homelab:a: 64\n  homelab:b: true\n  homelab:c:\n    d: [1, two]\n  homelab:config:e: old-form\n", "x");
    expect(file.config).toEqual({ "homelab:a": "64", "homelab:b": "true", "homelab:c": '{"d":[1,"two"]}', "homelab:e": "old-form" });
  });

  test("a file without config is an empty config", () => {
    expect(parseStackFile("encryptionsalt: v1:abc\n", "x")).toEqual({ config: {}, secretKeys: [], placeholders: [] });
  });
});

describe("a committed stack's config, for the commands that act on it", () => {
  it("is the stack file's, validated and typed for its kind", () => {
    expect(committedConfig("prod").gamingVm.vmId).toBe(300);
    expect(committedConfig("cloud").provisioning.repository).toBe("homelab-admin/homelab");
    expect(committedConfig("dev").cluster.name).toBe("dev");
  });

  it("stops on a stack file the program would refuse", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "committed-"));
    fs.writeFileSync(path.join(root, "Pulumi.yaml"), "name: homelab\n");
    fs.writeFileSync(path.join(root, "Pulumi.prod.yaml"), fs.readFileSync(path.join(projectRoot, "Pulumi.prod.yaml"), "utf8").replace("vmId: 300", "vmId: 42"));
    expect(() => committedConfig("prod", root)).toThrow(ConfigError);
  });
});

describe("parseStackFile, piece by piece", () => {
  test("a file that is not a mapping, or a config that is not one, is refused", () => {
    expect(refusal(() => parseStackFile("- a\n- b\n", "f.yaml"))).toEqual(["f.yaml: expected a mapping with a config section"]);
    expect(refusal(() => parseStackFile("config:\n  - homelab:a\n", "f.yaml"))).toEqual(["f.yaml: config: expected a mapping of namespace:key to values"]);
    expect(refusal(() => parseStackFile("config: 3\n", "f.yaml"))).toEqual(["f.yaml: config: expected a mapping of namespace:key to values"]);
    expect(parseStackFile("config:\n", "f.yaml").config).toEqual({});
  });

  test("a YAML error names file, line and column once, without the parser's own position", () => {
    const [problem] = refusal(() => parseStackFile("config:\n  homelab:a: [1, 2\n", "f.yaml"));
    expect(problem).toMatch(/^f\.yaml:\d+:\d+: /);
    expect(problem).not.toMatch(/at line \d+, column \d+/);
  });

  test("the old namespace:config:name form is the same key; set both ways it is set twice", () => {
    expect(parseStackFile("config:\n  homelab:config:domain: a.example\n").config).toEqual({ "homelab:domain": "a.example" });
    expect(refusal(() => parseStackFile("config:\n  homelab:domain: a.example\n  homelab:config:domain: b.example\n", "f.yaml"))).toEqual([
      'f.yaml: config key "homelab:config:domain": homelab:domain is set twice',
    ]);
    expect(refusal(() => parseStackFile("config:\n  homelab:a b: 1\n  homelab::x: 1\n  x homelab:y: 1\n", "f.yaml"))).toEqual([
      'f.yaml: config key "homelab:a b": expected namespace:name, e.g. homelab:cluster',
      'f.yaml: config key "homelab::x": expected namespace:name, e.g. homelab:cluster',
      'f.yaml: config key "x homelab:y": expected namespace:name, e.g. homelab:cluster',
    ]);
  });

  test("a null value is the empty string, as the CLI passes it", () => {
    expect(parseStackFile("config:\n  homelab:a:\n  homelab:b: ~\n").config).toEqual({ "homelab:a": "", "homelab:b": "" });
  });

  test("secure values anywhere in a structure become stand-ins and mark the key secret; a look-alike does not", () => {
    const file = parseStackFile(
      ["config:", "  homelab:list:", "    - plain", "    - secure: AAA", "  homelab:nested:", "    a:", "      b:", "        secure: BBB", "  homelab:lookalike:", "    secure: CCC", "    other: 1", "  homelab:numbers:", "    secure: 3"].join("\n"),
    );
    expect(JSON.parse(file.config["homelab:list"])).toEqual(["plain", secretStandIn("homelab:list")]);
    expect(JSON.parse(file.config["homelab:nested"])).toEqual({ a: { b: secretStandIn("homelab:nested") } });
    expect(JSON.parse(file.config["homelab:lookalike"])).toEqual({ secure: "CCC", other: 1 });
    expect(JSON.parse(file.config["homelab:numbers"])).toEqual({ secure: 3 });
    expect(file.secretKeys).toEqual(["homelab:list", "homelab:nested"]);
  });

  test("placeholders are found at any depth with their key path and note; other comments are not placeholders", () => {
    const text = [
      "config:",
      "  homelab:oci:",
      "    network:",
      "      adminCidrs:",
      "        - 10.0.0.1/32 # your office",
      "        - 203.0.113.1/32 # PLACEHOLDER: home IP",
      "    region: eu-paris-1 #PLACEHOLDER your region",
      "  homelab:domain: homelab.example # PLACEHOLDER",
      "  homelab:nodes:",
      "    - name: a",
      "      ip: 10.0.0.5 # PLACEHOLDER: node address",
    ].join("\n");
    expect(parseStackFile(text).placeholders).toEqual([
      { key: "homelab:oci.network.adminCidrs[1]", value: "203.0.113.1/32", note: "home IP" },
      { key: "homelab:oci.region", value: "eu-paris-1", note: "your region" },
      { key: "homelab:domain", value: "homelab.example", note: "" },
      { key: "homelab:nodes[0].ip", value: "10.0.0.5", note: "node address" },
    ]);
  });

  test("a refusal is a StackFileError whose message lists each problem", () => {
    try {
      parseStackFile("config:\n  cluster: x\n  homelab:a: 1\n  homelab:config:a: 2\n", "f.yaml");
    } catch (err) {
      expect(err).toBeInstanceOf(StackFileError);
      expect((err as Error).name).toBe("StackFileError");
      expect((err as Error).message).toBe(
        'f.yaml cannot be read:\n  - f.yaml: config key "cluster": expected namespace:name, e.g. homelab:cluster\n  - f.yaml: config key "homelab:config:a": homelab:a is set twice',
      );
      return;
    }
    throw new Error("expected a refusal");
  });
});
