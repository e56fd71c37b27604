// The SSO proxy in front of an entry: oauth2-proxy, one instance per gate,
// admitting the Authentik groups of the entry's tier and letting through only
// the paths the entry declares for clients that cannot follow a browser login.
// One instance per gate because oauth2-proxy's groups and skip rules are per
// instance and its upstreams are routed by path only. Pure: the access-matrix
// check starts oauth2-proxy with exactly this configuration, only the
// addresses differ (SsoEndpoints).
import { createHash } from "crypto";
import { imageString, serviceImages } from "../../config/versions";
import { authTierLabel, serviceLabel, ssoGateConfigKey, ssoGateLabel } from "../../contract/labels";
import { allowedGroups, groups } from "../identity/groups";
import { externalSecret } from "../platform/externalSecrets";
import { Manifest } from "../platform/context";
import { resources } from "../platform/resources";
import type { ServiceEntry } from "../../services/entry";

export const ssoProxyPort = 4180;
export const ssoProxyResources = resources("10m", "48Mi", "250m", "128Mi");
const configDir = "/etc/oauth2-proxy";

export interface SsoGate {
  /** Object names, the Authentik application's slug and the OIDC client id: <entry>-sso or <entry>-sso-admin. */
  name: string;
  /** The entry it fronts (its namespace). */
  entry: string;
  hostname: string;
  /** Path prefixes the route sends to this gate; empty: every path no other gate claims. */
  paths: string[];
  /** oauth2-proxy's own endpoints (sign-in, callback) under this prefix; the route sends it here too. */
  proxyPrefix: string;
  allowedGroups: string[];
  /** Paths (prefixes) that skip the login: the entry's bypassSso. */
  bypass: string[];
  cookieName: string;
  /** Family sessions last a week; an admin signs in again every 12 hours. */
  cookieExpire: string;
  upstream: { service: string; port: number };
}

/**
 * The gates an entry needs: the whole host for an `sso` or `admin` entry, and
 * a stricter one for an entry's admin paths (Vaultwarden's /admin) when the
 * host's own gate admits the family. None for `native` and `public` entries
 * without admin paths.
 */
export function ssoGates(entry: ServiceEntry, domain: string): SsoGate[] {
  if (entry.exposure.kind !== "tunnel") return [];
  const hostname = `${entry.exposure.subdomain}.${domain}`;
  const upstream = { service: entry.exposure.service ?? entry.name, port: entry.exposure.port };
  const gates: SsoGate[] = [];
  const hostGroups = allowedGroups(entry.auth);
  if (hostGroups.length > 0) {
    gates.push({
      name: `${entry.name}-sso`,
      entry: entry.name,
      hostname,
      paths: [],
      proxyPrefix: "/oauth2",
      allowedGroups: hostGroups,
      bypass: (entry.exposure.bypassSso ?? []).map((b) => b.path),
      cookieName: `_sso_${entry.name.replace(/-/g, "_")}`,
      cookieExpire: entry.auth === "admin" ? "12h" : "168h",
      upstream,
    });
  }
  const adminPaths = (entry.exposure.adminPaths ?? []).map((a) => a.path);
  if (adminPaths.length > 0 && entry.auth !== "admin") {
    gates.push({
      name: `${entry.name}-sso-admin`,
      entry: entry.name,
      hostname,
      paths: adminPaths,
      proxyPrefix: "/oauth2-admin",
      allowedGroups: [groups.admin],
      bypass: [],
      cookieName: `_sso_${entry.name.replace(/-/g, "_")}_admin`,
      cookieExpire: "12h",
      upstream,
    });
  }
  return gates;
}

const escapeRegExp = (s: string) => s.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&");

/**
 * oauth2-proxy's skip rule for a bypass prefix, matched against the decoded
 * path: the prefix itself or anything below it, and never a `..` segment (so
 * /api/../admin is not "under /api"). Go RE2, anchored at both ends.
 */
export function bypassPattern(prefix: string): string {
  // A path segment that is not `..`: empty, `.`, or anything not made of exactly two dots.
  const segment = String.raw`(?:[^/.][^/]*|\.(?:[^/.][^/]*)?|\.\.[^/]+)?`;
  return `^${escapeRegExp(prefix.replace(/\/+$/, ""))}(?:/${segment})*$`;
}

/** Where a gate listens, whom it asks and whom it fronts: the cluster's or the access-matrix check's loopback ones. */
export interface SsoEndpoints {
  listen: string;
  /** The OIDC issuer, exactly as its discovery document says (Authentik's ends in a slash). */
  issuer: string;
  /** The public origin browsers use (the callback is under it). */
  origin: string;
  upstream: string;
  /** False only on plain-HTTP loopback. */
  secureCookie: boolean;
}

/** The gate's endpoints in the cluster: Authentik's per-application issuer, the public hostname, the app's Service. */
export function clusterEndpoints(gate: SsoGate, domain: string): SsoEndpoints {
  return {
    listen: `0.0.0.0:${ssoProxyPort}`,
    issuer: `https://auth.${domain}/application/o/${gate.name}/`,
    origin: `https://${gate.hostname}`,
    upstream: `http://${gate.upstream.service}.${gate.entry}.svc.cluster.local:${gate.upstream.port}/`,
    secureCookie: true,
  };
}

/** A TOML value: JSON's string escapes are TOML's basic-string escapes, so any text stays one string. */
const toml = (v: string | boolean | string[]): string => (Array.isArray(v) ? `[${v.map((s) => JSON.stringify(s)).join(", ")}]` : typeof v === "boolean" ? String(v) : JSON.stringify(v));

