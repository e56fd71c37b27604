// n8n (FR-029): the family's automations. The community edition has no
// OIDC, so the editor sits behind the SSO proxy (and keeps its own owner
// login); the URLs that outside callers hit skip SSO. One pod, no queue:
// a family's workflows fit, and Redis stays out.
import { serviceCharts, serviceImages } from "../config/versions";
import { resources } from "../components/platform/resources";
import { claimNameOf } from "../components/service/manifests";
import { DataVolume, ServiceEntry } from "./entry";

const data: DataVolume = { kind: "data", name: "data", sizeGi: 5, mountPath: "/home/node/.n8n" };

export const n8n: ServiceEntry = {
  name: "n8n",
  home: "cloud",
  chart: serviceCharts.n8n,
  workloadPaths: { main: { resources: "resources.main", replicas: "replicaCount" } },
  workloads: { main: { resources: resources("50m", "384Mi", "1000m", "1Gi") } },
  auth: "sso",
  exposure: {
    kind: "tunnel",
    subdomain: "n8n",
    // The chart names its Service <release>-main.
    service: "n8n-main",
    port: 5678,
    // Listed one by one: the SSO work may match whole path segments, and /webhook does not cover /webhook-test then.
    bypassSso: [
      { path: "/webhook", why: "production webhooks, called by outside services" },
      { path: "/webhook-test", why: "test webhooks, called by the same services while a workflow is built" },
      { path: "/webhook-waiting", why: "resume URLs of Wait nodes, called back by outside services" },
      { path: "/form", why: "form triggers, filled in by people without an account" },
      { path: "/form-waiting", why: "the next pages of multi-step forms" },
      { path: "/mcp", why: "MCP server triggers, called by AI clients with their own bearer token" },
      { path: "/healthz", why: "the monitoring probe" },
    ],
  },
  volumes: [data],
  backup: "critical",
  database: { engine: "postgres", sizeGi: 5, resources: resources("50m", "192Mi", "500m", "512Mi") },
  health: { path: "/healthz", port: 5678 },
  metrics: { port: 5678, path: "/metrics", why: "workflow executions, their failures and the queue: a broken automation shows before someone misses it" },
  dashboard: { group: "Tools", title: "Automations", icon: "di:n8n", description: "n8n: the family's automations" },
  secrets: [
    // Encrypts the credentials stored in the database: losing it loses them all (openssl rand -hex 32).
    { key: "N8N_ENCRYPTION_KEY", bitwarden: "n8n-encryption-key" },
  ],
  // The chart reads these three from the same Secret (secretKeyRef, not optional).
  secretTemplate: (ctx) => ({
    N8N_HOST: new URL(ctx.url ?? "http://localhost").host,
    N8N_PORT: "5678",
    // TLS ends at Cloudflare; https here would make n8n serve TLS itself.
    N8N_PROTOCOL: "http",
  }),
  egress: [{ why: "the APIs the family's workflows call", to: "world", ports: [443] }],
  podSecurity: { level: "restricted" },
  wave: 3,
  values: (ctx) => ({
    image: { repository: serviceImages.n8n.repository, tag: serviceImages.n8n.tag },
    queueMode: { enabled: false },
    redis: { enabled: false },
    replicaCount: 1,
    // The data claim is written by one pod at a time.
    strategy: { type: "Recreate" },
    database: {
      type: "postgresdb",
      useExternal: true,
      host: ctx.database?.host,
      port: ctx.database?.port,
      database: ctx.database?.name,
      user: ctx.database?.user,
      passwordSecret: { name: ctx.database?.secret, key: ctx.database?.passwordKey },
    },
    // Community nodes, binary data and n8n's own settings; the workflows are in the database.
    persistence: { enabled: true, existingClaim: claimNameOf(n8n, data) },
    secretRefs: { existingSecret: ctx.secretName },
    // WEBHOOK_URL and the editor's base URL: the public address, not the pod's.
    webhook: { url: ctx.url },
    config: {
      timezone: ctx.timezone,
      extraEnv: [
        // One proxy (the Gateway) in front: client addresses come from X-Forwarded-For.
        { name: "N8N_PROXY_HOPS", value: "1" },
        { name: "N8N_DIAGNOSTICS_ENABLED", value: "false" },
        // /metrics, read inside the cluster (the route puts it behind the SSO gate).
        { name: "N8N_METRICS", value: "true" },
      ],
    },
    resources: { main: n8n.workloads.main.resources },
    // One replica: a PodDisruptionBudget of minAvailable 1 would block every node drain.
    pdb: { enabled: false },
    // n8n never calls the Kubernetes API.
    rbac: { create: false },
    serviceAccount: { automountServiceAccountToken: false },
  }),
};
