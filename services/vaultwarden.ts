// Vaultwarden (FR-012): the family's passwords. Web vault login through
// Authentik (its own OIDC), sign-ups closed, the admin page for admins.
import { serviceImages } from "../config/versions";
import { appTemplateChart, appTemplateValues, appTemplateWorkloadPaths } from "./appTemplate";
import { oidcIssuer, ServiceEntry } from "./entry";
import { resources } from "../components/platform/resources";

export const vaultwarden: ServiceEntry = {
  name: "vaultwarden",
  home: "cloud",
  chart: appTemplateChart,
  workloadPaths: appTemplateWorkloadPaths(["server"]),
  workloads: { server: { resources: resources("25m", "96Mi", "500m", "384Mi") } },
  auth: "sso",
  exposure: {
    kind: "tunnel",
    subdomain: "vault",
    port: 80,
    bypassSso: [
      // Browser extensions and the mobile apps speak Bitwarden's API with their own tokens; they cannot follow an SSO redirect.
      { path: "/api", why: "Bitwarden clients' API (their own tokens)" },
      { path: "/identity", why: "clients' login and the OIDC callback" },
      { path: "/notifications/hub", why: "live sync over WebSocket" },
      { path: "/icons", why: "site icons fetched by the clients" },
      { path: "/attachments", why: "attachment downloads by the clients" },
    ],
    // Vaultwarden's own admin token guards it too; the edge keeps everyone else from even seeing it.
    adminPaths: [{ path: "/admin", why: "server settings, users and invitations" }],
  },
  volumes: [{ kind: "data", name: "data", sizeGi: 2, mountPath: "/data" }],
  backup: "critical",
  database: { engine: "postgres", sizeGi: 2, resources: resources("50m", "192Mi", "500m", "512Mi") },
  health: { path: "/alive", port: 80 },
  dashboard: { group: "Home", title: "Passwords", icon: "di:vaultwarden", description: "Vaultwarden: the family's passwords" },
  secrets: [
    // An argon2 hash (vaultwarden hash); the admin page is also limited to the admin group at the edge.
    { key: "ADMIN_TOKEN", bitwarden: "vaultwarden-admin-token" },
    { key: "SSO_CLIENT_SECRET", bitwarden: "vaultwarden-oidc-client-secret" },
  ],
  egress: [{ why: "mobile push notifications through Bitwarden's relay", to: ["push.bitwarden.com", "identity.bitwarden.com"], ports: [443] }],
  oidc: { redirectPaths: ["/identity/connect/oidc-signin"] },
  podSecurity: { level: "restricted" },
  wave: 3,
  values: (ctx) =>
    appTemplateValues(vaultwarden, ctx, {
      containers: {
        server: {
          image: serviceImages.vaultwarden,
          env: {
            DOMAIN: ctx.url,
            SIGNUPS_ALLOWED: "false",
            INVITATIONS_ALLOWED: "true",
            SHOW_PASSWORD_HINT: "false",
            ENABLE_WEBSOCKET: "true",
            ROCKET_PORT: "80",
            SSO_ENABLED: "true",
            SSO_ONLY: "false",
            SSO_AUTHORITY: oidcIssuer(ctx, "vaultwarden"),
            SSO_CLIENT_ID: "vaultwarden",
            SSO_PKCE: "true",
            SSO_SIGNUPS_MATCH_EMAIL: "true",
            DATABASE_URL: { valueFrom: { secretKeyRef: { name: ctx.database?.secret, key: "uri" } } },
          },
        },
      },
    }),
};