/**
 * oauth2-proxy's configuration file for a gate. Secrets are not in it: the
 * client secret and the cookie secret come from the environment
 * (OAUTH2_PROXY_CLIENT_SECRET, OAUTH2_PROXY_COOKIE_SECRET).
 */
export function oauth2ProxyConfig(gate: SsoGate, at: SsoEndpoints): string {
  const settings: [string, string | boolean | string[], string?][] = [
    ["http_address", at.listen],
    // The Gateway and Cloudflare sit in front, but X-Forwarded-Uri would then decide which path is checked: off, so a client cannot name a bypass path.
    ["reverse_proxy", false],
    ["provider", "oidc"],
    ["provider_display_name", "Authentik"],
    ["oidc_issuer_url", at.issuer],
    ["client_id", gate.name],
    ["code_challenge_method", "S256"],
    ["scope", "openid email profile"],
    ["oidc_groups_claim", "groups"],
    ["allowed_groups", gate.allowedGroups],
    // Who gets in is decided by group; any address of a member is fine.
    ["email_domains", ["*"]],
    ["proxy_prefix", gate.proxyPrefix],
    ["redirect_url", `${at.origin}${gate.proxyPrefix}/callback`],
    // Straight to Authentik, no intermediate "sign in" page.
    ["skip_provider_button", true],
    ["upstreams", [at.upstream]],
    // A large WebDAV or photo upload is answered only once the app has stored it.
    ["upstream_timeout", "10m"],
    ["skip_auth_routes", gate.bypass.map(bypassPattern)],
    ["cookie_name", gate.cookieName],
    ["cookie_secure", at.secureCookie],
    ["cookie_samesite", "lax"],
    ["cookie_expire", gate.cookieExpire],
    // The app sees who signed in (X-Forwarded-User, -Email, -Groups); a client's own such headers are dropped on bypass paths too.
    ["pass_user_headers", true],
    ["skip_auth_strip_headers", true],
  ];
  return `# oauth2-proxy for ${gate.hostname}${gate.paths.length ? ` (${gate.paths.join(", ")})` : ""}: admits ${gate.allowedGroups.join(", ")}\n${settings.map(([k, v]) => `${k} = ${toml(v)}`).join("\n")}\n`;
}

/** A gate that admits group admin alone is the admin tier of its entry, whatever the entry's own tier. */
const gateLabels = (gate: SsoGate, tier: string) => ({
  [serviceLabel]: gate.entry,
  [authTierLabel]: gate.allowedGroups.length === 1 && gate.allowedGroups[0] === groups.admin ? "admin" : tier,
  [ssoGateLabel]: gate.name,
});

/** The groups a rendered configuration admits (its allowed_groups line), for the policy config. */
export function admittedGroups(config: string): string[] {
  const line = /^allowed_groups = (\[.*\])$/m.exec(config);
  return line ? (JSON.parse(line[1]) as string[]) : [];
}
const selector = (gate: SsoGate) => ({ "app.kubernetes.io/name": "oauth2-proxy", "app.kubernetes.io/instance": gate.name });

/** The Bitwarden secrets of a gate, written by the identity plane; the Secret's keys are the environment oauth2-proxy reads. */
export const gateSecrets = (gate: SsoGate) => [
  { env: "OAUTH2_PROXY_CLIENT_SECRET", key: "client-secret", bitwarden: `${gate.name}-client-secret` },
  { env: "OAUTH2_PROXY_COOKIE_SECRET", key: "cookie-secret", bitwarden: `${gate.name}-cookie-secret` },
];

/** What a gate is on the cluster: its configuration, secrets, the proxy and its Service. */
export function ssoGateManifests(gate: SsoGate, tier: string, domain: string): Manifest[] {
  const labels = gateLabels(gate, tier);
  const config = oauth2ProxyConfig(gate, clusterEndpoints(gate, domain));
  const meta = { name: gate.name, namespace: gate.entry, labels };
  const secret = `${gate.name}-secrets`;
  return [
    { apiVersion: "v1", kind: "ConfigMap", metadata: meta, data: { [ssoGateConfigKey]: config } },
    externalSecret(
      secret,
      gate.entry,
      gateSecrets(gate).map((x) => ({ key: x.key, bitwardenId: x.bitwarden })),
      { labels },
    ),
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: meta,
      spec: {
        replicas: 1,
        selector: { matchLabels: selector(gate) },
        template: {
          // A new configuration rolls the pod.
          metadata: { labels: { ...labels, ...selector(gate) }, annotations: { "checksum/config": createHash("sha256").update(config).digest("hex") } },
          spec: {
            automountServiceAccountToken: false,
            securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: "RuntimeDefault" } },
            containers: [
              {
                name: "oauth2-proxy",
                image: imageString(serviceImages.oauth2Proxy),
                args: [`--config=${configDir}/${ssoGateConfigKey}`],
                ports: [{ name: "http", containerPort: ssoProxyPort, protocol: "TCP" }],
                env: gateSecrets(gate).map((s) => ({ name: s.env, valueFrom: { secretKeyRef: { name: secret, key: s.key } } })),
                resources: ssoProxyResources,
                readinessProbe: { httpGet: { path: "/ready", port: "http" }, periodSeconds: 10 },
                livenessProbe: { httpGet: { path: "/ping", port: "http" }, periodSeconds: 20 },
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
                volumeMounts: [{ name: "config", mountPath: configDir, readOnly: true }],
              },
            ],
            volumes: [{ name: "config", configMap: { name: gate.name } }],
          },
        },
      },
    },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: meta,
      spec: { type: "ClusterIP", selector: selector(gate), ports: [{ name: "http", port: ssoProxyPort, targetPort: "http", protocol: "TCP" }] },
    },
  ];
}
