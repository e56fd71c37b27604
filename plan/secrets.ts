// The plan's secret handling. The CrossGuard analyzer hands policies secrets
// already decrypted, so "is this credential marked secret?" cannot be a
// policy; the plan sees the secret marker on every value the program marked,
// and checks it here. It also refuses to write anything that holds one of its
// own stand-in secret values.
import type { Violation } from "./analyzer";
import { SECRET, UNKNOWN } from "./mockRuntime";

const sensitiveKey = /(password|passwd|secret|token|private_?key|api_?key|service_?account_?key|credential)/i;
const privateKeyPem = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;
/**
 * Keys that name a Kubernetes Secret (or its type), not a credential: `secretName: bitwarden-tls-certs`, a chart's
 * `existingSecret: n8n-secrets`, the runner scale set's `githubConfigSecret: github-runner-app` (a string there is the
 * Secret's name; the credentials themselves would be a mapping under it).
 */
const secretReferenceKey = /(^|[a-z])(secretName|SecretName)$|^existingSecret$|^envFromSecret$|^githubConfigSecret$|^[a-z0-9.-]+\/secret-type$/;

/**
 * An ExternalSecret's `data[].secretKey` is the key in the target Secret (the
 * value comes from `remoteRef`); beside a `secretName` (a chart's
 * existingSecret block) or an `existingSecret` (Bitnami's auth block),
 * `passwordKey`, `existingSecretPasswordKey` and the like name a key of that Secret.
 */
const isReference = (key: string, parent: Record<string, unknown>) =>
  secretReferenceKey.test(key) || (key === "secretKey" && "remoteRef" in parent) || (/Key$/.test(key) && ("secretName" in parent || "existingSecret" in parent));

const hidden = (v: unknown) => v === SECRET || v === UNKNOWN;

/** A switch such as SHOW_PASSWORD_HINT: "false" names a credential but cannot hold one. */
const aSwitch = /^(true|false|yes|no|on|off)$/i;

/** An endpoint such as an OIDC provider's tokenUrl: a URL with no user or password in it names where a token comes from, not a token. */
const endpoint = (key: string, value: string) => /(Url|URL|_url|Uri|URI)$/.test(key) && /^https?:\/\/[^\s@/]+(\/[^\s@]*)?$/.test(value);

/** A file a credential is read from, such as Alertmanager's bot_token_file: an absolute path names where it lives, not the credential. */
const credentialFile = (key: string, value: string) => /(_file|File)$/.test(key) && /^\/[A-Za-z0-9._/-]+$/.test(value);

/** Grafana's indirection (`$__env{NAME}`, `$__file{/path}`): the value says where the credential is read from, not what it is. */
const grafanaIndirection = (value: string) => /^\$__(env\{[A-Z0-9_]+\}|file\{\/[A-Za-z0-9._/-]+\})$/.test(value);

/**
 * A Proxmox API token's identity (its ACL's `tokenId: user@realm!name`, the token's own `tokenName`):
 * it names the token, its secret is the part after `=`, which neither form may hold.
 */
const tokenIdentity = (key: string, value: string) =>
  (key === "tokenId" && /^[A-Za-z0-9._-]+@[A-Za-z0-9._-]+![A-Za-z][A-Za-z0-9._-]*$/.test(value)) || (key === "tokenName" && /^[A-Za-z][A-Za-z0-9._-]{0,31}$/.test(value));

/** Paths (a.b[0].c) of recorded inputs that look like credentials but are not marked secret. */
export function plaintextSecretPaths(value: unknown, path = ""): string[] {
  if (hidden(value)) return [];
  if (Array.isArray(value)) return value.flatMap((v, i) => plaintextSecretPaths(v, `${path}[${i}]`));
  if (value !== null && typeof value === "object") {
    return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => {
      const child = path ? `${path}.${k}` : k;
      if (typeof v === "string" && !hidden(v) && v !== "" && !aSwitch.test(v) && !endpoint(k, v) && !credentialFile(k, v) && !grafanaIndirection(v) && !tokenIdentity(k, v) && sensitiveKey.test(k) && !isReference(k, value as Record<string, unknown>)) return [child];
      return plaintextSecretPaths(v, child);
    });
  }
  return typeof value === "string" && privateKeyPem.test(value) ? [path] : [];
}

/** The plan's check `no-plaintext-secrets`: one violation per credential-looking input passed in plain text. */
export function plaintextSecretViolations(resources: { name: string; urn: string; inputs: Record<string, unknown> }[]): Violation[] {
  return resources.flatMap((r) =>
    plaintextSecretPaths(r.inputs).map((path) => ({
      policy: "no-plaintext-secrets",
      resource: r.name,
      urn: r.urn,
      message: `${r.name}: input ${path} looks like a credential but is not a secret; read it with config.requireSecret or pulumi.secret()`,
      level: "mandatory" as const,
    })),
  );
}

/** The stand-ins the plan uses for secrets; none may ever appear in what it writes. */
export const fakeSecretMarkers = [/fake-[A-Za-z-]+?-for-offline-plan/g, /mock-private-key/g, /mock-random-password/g, /mock-service-account-token/g];

/** Every stand-in secret value found in `text`. */
export function leakedFakeSecrets(text: string): string[] {
  return fakeSecretMarkers.flatMap((m) => text.match(m) ?? []);
}
