// Mealie (FR-030): the family's recipes and meal plans. Its own accounts,
// with "Login with Authentik" beside them; sign-ups closed.
import { serviceImages } from "../config/versions";
import { appTemplateChart, appTemplateValues, appTemplateWorkloadPaths } from "./appTemplate";
import { oidcIssuer, ServiceEntry } from "./entry";
import { resources } from "../components/platform/resources";

export const mealie: ServiceEntry = {
  name: "mealie",
  home: "cloud",
  chart: appTemplateChart,
  workloadPaths: appTemplateWorkloadPaths(["server"]),
  workloads: { server: { resources: resources("50m", "256Mi", "200m", "1Gi") } },
  auth: "native",
  exposure: { kind: "tunnel", subdomain: "recipes", port: 9000 },
  // Recipe images and assets; the recipes themselves are in PostgreSQL.
  volumes: [{ kind: "data", name: "data", sizeGi: 2, mountPath: "/app/data" }],
  backup: "critical",
  database: { engine: "postgres", sizeGi: 2, resources: resources("25m", "128Mi", "100m", "384Mi") },
  health: { path: "/api/app/about", port: 9000 },
  dashboard: { group: "Home", title: "Recipes", icon: "di:mealie", description: "Mealie: recipes and meal plans" },
  secrets: [{ key: "OIDC_CLIENT_SECRET", bitwarden: "mealie-oidc-client-secret" }],
  // Importing a recipe fetches the page it is on, wherever it is; this also reaches Authentik through Cloudflare.
  egress: [{ why: "recipe imports from any website; Authentik's OIDC endpoints", to: "world", ports: [443] }],
  oidc: { redirectPaths: ["/login"] },
  podSecurity: { level: "restricted" },
  wave: 3,
  values: (ctx) =>
    appTemplateValues(mealie, ctx, {
      containers: {
        server: {
          image: serviceImages.mealie,
          env: {
            // The entrypoint switches user only when started as root; started as 1000 it just runs.
            PUID: "1000",
            PGID: "1000",
            BASE_URL: ctx.url,
            ALLOW_SIGNUP: "false",
            DB_ENGINE: "postgres",
            POSTGRES_SERVER: ctx.database?.host,
            POSTGRES_PORT: String(ctx.database?.port),
            POSTGRES_DB: ctx.database?.name,
            POSTGRES_USER: ctx.database?.user,
            POSTGRES_PASSWORD: { valueFrom: { secretKeyRef: { name: ctx.database?.secret, key: ctx.database?.passwordKey } } },
            OIDC_AUTH_ENABLED: "true",
            OIDC_CONFIGURATION_URL: `${oidcIssuer(ctx, "mealie")}.well-known/openid-configuration`,
            OIDC_CLIENT_ID: "mealie",
            OIDC_PROVIDER_NAME: "Authentik",
            // Family members signing in through Authentik get an account; Authentik's admin group are Mealie admins.
            OIDC_SIGNUP_ENABLED: "true",
            OIDC_ADMIN_GROUP: "admin",
            OIDC_REMEMBER_ME: "true",
          },
        },
      },
    }),
};
