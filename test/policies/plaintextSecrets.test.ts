import { plaintextSecretPaths, plaintextSecretsPolicy } from "../../policies/rules/plaintextSecrets";
import { SECRET_MARKER } from "../../policies/rules/types";
import { SECRET } from "../../plan/mockRuntime";
import { PolicyConfig, ResourceUnderPolicy, runPolicies } from "../../policies/runner";
import { resource } from "./fixtures";

const pem = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n";
const visible: PolicyConfig = { "no-plaintext-secrets": { secretsVisible: true } };
const check = (resources: ResourceUnderPolicy[], config: PolicyConfig = visible) => runPolicies([plaintextSecretsPolicy], resources, config);
const command = (name: string, inputs: Record<string, unknown>) => resource("command:local:Command", name, inputs);

describe("plaintextSecretPaths", () => {
  test("names of Kubernetes Secrets are references, not credentials; a secretKey without remoteRef still counts", () => {
    expect(
      plaintextSecretPaths({
        metadata: { labels: { "argocd.argoproj.io/secret-type": "cluster" } },
        spec: {
          secretName: "bitwarden-tls-certs",
          ca: { secretName: "bitwarden-sdk-ca" },
          data: [{ secretKey: "api-token", remoteRef: { key: "9a1b2c3d" } }],
          backup: { secretKey: "AKIAREALSECRET" },
          tokenSecret: "plain",
        },
      }),
    ).toEqual(["spec.backup.secretKey", "spec.tokenSecret"]);
  });

  test("the plan's secret marker is the one the policy skips", () => {
    expect(SECRET_MARKER).toBe(SECRET);
  });

  test("finds sensitive-named keys holding plain strings, with their paths", () => {
    expect(
      plaintextSecretPaths({
        environment: { OMNI_SERVICE_ACCOUNT_KEY: "abc", OMNI_ENDPOINT: "https://omni.example" },
        connection: { host: "1.2.3.4", password: "hunter2" },
        apiToken: "root@pam!pulumi=x",
        users: [{ name: "a", api_key: "k" }],
        ociPrivateKey: "k",
        privatekey: "k",
        dbCredentials: "c",
        clientSecret: "s",
        passwd: "p",
      }),
    ).toEqual(["environment.OMNI_SERVICE_ACCOUNT_KEY", "connection.password", "apiToken", "users[0].api_key", "ociPrivateKey", "privatekey", "dbCredentials", "clientSecret", "passwd"]);
  });

  test("skips the secret marker, empty strings and non-string values under sensitive names", () => {
    expect(plaintextSecretPaths({ password: SECRET_MARKER, token: "", secretCount: 3, privateKey: null, apiToken: true })).toEqual([]);
    expect(plaintextSecretPaths({ environment: SECRET_MARKER })).toEqual([]);
    expect(plaintextSecretPaths(SECRET_MARKER)).toEqual([]);
  });

  test("recurses into objects and arrays under sensitive names", () => {
    expect(plaintextSecretPaths({ secrets: { a: "plain", token: "t" } })).toEqual(["secrets.token"]);
    expect(plaintextSecretPaths({ credentials: [{ password: "p" }, { password: SECRET_MARKER }] })).toEqual(["credentials[0].password"]);
  });

  test("finds a PEM private key in any plain string, whatever its key", () => {
    expect(plaintextSecretPaths({ stdin: pem })).toEqual(["stdin"]);
    expect(plaintextSecretPaths({ files: [{ content: `header\n${pem}` }] })).toEqual(["files[0].content"]);
    expect(plaintextSecretPaths({ k: "-----BEGIN RSA PRIVATE KEY-----\n..." })).toEqual(["k"]);
    expect(plaintextSecretPaths({ k: "-----BEGIN PRIVATE KEY-----\n..." })).toEqual(["k"]);
    expect(plaintextSecretPaths(pem)).toEqual([""]);
  });

  test("does not flag public material or harmless names", () => {
    expect(
      plaintextSecretPaths({
        sshPublicKey: "ssh-ed25519 AAAAC3Nz admin@homelab",
        certPem: "-----BEGIN CERTIFICATE-----\nmock\n-----END CERTIFICATE-----",
        publicKeyPem: "-----BEGIN PUBLIC KEY-----\nx\n-----END PUBLIC KEY-----",
        name: "omni",
        tags: ["prod", "backup-none"],
      }),
    ).toEqual([]);
    expect(plaintextSecretPaths(undefined)).toEqual([]);
    expect(plaintextSecretPaths(42)).toEqual([]);
    expect(plaintextSecretPaths(null)).toEqual([]);
  });
});

describe("no-plaintext-secrets", () => {
  test("with secretsVisible, a sensitive-named key in plain text fails", async () => {
    const violations = await check([command("omni-sa", { create: "omnictl get clusters", environment: { OMNI_SERVICE_ACCOUNT_KEY: "abc" } })]);
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({ policy: "no-plaintext-secrets", resource: "omni-sa", level: "mandatory" });
    expect(violations[0].message).toContain("omni-sa: input environment.OMNI_SERVICE_ACCOUNT_KEY looks like a credential but is not a secret");
    expect(violations[0].message).toContain("config.requireSecret or pulumi.secret()");
  });

  test("with secretsVisible, the secret marker passes", async () => {
    expect(await check([command("omni-sa", { environment: { OMNI_SERVICE_ACCOUNT_KEY: SECRET_MARKER } }), command("kubeconfig", { environment: SECRET_MARKER })])).toEqual([]);
  });

  test("with secretsVisible, a PEM private key in any plain string fails", async () => {
    const violations = await check([resource("command:remote:Command", "compose-up", { create: "docker compose up -d", stdin: pem })]);
    expect(violations.map((v) => `${v.policy}: ${v.message}`)).toEqual([
      "no-plaintext-secrets: compose-up: input stdin looks like a credential but is not a secret; read it with config.requireSecret or pulumi.secret()",
    ]);
  });

  test("reports one violation per plaintext path", async () => {
    const violations = await check([resource("pulumi:providers:oci", "oci", { privateKey: pem, fingerprint: "00:00", tenancyOcid: "ocid1.tenancy.oc1..x" }), command("c", { environment: { TOKEN: "t", PASSWORD: "p" } })]);
    expect(violations.map((v) => [v.resource, v.message.split(" looks")[0]])).toEqual([
      ["oci", "oci: input privateKey"],
      ["c", "c: input environment.TOKEN"],
      ["c", "c: input environment.PASSWORD"],
    ]);
  });

  test("with the default config (secretsVisible false) it reports nothing", async () => {
    const leaky = [command("omni-sa", { environment: { OMNI_SERVICE_ACCOUNT_KEY: "abc" } }), resource("command:remote:Command", "compose-up", { stdin: pem })];
    expect(await check(leaky, {})).toEqual([]);
    expect(await check(leaky, { "no-plaintext-secrets": { secretsVisible: false } })).toEqual([]);
    expect(await runPolicies([plaintextSecretsPolicy], leaky)).toEqual([]);
  });
});
