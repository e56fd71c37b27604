// cert-manager: certificates from Let's Encrypt through Cloudflare DNS01
// (works for names that are never reachable from the internet), plus a
// self-signed root for in-cluster TLS such as the Bitwarden SDK server.
import { Manifest, PlatformContext } from "./context";
import { resources } from "./resources";

export const certManagerNamespace = "cert-manager";
export const selfSignedIssuer = "selfsigned";
/** Filled by External Secrets from Bitwarden; never written by hand. */
export const cloudflareTokenSecret = { name: "cloudflare-api-token", key: "api-token" } as const;

export const acmeServers = {
  "letsencrypt-staging": "https://acme-staging-v02.api.letsencrypt.org/directory",
  "letsencrypt-prod": "https://acme-v02.api.letsencrypt.org/directory",
} as const;

/** The issuer of every certificate the clusters serve (staging is for trying a change). */
export const productionIssuer: keyof typeof acmeServers = "letsencrypt-prod";

export function certManagerValues(): Record<string, unknown> {
  return {
    crds: { enabled: true, keep: true },
    // Ask Cloudflare directly whether the challenge record is visible, not the home router.
    dns01RecursiveNameservers: "1.1.1.1:53,1.0.0.1:53",
    dns01RecursiveNameserversOnly: true,
    resources: resources("10m", "48Mi", "200m", "192Mi"),
    webhook: { resources: resources("10m", "24Mi", "100m", "96Mi") },
    cainjector: { resources: resources("10m", "64Mi", "200m", "256Mi") },
    startupapicheck: { resources: resources("10m", "32Mi", "100m", "64Mi") },
  };
}

export function selfSignedIssuerManifest(): Manifest {
  return { apiVersion: "cert-manager.io/v1", kind: "ClusterIssuer", metadata: { name: selfSignedIssuer }, spec: { selfSigned: {} } };
}

/** letsencrypt-staging and letsencrypt-prod, both answering DNS01 through Cloudflare for the configured zones. */
export function acmeIssuerManifests(ctx: PlatformContext): Manifest[] {
  const { acmeEmail, dnsZones } = ctx.platform.certManager;
  return (Object.keys(acmeServers) as (keyof typeof acmeServers)[]).map((name) => ({
    apiVersion: "cert-manager.io/v1",
    kind: "ClusterIssuer",
    metadata: { name },
    spec: {
      acme: {
        server: acmeServers[name],
        email: acmeEmail,
        privateKeySecretRef: { name: `${name}-account-key` },
        solvers: [
          {
            selector: { dnsZones: [...dnsZones] },
            dns01: { cloudflare: { apiTokenSecretRef: { name: cloudflareTokenSecret.name, key: cloudflareTokenSecret.key } } },
          },
        ],
      },
    },
  }));
}
