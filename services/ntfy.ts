// ntfy (FR-021): where alerts reach the admins' phones. Alertmanager
// publishes critical alerts to homelab-critical and the digest to
// homelab-digest with its own write-only token; the admins subscribe with
// ntfy's app, signed in as ntfy's admin. Nothing is readable without signing
// in, nobody may sign up, and the users come from the stack at every start
// (components/monitoring/ntfy.ts): the web app is the admins' alone.
import { serviceImages } from "../config/versions";
import { resources } from "../components/platform/resources";
import { monitoringNamespace } from "../components/monitoring/metrics";
import { ntfyAuthSecret, ntfyPort } from "../components/monitoring/ntfy";
import { generatedSecretNameOf } from "../components/service/manifests";
import { appTemplateChart, appTemplateValues, appTemplateWorkloadPaths } from "./appTemplate";
import { ServiceEntry } from "./entry";

const dataPath = "/var/lib/ntfy";
const ntfyMetricsPort = 9091;

export const ntfy: ServiceEntry = {
  name: "ntfy",
  home: "prod",
  dev: { skip: "dev's alerts go to prod's Alertmanager and ntfy" },
  chart: appTemplateChart,
  workloadPaths: appTemplateWorkloadPaths(["server"]),
  workloads: { server: { resources: resources("10m", "48Mi", "200m", "192Mi") } },
  // Its own accounts: phones subscribe with a password or token, which an SSO login page would stop.
  auth: "native",
  exposure: { kind: "tunnel", subdomain: "ntfy", port: ntfyPort },
  volumes: [{ kind: "data", name: "data", sizeGi: 1, mountPath: dataPath }],
  backup: "none",
  backupNote: "the users are the stack's, set at every start; the cache holds the last 12 hours of notifications",
  health: { path: "/v1/health", port: ntfyPort },
  // On a port of their own, which the route never carries.
  metrics: { port: ntfyMetricsPort, path: "/metrics", why: "messages published and delivered, and failed deliveries: an alert path that stops delivering" },
  dashboard: { group: "Tools", title: "Notifications", icon: "di:ntfy", description: "ntfy: alerts on the admins' phones", adminsOnly: "only the admins hold an ntfy account" },
  secrets: [],
  generatedSecret: { keys: ntfyAuthSecret.keys, why: "the users, access rules and Alertmanager's token, hashed from passwords the stack generates" },
  // iPhones are woken through ntfy.sh, which only learns that a message waits (never its text).
  egress: [{ why: "instant delivery to iPhones (upstream poll requests to ntfy.sh)", to: ["ntfy.sh"], ports: [443] }],
  ingressFrom: [
    { namespace: monitoringNamespace, ports: [ntfyPort], why: "Alertmanager publishes the alerts" },
    { namespace: "gaming-launch", ports: [ntfyPort], why: "the gaming launch page says when the VM is ready" },
  ],
  podSecurity: { level: "restricted" },
  wave: 2,
  values: (ctx) =>
    appTemplateValues(ntfy, ctx, {
      containers: {
        server: {
          image: serviceImages.ntfy,
          args: ["serve"],
          env: {
            NTFY_BASE_URL: ctx.url,
            NTFY_LISTEN_HTTP: `:${ntfyPort}`,
            // Behind the tunnel's proxy: rate limits per visitor, not per proxy.
            NTFY_BEHIND_PROXY: "true",
            NTFY_CACHE_FILE: `${dataPath}/cache.db`,
            NTFY_CACHE_DURATION: "12h",
            NTFY_AUTH_FILE: `${dataPath}/user.db`,
            NTFY_AUTH_DEFAULT_ACCESS: "deny-all",
            NTFY_ENABLE_LOGIN: "true",
            NTFY_REQUIRE_LOGIN: "true",
            NTFY_ENABLE_SIGNUP: "false",
            NTFY_UPSTREAM_BASE_URL: "https://ntfy.sh",
            NTFY_ENABLE_METRICS: "true",
            NTFY_METRICS_LISTEN_HTTP: `:${ntfyMetricsPort}`,
          },
        },
      },
      envFromSecrets: [generatedSecretNameOf(ntfy)],
      extraPorts: { metrics: ntfyMetricsPort },
    }),
};
