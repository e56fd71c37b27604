// The plan's own secret checks: credentials passed in plain text (which the
// analyzer cannot see: it hands policies secrets decrypted) and stand-in
// secret values that must never reach a written file.
import { SECRET } from "../../plan/mockRuntime";
import { leakedFakeSecrets, plaintextSecretPaths, plaintextSecretViolations } from "../../plan/secrets";
import { secretStandIn } from "../../plan/stackFiles";

const SECRET_MARKER = SECRET;
const pem = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n";
const resource = (type: string, name: string, inputs: Record<string, unknown>) => ({ type, name, urn: `urn:pulumi:test::homelab::${type}::${name}`, inputs });
const check = async (resources: ReturnType<typeof resource>[]) => plaintextSecretViolations(resources);
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

  test("unknown values are not judged", () => {
    expect(plaintextSecretPaths({ password: "[unknown]", environment: "[unknown]" })).toEqual([]);
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

  test("a file a credential is read from is not a credential, unless the value is not a path", () => {
    expect(plaintextSecretPaths({ telegram: { bot_token_file: "/etc/alertmanager/secrets/n/telegram-bot-token" }, auth: { credentials_file: "/run/token", passwordFile: "/etc/p" } })).toEqual([]);
    expect(plaintextSecretPaths({ bot_token_file: "123456:ABC-token", credentials_file: "relative/path", password_file: "/etc/p w", token_files: "/x" })).toEqual(["bot_token_file", "credentials_file", "password_file", "token_files"]);
  });

  test("an endpoint URL named after a token is not a credential, unless it carries one", () => {
    expect(plaintextSecretPaths({ config: { tokenUrl: "https://auth.example/application/o/token/", certsUrl: "https://auth.example/jwks/" } })).toEqual([]);
    expect(plaintextSecretPaths({ tokenUrl: "https://user:hunter2@auth.example/token/", token_url: "not a url", secretUri: "http://x/y z" })).toEqual(["tokenUrl", "token_url", "secretUri"]);
    expect(plaintextSecretPaths({ apiToken: "https://auth.example/token" })).toEqual(["apiToken"]);
  });

  test("Grafana's $__env and $__file indirections and a chart's envFromSecret name where a credential is, not the credential", () => {
    expect(plaintextSecretPaths({ oauth: { client_secret: "$__env{GF_AUTH_GENERIC_OAUTH_CLIENT_SECRET}", token: "$__file{/etc/secrets/token}" }, envFromSecret: "grafana-secrets" })).toEqual([]);
    expect(plaintextSecretPaths({ oauth: { client_secret: "$__env{lower}", token: "$__file{relative}", api_key: "x$__env{A}", password: "$__vault{x}" } })).toEqual(["oauth.client_secret", "oauth.token", "oauth.api_key", "oauth.password"]);
  });

  test("a Proxmox token's ID and name name it; a value with its secret, or another key, still counts", () => {
    expect(plaintextSecretPaths({ tokenId: "homelab-gaming@pve!control", tokenName: "control" })).toEqual([]);
    expect(plaintextSecretPaths({ tokenId: "homelab-gaming@pve!control=3f2a9c1e-0000-4000-8000-000000000000", tokenName: "control=secret", apiTokenId: "a@b!c" })).toEqual([
      "tokenId",
      "tokenName",
      "apiTokenId",
    ]);
    expect(plaintextSecretPaths({ tokenId: "no-realm-or-name", tokenName: "9-starts-with-a-digit" })).toEqual(["tokenId", "tokenName"]);
  });

  test("the runner scale set's githubConfigSecret names a Secret; its credentials inline still count", () => {
    expect(plaintextSecretPaths({ githubConfigSecret: "github-runner-app" })).toEqual([]);
    expect(plaintextSecretPaths({ githubConfigSecret: { github_token: "ghp_inline", github_app_private_key: "inline" } })).toEqual(["githubConfigSecret.github_token", "githubConfigSecret.github_app_private_key"]);
    expect(plaintextSecretPaths({ myGithubConfigSecret: "x" })).toEqual(["myGithubConfigSecret"]);
  });

  test("a key name beside a secretName (a chart's existingSecret block) is a reference; without one it counts", () => {
    expect(plaintextSecretPaths({ existingSecret: { enabled: true, secretName: "nextcloud-db-app", usernameKey: "username", passwordKey: "password" } })).toEqual([]);
    expect(plaintextSecretPaths({ existingSecret: { enabled: true, passwordKey: "password" } })).toEqual(["existingSecret.passwordKey"]);
    expect(plaintextSecretPaths({ db: { secretName: "x", password: "hunter2", passwordKeys: "k" } })).toEqual(["db.password", "db.passwordKeys"]);
    // Bitnami's auth block names the Secret as existingSecret and its key beside it.
    expect(plaintextSecretPaths({ auth: { enabled: true, existingSecret: "nextcloud-secrets", existingSecretPasswordKey: "redis-password" } })).toEqual([]);
    expect(plaintextSecretPaths({ auth: { enabled: true, existingSecretPasswordKey: "redis-password" } })).toEqual(["auth.existingSecretPasswordKey"]);
    expect(plaintextSecretPaths({ auth: { existingSecret: "s", password: "hunter2" } })).toEqual(["auth.password"]);
  });

  test("a switch under a sensitive name is no credential; anything else there is", () => {
    expect(plaintextSecretPaths({ SHOW_PASSWORD_HINT: "false", PASSWORD_LOGIN: "True", TOKEN_AUTH: "on", SECRET_SCAN: "No" })).toEqual([]);
    expect(plaintextSecretPaths({ ADMIN_TOKEN: "falsey", PASSWORD: "1234", API_KEY: "yes-please", SECRET: " on" })).toEqual(["ADMIN_TOKEN", "PASSWORD", "API_KEY", "SECRET"]);
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

describe("the plan's no-plaintext-secrets check", () => {
  test("a sensitive-named key in plain text fails", async () => {
    const violations = await check([command("omni-sa", { create: "omnictl get clusters", environment: { OMNI_SERVICE_ACCOUNT_KEY: "abc" } })]);
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({ policy: "no-plaintext-secrets", resource: "omni-sa", level: "mandatory" });
    expect(violations[0].message).toContain("omni-sa: input environment.OMNI_SERVICE_ACCOUNT_KEY looks like a credential but is not a secret");
    expect(violations[0].message).toContain("config.requireSecret or pulumi.secret()");
  });

  test("the secret marker passes", async () => {
    expect(await check([command("omni-sa", { environment: { OMNI_SERVICE_ACCOUNT_KEY: SECRET_MARKER } }), command("kubeconfig", { environment: SECRET_MARKER })])).toEqual([]);
  });

  test("a PEM private key in any plain string fails", async () => {
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

});

describe("leakedFakeSecrets", () => {
  test("finds every stand-in the plan uses for a secret", () => {
    const text = [secretStandIn("homelab:proxmoxApiToken"), "mock-private-key", "mock-random-password", "mock-service-account-token"].join(" and ");
    expect(leakedFakeSecrets(text)).toEqual(["fake-homelab-proxmoxApiToken-for-offline-plan", "mock-private-key", "mock-random-password", "mock-service-account-token"]);
  });

  test("finds nothing in clean text, including the secret marker", () => {
    expect(leakedFakeSecrets('{"password":"[secret]","name":"fake-news","token":"mock"}')).toEqual([]);
  });
});
