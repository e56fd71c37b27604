// Every public hostname and the tunnel that carries it, derived from the
// catalog: one tunnel per place that holds origins (the management VM for
// Authentik, the cloud cluster and the prod cluster for their services), each
// with its connectors there, so no port is open at home. Pure: the tunnel
// configuration, the DNS records and the Access applications are all read
// from these routes, and verify feeds the same ingress to cloudflared.
import { allowedGroups, groups } from "../identity/groups";
import type { AuthTier } from "../../contract/labels";
import type { ServiceEntry } from "../../services/entry";
import { gatewayNamespace, tunnelGatewayName } from "../platform/cilium";

export const tunnels = ["mgmt", "cloud", "prod"] as const;
export type TunnelName = (typeof tunnels)[number];

/** The Bitwarden secret a cluster's connectors read their tunnel token from (TunnelEdge writes it). */
export const tunnelTokenBitwarden = (tunnel: TunnelName) => `cloudflared-${tunnel}-tunnel-token`;

/** Cilium names the Service of a Gateway cilium-gateway-<name>: the origin of every route of a cluster tunnel. */
export const gatewayOrigin = `http://cilium-gateway-${tunnelGatewayName}.${gatewayNamespace}.svc.cluster.local:80`;
/** Authentik's server as the management VM's connector reaches it (the compose network). */
export const authentikOrigin = "http://authentik-server:9000";

export interface PublicRoute {
  hostname: string;
  /** The catalog entry, or `authentik`. */
  service: string;
  tier: AuthTier;
  tunnel: TunnelName;
  origin: string;
  /** Who may enter, in words (the plan's table). */
  admits: string;
  /** Paths only group admin may reach (Access applications of their own). */
  adminPaths: string[];
  /** Paths that keep the app's own login. */
  bypassSso: string[];
}

function admitsInWords(tier: AuthTier): string {
  if (tier === "public") return "anyone";
  if (tier === "native") return "anyone with an account of the app";
  return `Authentik group${allowedGroups(tier).length > 1 ? "s" : ""} ${allowedGroups(tier).join(", ")}${tier === "admin" ? " (and Cloudflare Access)" : ""}`;
}

/** Every public hostname: Authentik's, then each tunnel entry of the catalog on the cluster that runs it. */
export function publicRoutes(domain: string, catalog: readonly ServiceEntry[]): PublicRoute[] {
  const routes: PublicRoute[] = [
    // Authentik is the login page of every SSO app and Cloudflare Access's identity provider: never behind Access itself.
    { hostname: `auth.${domain}`, service: "authentik", tier: "public", tunnel: "mgmt", origin: authentikOrigin, admits: "anyone (the sign-in page)", adminPaths: [], bypassSso: [] },
  ];
  for (const e of catalog) {
    if (e.exposure.kind !== "tunnel") continue;
    routes.push({
      hostname: `${e.exposure.subdomain}.${domain}`,
      service: e.name,
      tier: e.auth,
      tunnel: e.home,
      origin: gatewayOrigin,
      admits: admitsInWords(e.auth),
      adminPaths: (e.exposure.adminPaths ?? []).map((a) => a.path),
      bypassSso: (e.exposure.bypassSso ?? []).map((b) => b.path),
    });
  }
  return routes;
}

/** One ingress rule of a tunnel, as Cloudflare's API and cloudflared's config file both spell it. */
export interface IngressRule {
  hostname?: string;
  service: string;
}

/** A tunnel's ingress: one rule per hostname, in a stable order, then the catch-all cloudflared requires. */
export function tunnelIngress(routes: readonly PublicRoute[], tunnel: TunnelName): IngressRule[] {
  return [
    ...routes
      .filter((r) => r.tunnel === tunnel)
      .map((r) => ({ hostname: r.hostname, service: r.origin }))
      .sort((a, b) => a.hostname.localeCompare(b.hostname)),
    { service: "http_status:404" },
  ];
}

/** What Cloudflare Access guards: every admin hostname whole, and each admin path of the others. */
export interface AccessTarget {
  /** Logical name part: the entry, and the path when it is one. */
  id: string;
  name: string;
  /** host or host/path, as Access destinations take them. */
  uri: string;
}

export function accessTargets(routes: readonly PublicRoute[]): AccessTarget[] {
  return routes.flatMap((r) =>
    r.tier === "admin"
      ? [{ id: r.service, name: `${r.service} (admins)`, uri: r.hostname }]
      : r.adminPaths.map((p) => ({ id: `${r.service}${p.replace(/[^a-z0-9]+/gi, "-")}`, name: `${r.service} ${p} (admins)`, uri: `${r.hostname}${p}` })),
  );
}

/** The group Access admits, by the groups claim Authentik sends. */
export const accessGroup = groups.admin;
