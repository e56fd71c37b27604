// Grafana (FR-020): the dashboards and the logs of every cluster, for admins
// only. Authentik signs them in (its own OIDC client, group admin only, made
// Grafana admins; nobody else gets a role, and there is no local admin). The
// datasources and every dashboard are code (components/monitoring/dashboards.ts),
// read-only in the UI; nothing is kept that a restart could lose.
import { serviceCharts } from "../config/versions";
import { accessGroups } from "../contract/labels";
import { allDashboards, dashboardJson, datasources } from "../components/monitoring/dashboards";
import { monitoringNamespace } from "../components/monitoring/metrics";
import { resources } from "../components/platform/resources";
import { ServiceEntry } from "./entry";

const port = 3000;
/** Where the chart mounts the provider's dashboards. */
const dashboardsPath = "/var/lib/grafana/dashboards/homelab";

export const grafana: ServiceEntry = {
  name: "grafana",
  home: "prod",
  dev: { skip: "dev runs no Prometheus or Loki: its metrics and logs are in prod's Grafana" },
  chart: serviceCharts.grafana,
  workloadPaths: {
    server: { resources: "resources", replicas: "replicas" },
    // The chart's init container that fetches remote dashboards (none here: it runs and exits).
    dashboards: { resources: "downloadDashboards.resources" },
  },
  workloads: {
    server: { resources: resources("50m", "160Mi", "500m", "512Mi") },
    dashboards: { resources: resources("10m", "16Mi", "100m", "64Mi") },
  },
  auth: "admin",
  exposure: { kind: "tunnel", subdomain: "grafana", port },
  volumes: [],
  metrics: { port, path: "/metrics", why: "Grafana's own health: its requests, datasource errors, alerting of dashboards" },
  backup: "none",
  backupNote: "dashboards and datasources are code, users come from Authentik, the data is Prometheus' and Loki's: nothing to restore",
  health: { path: "/api/health", port },
  dashboard: { group: "Tools", title: "Monitoring", icon: "di:grafana", description: "Grafana: every cluster's metrics, logs and alerts" },
  secrets: [{ key: "GF_AUTH_GENERIC_OAUTH_CLIENT_SECRET", bitwarden: "grafana-oidc-client-secret" }],
  egress: [{ why: "Prometheus, Loki and Alertmanager", to: { namespace: monitoringNamespace }, ports: [9090, 3100, 9093] }],
  oidc: { redirectPaths: ["/login/generic_oauth"] },
  podSecurity: { level: "restricted" },
  wave: 3,
  values: (ctx) => {
    const auth = `https://auth.${ctx.domain}/application/o`;
    return {
      replicas: 1,
      resources: grafana.workloads.server.resources,
      downloadDashboards: { resources: grafana.workloads.dashboards.resources },
      testFramework: { enabled: false },
      persistence: { enabled: false },
      service: { type: "ClusterIP", port, targetPort: port },
      envFromSecret: ctx.secretName,
      // No local admin: the chart then neither generates a password nor sets one.
      env: { GF_SECURITY_DISABLE_INITIAL_ADMIN_CREATION: "true" },
      "grafana.ini": {
        server: { root_url: ctx.url },
        analytics: { reporting_enabled: false, check_for_updates: false, check_for_plugin_updates: false },
        auth: { disable_login_form: true, signout_redirect_url: `${auth}/grafana/end-session/` },
        "auth.basic": { enabled: false },
        "auth.generic_oauth": {
          enabled: true,
          name: "Authentik",
          client_id: "grafana",
          client_secret: "$__env{GF_AUTH_GENERIC_OAUTH_CLIENT_SECRET}",
          scopes: "openid email profile",
          auth_url: `${auth}/authorize/`,
          token_url: `${auth}/token/`,
          api_url: `${auth}/userinfo/`,
          use_pkce: true,
          auto_login: true,
          allow_sign_up: true,
          groups_attribute_path: "groups",
          allowed_groups: accessGroups.admin,
          // Admins are Grafana admins; anyone else gets no role, and strict refuses them.
          role_attribute_path: `contains(groups[*], '${accessGroups.admin}') && 'Admin'`,
          role_attribute_strict: true,
          allow_assign_grafana_admin: true,
        },
      },
      datasources: {
        "datasources.yaml": { apiVersion: 1, datasources: datasources.map((d) => ({ ...d, access: "proxy", editable: false })) },
      },
      dashboardProviders: {
        "dashboardproviders.yaml": {
          apiVersion: 1,
          providers: [{ name: "homelab", orgId: 1, folder: "Homelab", type: "file", disableDeletion: true, editable: false, options: { path: dashboardsPath } }],
        },
      },
      dashboards: { homelab: Object.fromEntries(allDashboards(ctx.catalog).map((d) => [d.uid, { json: JSON.stringify(dashboardJson(d)) }])) },
    };
  },
};
