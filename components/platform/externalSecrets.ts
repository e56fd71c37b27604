// External Secrets Operator with Bitwarden Secrets Manager: the only way a
// secret value enters a cluster. Pulumi places exactly one secret by hand,
// the machine-account token ESO logs in with.
import { certManagerNamespace, cloudflareTokenSecret, selfSignedIssuer } from "./certManager";
import { Manifest, PlatformContext } from "./context";
import { resources } from "./resources";

export const externalSecretsNamespace = "external-secrets";
export const bitwardenStoreName = "bitwarden";
export const bitwardenTokenSecret = { name: "bitwarden-access-token", key: "token" } as const;
/** The SDK server chart mounts this secret (tls.crt, tls.key, ca.crt). */
export const bitwardenTlsSecret = "bitwarden-tls-certs";
const sdkService = "bitwarden-sdk-server";
const sdkCa = "bitwarden-sdk-ca";

export function externalSecretsValues(): Record<string, unknown> {
  return {
    installCRDs: true,
    resources: resources("10m", "64Mi", "200m", "256Mi"),
    webhook: { resources: resources("10m", "32Mi", "100m", "128Mi") },
    certController: { resources: resources("10m", "48Mi", "100m", "192Mi") },
    // The Bitwarden provider talks to Bitwarden through this in-cluster SDK server, over TLS.
    "bitwarden-sdk-server": { enabled: true, resources: resources("10m", "32Mi", "200m", "128Mi") },
  };
}

/** A private CA (from the self-signed issuer) and the SDK server's certificate, created before ESO starts. */
export function bitwardenTlsManifests(): Manifest[] {
  const dnsNames = [sdkService, `${sdkService}.${externalSecretsNamespace}`, `${sdkService}.${externalSecretsNamespace}.svc`, `${sdkService}.${externalSecretsNamespace}.svc.cluster.local`];
  return [
    {
      apiVersion: "cert-manager.io/v1",
      kind: "Certificate",
      metadata: { name: sdkCa, namespace: externalSecretsNamespace },
      spec: { isCA: true, commonName: sdkCa, secretName: sdkCa, duration: "87600h", privateKey: { algorithm: "ECDSA", size: 256 }, issuerRef: { name: selfSignedIssuer, kind: "ClusterIssuer", group: "cert-manager.io" } },
    },
    { apiVersion: "cert-manager.io/v1", kind: "Issuer", metadata: { name: sdkCa, namespace: externalSecretsNamespace }, spec: { ca: { secretName: sdkCa } } },
    {
      apiVersion: "cert-manager.io/v1",
      kind: "Certificate",
      metadata: { name: bitwardenTlsSecret, namespace: externalSecretsNamespace },
      spec: { secretName: bitwardenTlsSecret, dnsNames, duration: "8760h", renewBefore: "720h", privateKey: { algorithm: "ECDSA", size: 256 }, issuerRef: { name: sdkCa, kind: "Issuer", group: "cert-manager.io" } },
    },
  ];
}

export function bitwardenStoreManifest(ctx: PlatformContext): Manifest {
  const bw = ctx.platform.bitwarden;
  return {
    apiVersion: "external-secrets.io/v1",
    kind: "ClusterSecretStore",
    metadata: { name: bitwardenStoreName },
    spec: {
      provider: {
        bitwardensecretsmanager: {
          apiURL: bw.apiUrl,
          identityURL: bw.identityUrl,
          bitwardenServerSDKURL: `https://${sdkService}.${externalSecretsNamespace}.svc.cluster.local:9998`,
          organizationID: bw.organizationId,
          projectID: bw.projectId,
          caProvider: { type: "Secret", name: bitwardenTlsSecret, namespace: externalSecretsNamespace, key: "ca.crt" },
          auth: { secretRef: { credentials: { name: bitwardenTokenSecret.name, namespace: externalSecretsNamespace, key: bitwardenTokenSecret.key } } },
        },
      },
    },
  };
}

/**
 * An ExternalSecret that copies Bitwarden secrets into one Kubernetes Secret;
 * a remote key is a secret's ID, or its name in the store's project. `labels`
 * go on the ExternalSecret, `secretLabels` on the Secret it writes.
 */
export function externalSecret(
  name: string,
  namespace: string,
  data: { key: string; bitwardenId: string }[],
  opts: { labels?: Record<string, string>; secretLabels?: Record<string, string> } = {},
): Manifest {
  return {
    apiVersion: "external-secrets.io/v1",
    kind: "ExternalSecret",
    metadata: { name, namespace, ...(opts.labels ? { labels: opts.labels } : {}) },
    spec: {
      refreshInterval: "1h",
      secretStoreRef: { kind: "ClusterSecretStore", name: bitwardenStoreName },
      target: { name, creationPolicy: "Owner", ...(opts.secretLabels ? { template: { metadata: { labels: opts.secretLabels } } } : {}) },
      data: data.map((d) => ({ secretKey: d.key, remoteRef: { key: d.bitwardenId } })),
    },
  };
}

/** The Cloudflare DNS-edit token cert-manager's DNS01 solver uses. */
export function cloudflareTokenExternalSecret(ctx: PlatformContext): Manifest {
  return externalSecret(cloudflareTokenSecret.name, certManagerNamespace, [{ key: cloudflareTokenSecret.key, bitwardenId: ctx.platform.bitwarden.secretIds.cloudflareApiToken }]);
}
