// The edge (FR-008): every user connection comes through Cloudflare. Three
// remotely managed tunnels (the management VM, the cloud cluster, the prod
// cluster), each with its ingress from the catalog's public hostnames and a
// 404 for anything else; one proxied DNS record per hostname (the program is
// the zone's only writer of them); Cloudflare Access with Authentik as the
// identity provider in front of every admin hostname and admin path; the
// zone's TLS settings, managed WAF rules and a rate limit on login paths. The
// management VM's connector runs in its compose project; the clusters' read
// their tunnel token from Bitwarden, where this component writes it.
import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { ServiceEntry } from "../services/entry";
import { images } from "../config/versions";
import { PublicRoute, TunnelName, accessGroup, accessTargets, publicRoutes, tunnelIngress, tunnelTokenBitwarden, tunnels } from "./edge/routes";
import { BitwardenSecret, BitwardenTarget } from "./identity/bitwardenSecret";
import { identityNetwork } from "./identity/authentikCompose";
import type { VmWorkload } from "./omni/managementVm";

export interface TunnelEdgeArgs {
  provider: cloudflare.Provider;
  accountId: string;
  zoneId: string;
  /** The Zero Trust team name (<team>.cloudflareaccess.com). */
  accessTeam: string;
  domain: string;
  catalog: readonly ServiceEntry[];
  /** Authentik's OIDC client for Cloudflare Access (the identity plane registers it). */
  accessClient: { clientId: string; clientSecret: pulumi.Input<string>; issuer: string };
  /** Where the clusters' tunnel tokens are written for their connectors. */
  bitwarden: Omit<BitwardenTarget, "accessToken"> & { accessToken: pulumi.Input<string> };
}


/** Paths where people type a password: rate limited per client address (Free plan: one rule, 10 s windows). */
export const loginPaths = ["/api/v3/flows/executor/default-authentication-flow/", "/identity/connect/token", "/login", "/api/auth/login", "/index.php/login"];

/** Cloudflare's Free Managed Ruleset (deployed by default on Free zones; owned here so it stays on). */
export const freeManagedRuleset = "77454fe2d30c4220b5701f6fdfb893ba";

/** The management VM's connector: the tunnel token from .env, readiness from cloudflared itself (the image has no shell). */
export function cloudflaredService(): Record<string, unknown> {
  return {
    image: images.cloudflared,
    container_name: "cloudflared",
    restart: "unless-stopped",
    command: ["tunnel", "--no-autoupdate", "--metrics", "0.0.0.0:2000", "run"],
    environment: { TUNNEL_TOKEN: "${TUNNEL_TOKEN:?set in .env}" },
    networks: [identityNetwork],
    healthcheck: { test: ["CMD", "cloudflared", "tunnel", "--metrics", "localhost:2000", "ready"], interval: "30s", timeout: "10s", retries: 3 },
    deploy: { resources: { limits: { memory: "256m" } } },
  };
}

export class TunnelEdge extends pulumi.ComponentResource {
  readonly routes: PublicRoute[];
  /** The management VM's connector, for OmniServer's compose project, and its .env value (secret). */
  readonly workload: VmWorkload;
  readonly env: pulumi.Output<Record<string, string>>;
  readonly tunnelIds: Record<TunnelName, pulumi.Output<string>>;

