// Comet (FR-014): the Stremio add-on that finds streams through Real-Debrid.
// Real-Debrid accepts an account from one stable address: every outgoing
// request of Comet goes through the static-IP egress proxy on the management
// VM (Squid, the reserved public IP; components/omni/egressProxy.ts), and the
// network policy lets nothing else out, so a request that skipped the proxy
// fails rather than leave from a node's ephemeral IP.
//
// Uptime (99 %): two replicas on different nodes, rolling updates; its cache
// is PostgreSQL (CloudNativePG, one instance: a restart is a minute, well
// inside the 7 hours a month that 99 % allows).
//
// Native tier: Stremio calls the add-on's manifest URL, no browser login. The
// configure page has its own password, the API sits under a secret token
// prefix (/s/<token>/...), the admin dashboard has its own password.
import { serviceImages } from "../config/versions";
import { appTemplateChart, appTemplateValues, appTemplateWorkloadPaths } from "./appTemplate";
import { ServiceEntry } from "./entry";
import { resources } from "../components/platform/resources";

const port = 8000;

export const comet: ServiceEntry = {
  name: "comet",
  home: "cloud",
  chart: appTemplateChart,
  workloadPaths: appTemplateWorkloadPaths(["server"]),
  workloads: { server: { resources: resources("50m", "256Mi", "500m", "768Mi"), replicas: 2 } },
  auth: "native",
  exposure: { kind: "tunnel", subdomain: "comet", port },
  // Nothing on disk: the cache is in PostgreSQL, the API token comes from Bitwarden.
  volumes: [],
  backup: "none",
  backupNote: "a cache of search results, rebuilt by use; the add-on's settings live in each player's manifest URL",
  database: { engine: "postgres", sizeGi: 4, resources: resources("25m", "128Mi", "200m", "512Mi") },
  health: { path: "/health", port },
  objective: { availability: 0.99, why: "streams fail mid-film when the add-on is down; the PRD's 99 %" },
  dashboard: { group: "Media", title: "Streams", icon: "di:stremio", description: "Comet: the Stremio add-on for Real-Debrid" },
  secrets: [
    { key: "ADMIN_DASHBOARD_PASSWORD", bitwarden: "comet-admin-password" },
    { key: "CONFIGURE_PAGE_PASSWORD", bitwarden: "comet-configure-password" },
    // The add-on's URL prefix; fixed, so the players' installed manifest URLs survive restarts and both replicas agree.
    { key: "PUBLIC_API_TOKEN", bitwarden: "comet-api-token" },
  ],
  egress: [{ why: "Real-Debrid, the scrapers and metadata, all from the reserved public IP", to: "static-ip-proxy" }],
  podSecurity: { level: "restricted" },
  wave: 3,
  values: (ctx) =>
    appTemplateValues(comet, ctx, {
      containers: {
        server: {
          image: serviceImages.comet,
          env: {
            FASTAPI_HOST: "0.0.0.0",
            FASTAPI_PORT: String(port),
            PUBLIC_BASE_URL: ctx.url,
            DATABASE_TYPE: "postgresql",
            DATABASE_PASSWORD: { valueFrom: { secretKeyRef: { name: ctx.database?.secret, key: ctx.database?.passwordKey } } },
            // Comet's form is user:password@host:port/database; Kubernetes expands $(DATABASE_PASSWORD), defined first.
            DATABASE_URL: { value: `${ctx.database?.user}:$(DATABASE_PASSWORD)@${ctx.database?.host}:${ctx.database?.port}/${ctx.database?.name}`, dependsOn: "DATABASE_PASSWORD" },
            GLOBAL_PROXY_URL: ctx.staticEgressProxy,
            PROXY_ETHOS: "always",
            // Streams go from Real-Debrid to the player directly: proxying them would use the free tier's bandwidth.
            PROXY_DEBRID_STREAM: "False",
          },
        },
      },
      // Its working files (the SQLite path it never uses, Prometheus' scratch) on scratch space; the root stays read-only.
      scratch: { tmp: "/tmp", data: "/app/data" },
    }),
};
