// Stack files read as the Pulumi CLI reads them, and hostile ones refused by
// name: one fixture per class (test/fixtures/hostile/). A *.append.yaml
// fixture is added to the committed Pulumi.dev.yaml's config section.
import * as fs from "fs";
import * as path from "path";
import { ConfigError, validateConfig } from "../../config/load";
import { StackFileError, parseStackFile, programRawConfig, projectRoot, runConfig, secretStandIn } from "../../plan/stackFiles";

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