  constructor(name: string, args: TunnelEdgeArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:index:TunnelEdge", name, {}, opts);
    const cf = { parent: this, provider: args.provider };
    const { accountId, zoneId } = args;
    this.routes = publicRoutes(args.domain, args.catalog);

    const tokens = {} as Record<TunnelName, pulumi.Output<string>>;
    this.tunnelIds = {} as Record<TunnelName, pulumi.Output<string>>;
    for (const t of tunnels) {
      const secret = new random.RandomBytes(`${name}-${t}-tunnel-secret`, { length: 32 }, { parent: this });
      const tunnel = new cloudflare.ZeroTrustTunnelCloudflared(`${name}-${t}-tunnel`, { accountId, name: `homelab-${t}`, configSrc: "cloudflare", tunnelSecret: secret.base64 }, cf);
      new cloudflare.ZeroTrustTunnelCloudflaredConfig(`${name}-${t}-tunnel-config`, { accountId, tunnelId: tunnel.id, config: { ingresses: tunnelIngress(this.routes, t) } }, cf);
      // cloudflared's token: base64 of {"a": account, "t": tunnel, "s": secret}, built here so no API call has to return it.
      tokens[t] = pulumi.secret(pulumi.all([tunnel.id, secret.base64]).apply(([id, s]) => Buffer.from(JSON.stringify({ a: accountId, t: id, s })).toString("base64")));
      this.tunnelIds[t] = tunnel.id;
    }
    for (const r of this.routes) {
      new cloudflare.DnsRecord(
        `${name}-dns-${r.service}`,
        { zoneId, name: r.hostname, type: "CNAME", content: pulumi.interpolate`${this.tunnelIds[r.tunnel]}.cfargotunnel.com`, proxied: true, ttl: 1, comment: `homelab: ${r.service} through the ${r.tunnel} tunnel` },
        cf,
      );
    }
    // The clusters' connectors read their token from Bitwarden.
    for (const t of tunnels.filter((x) => x !== "mgmt")) {
      new BitwardenSecret(`${name}-bitwarden-${t}-tunnel-token`, { ...args.bitwarden, key: tunnelTokenBitwarden(t), value: tokens[t], note: "generated by the homelab program (TunnelEdge)" }, { parent: this });
    }

    // Access: Authentik as the identity provider; a user must carry group admin in the groups claim.
    const issuer = args.accessClient.issuer.replace(/\/$/, "");
    const idp = new cloudflare.ZeroTrustAccessIdentityProvider(
      `${name}-access-idp`,
      {
        accountId,
        name: "Authentik",
        type: "oidc",
        config: {
          clientId: args.accessClient.clientId,
          clientSecret: pulumi.secret(args.accessClient.clientSecret),
          authUrl: `https://auth.${args.domain}/application/o/authorize/`,
          tokenUrl: `https://auth.${args.domain}/application/o/token/`,
          certsUrl: `${issuer}/jwks/`,
          claims: ["groups"],
          scopes: ["openid", "email", "profile"],
          pkceEnabled: true,
        },
      },
      cf,
    );
    const admins = new cloudflare.ZeroTrustAccessPolicy(
      `${name}-access-admins`,
      { accountId, name: "homelab admins", decision: "allow", includes: [{ oidc: { claimName: "groups", claimValue: accessGroup, identityProviderId: idp.id } }] },
      cf,
    );
    for (const target of accessTargets(this.routes)) {
      new cloudflare.ZeroTrustAccessApplication(
        `${name}-access-${target.id}`,
        {
          accountId,
          name: target.name,
          type: "self_hosted",
          destinations: [{ type: "public", uri: target.uri }],
          allowedIdps: [idp.id],
          autoRedirectToIdentity: true,
          sessionDuration: "12h",
          policies: [{ id: admins.id, precedence: 1 }],
        },
        cf,
      );
    }

    // The zone: full (strict) TLS to origins, HTTPS only, TLS 1.2 or newer.
    const settings: [string, string][] = [
      ["ssl", "strict"],
      ["always_use_https", "on"],
      ["min_tls_version", "1.2"],
    ];
    for (const [settingId, value] of settings) new cloudflare.ZoneSetting(`${name}-zone-${settingId.replace(/_/g, "-")}`, { zoneId, settingId, value }, cf);
    new cloudflare.Ruleset(
      `${name}-waf-managed`,
      {
        zoneId,
        name: "homelab managed rules",
        kind: "zone",
        phase: "http_request_firewall_managed",
        rules: [{ ref: "free-managed", description: "Cloudflare Free Managed Ruleset", expression: "true", action: "execute", actionParameters: { id: freeManagedRuleset }, enabled: true }],
      },
      cf,
    );
    new cloudflare.Ruleset(
      `${name}-rate-limit`,
      {
        zoneId,
        name: "homelab login rate limit",
        kind: "zone",
        phase: "http_ratelimit",
        rules: [
          {
            ref: "login-paths",
            description: "Password guessing on any login page",
            expression: `(http.request.uri.path in {${loginPaths.map((p) => JSON.stringify(p)).join(" ")}})`,
            action: "block",
            ratelimit: { characteristics: ["cf.colo.id", "ip.src"], period: 10, requestsPerPeriod: 10, mitigationTimeout: 10 },
            enabled: true,
          },
        ],
      },
      cf,
    );

    this.workload = { services: { cloudflared: cloudflaredService() }, envNames: ["TUNNEL_TOKEN"], files: [], steps: [] };
    this.env = pulumi.secret(tokens.mgmt.apply((token): Record<string, string> => ({ TUNNEL_TOKEN: token })));
    this.registerOutputs({ routes: this.routes, tunnelIds: this.tunnelIds });
  }
}
