import { ResourceValidationPolicy } from "@pulumi/policy";
import { SECRET_MARKER, UNKNOWN_MARKER } from "./types";

const sensitiveKey = /(password|passwd|secret|token|private_?key|api_?key|service_?account_?key|credential)/i;
const privateKeyPem = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;
/** Keys that name a Kubernetes Secret (or its type), not a credential: `secretName: bitwarden-tls-certs`. */
const secretReferenceKey = /(^|[a-z])(secretName|SecretName)$|^[a-z0-9.-]+\/secret-type$/;

/** An ExternalSecret's `data[].secretKey` is the key in the target Secret; the value comes from `remoteRef`. */
const isReference = (key: string, parent: Record<string, unknown>) => secretReferenceKey.test(key) || (key === "secretKey" && "remoteRef" in parent);

/** Paths (a.b[0].c) of inputs that look like credentials but are not secret. */
export function plaintextSecretPaths(value: unknown, path = ""): string[] {
  if (value === SECRET_MARKER || value === UNKNOWN_MARKER) return [];
  if (Array.isArray(value)) return value.flatMap((v, i) => plaintextSecretPaths(v, `${path}[${i}]`));
  if (value !== null && typeof value === "object") {
    return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => {
      const child = path ? `${path}.${k}` : k;
      if (typeof v === "string" && v !== SECRET_MARKER && v !== UNKNOWN_MARKER && v !== "" && sensitiveKey.test(k) && !isReference(k, value as Record<string, unknown>)) return [child];
      return plaintextSecretPaths(v, child);
    });
  }
  return typeof value === "string" && privateKeyPem.test(value) ? [path] : [];
}

export interface PlaintextSecretsConfig {
  /**
   * True where secret inputs are visible as such (the offline plan marks them
   * "[secret]"). The live analyzer hands policies secrets already decrypted,
   * so there the rule cannot tell and stays silent.
   */
  secretsVisible: boolean;
}

export const plaintextSecretsPolicy: ResourceValidationPolicy = {
  name: "no-plaintext-secrets",
  description: "No input that looks like a credential (by name, or a PEM private key) is passed as plain text.",
  enforcementLevel: "mandatory",
  configSchema: { properties: { secretsVisible: { type: "boolean", default: false } } },
  validateResource: (args, reportViolation) => {
    if (!args.getConfig<PlaintextSecretsConfig>().secretsVisible) return;
    for (const path of plaintextSecretPaths(args.props)) {
      reportViolation(`${args.name}: input ${path} looks like a credential but is not a secret; read it with config.requireSecret or pulumi.secret()`);
    }
  },
};
