// Grafana's datasources and dashboards, as code (FR-020): the host and its
// ZFS pool, the clusters' nodes, Cilium and Hubble, Argo CD, Longhorn, Omni,
// and one dashboard per group of the family's services (from the catalog).
// Pure: the Grafana entry carries them in its values; the tests and verify
// check that each is valid JSON, that UIDs are unique, that every panel
// names a datasource that exists, and (with promtool) that every PromQL
// query parses.
import type { ServiceEntry } from "../../services/entry";
import { hostScrapeJob, homelabMetrics as m, managementVm, monitoringNamespace, prometheusInClusterUrl } from "./metrics";
import { servicesProbeJob } from "./probes";
import { alertmanagerUrl, lokiRelease } from "./telemetry";
import { authentikEvents } from "./logRules";

export interface Datasource {
  name: string;
  uid: string;
  type: "prometheus" | "loki" | "alertmanager";
  url: string;
  isDefault?: boolean;
  jsonData?: Record<string, unknown>;
}

/** Grafana's datasources: prod's Prometheus (every cluster's metrics), Loki (every cluster's logs), Alertmanager. */
export const datasources: Datasource[] = [
  { name: "Prometheus", uid: "prometheus", type: "prometheus", url: prometheusInClusterUrl, isDefault: true },
  { name: "Loki", uid: "loki", type: "loki", url: `http://${lokiRelease}.${monitoringNamespace}.svc.cluster.local:3100` },
  { name: "Alertmanager", uid: "alertmanager", type: "alertmanager", url: alertmanagerUrl, jsonData: { implementation: "prometheus" } },
];

export interface PanelQuery {
  /** PromQL for Prometheus, LogQL for Loki. */
  expr: string;
  legend?: string;
}

export interface PanelSpec {
  title: string;
  type: "timeseries" | "stat" | "table" | "logs";
  datasource: "prometheus" | "loki";
  queries: PanelQuery[];
  unit?: string;
  description?: string;
}

export interface DashboardSpec {
  uid: string;
  title: string;
  tags: string[];
  panels: PanelSpec[];
}

/** The datasource a panel or query names, in Grafana's model. */
const ref = (uid: PanelSpec["datasource"]) => ({ type: uid, uid });

/** Grafana's dashboard JSON model for a spec: two panels a row, each query a target. */
export function dashboardJson(d: DashboardSpec): Record<string, unknown> {
  return {
    uid: d.uid,
    title: d.title,
    tags: ["homelab", ...d.tags],
    timezone: "browser",
    editable: false,
    schemaVersion: 39,
    time: { from: "now-24h", to: "now" },
    refresh: "1m",
    templating: { list: [] },
    panels: d.panels.map((p, i) => ({
      id: i + 1,
      type: p.type,
      title: p.title,
      ...(p.description ? { description: p.description } : {}),
      datasource: ref(p.datasource),
      gridPos: { x: (i % 2) * 12, y: Math.floor(i / 2) * 8, w: 12, h: 8 },
      fieldConfig: { defaults: { ...(p.unit ? { unit: p.unit } : {}) }, overrides: [] },
      options: {},
      targets: p.queries.map((q, j) => ({ refId: String.fromCharCode(65 + j), datasource: ref(p.datasource), expr: q.expr, ...(q.legend ? { legendFormat: q.legend } : {}) })),
    })),
  };
}

const ts = (title: string, queries: PanelQuery[], unit?: string, description?: string): PanelSpec => ({ title, type: "timeseries", datasource: "prometheus", queries, unit, description });
const stat = (title: string, expr: string, unit?: string): PanelSpec => ({ title, type: "stat", datasource: "prometheus", queries: [{ expr }], unit });
const logs = (title: string, expr: string): PanelSpec => ({ title, type: "logs", datasource: "loki", queries: [{ expr }] });

const host = `job="${hostScrapeJob}"`;

/** The platform's dashboards, one per piece the admin looks after. */
export const platformDashboards: DashboardSpec[] = [
  {
    uid: "homelab-host",
    title: "Proxmox host and ZFS",
    tags: ["host"],
    panels: [
      ts("CPU busy", [{ expr: `1 - avg(rate(node_cpu_seconds_total{${host},mode="idle"}[5m]))`, legend: "busy" }], "percentunit"),
      ts("Memory available", [{ expr: `node_memory_MemAvailable_bytes{${host}}`, legend: "available" }], "bytes"),
      ts("Filesystem free", [{ expr: `node_filesystem_avail_bytes{${host},fstype!~"tmpfs|ramfs"} / node_filesystem_size_bytes{${host},fstype!~"tmpfs|ramfs"}`, legend: "{{mountpoint}}" }], "percentunit"),
      ts("ZFS pool errors", [{ expr: m.zpoolErrors, legend: "{{pool}} {{kind}}" }, { expr: m.zpoolScrubErrors, legend: "{{pool}} scrub" }]),
      stat("Days since the last scrub", `(time() - ${m.zpoolLastScrub}) / 86400`, "d"),
      ts("SMART health (1 = passing)", [{ expr: "smartmon_device_smart_healthy", legend: "{{disk}}" }]),
      ts("Reallocated sectors", [{ expr: "smartmon_reallocated_sector_ct_raw_value", legend: "{{disk}}" }]),
      ts("Backups: hours since the last success", [{ expr: `(time() - max by (backup, class) (max_over_time(${m.backupLastSuccess}[30d]))) / 3600`, legend: "{{backup}} ({{class}})" }], "h"),
    ],
  },
  {
    uid: "homelab-nodes",
    title: "Kubernetes nodes",
    tags: ["kubernetes"],
    panels: [
      ts("Nodes ready (prod)", [{ expr: 'kube_node_status_condition{condition="Ready",status="true"}', legend: "{{node}}" }]),
      ts("CPU busy by node (prod)", [{ expr: 'sum by (instance) (1 - rate(node_cpu_seconds_total{job="node-exporter",mode="idle"}[5m])) / count by (instance) (node_cpu_seconds_total{job="node-exporter",mode="idle"})', legend: "{{instance}}" }], "percentunit"),
      ts("Memory available by node (prod)", [{ expr: 'node_memory_MemAvailable_bytes{job="node-exporter"}', legend: "{{instance}}" }], "bytes"),
      ts("Container memory by cluster and namespace", [{ expr: 'sum by (cluster, namespace) (container_memory_working_set_bytes{container!=""})', legend: "{{cluster}} {{namespace}}" }], "bytes"),
      ts("Pods not running", [{ expr: 'sum by (namespace) (kube_pod_status_phase{phase=~"Pending|Failed|Unknown"})', legend: "{{namespace}}" }]),
      logs("Warnings and errors, every cluster", '{cluster=~".+"} |~ "(?i)(error|warn)"'),
    ],
  },
  {
    uid: "homelab-cilium",
    title: "Cilium and Hubble",
    tags: ["network"],
    panels: [
      ts("Flows by verdict", [{ expr: "sum by (verdict) (rate(hubble_flows_processed_total[5m]))", legend: "{{verdict}}" }], "ops"),
      ts("Drops by reason", [{ expr: "sum by (reason) (rate(hubble_drop_total[5m]))", legend: "{{reason}}" }], "ops"),
      ts("DNS queries by answer", [{ expr: "sum by (rcode) (rate(hubble_dns_responses_total[5m]))", legend: "{{rcode}}" }], "ops"),
      ts("HTTP requests by namespace and status", [{ expr: "sum by (destination_namespace, status) (rate(hubble_http_requests_total[5m]))", legend: "{{destination_namespace}} {{status}}" }], "reqps"),
      ts("Endpoints by state", [{ expr: "sum by (endpoint_state) (cilium_endpoint_state)", legend: "{{endpoint_state}}" }]),
      ts("Policy denials", [{ expr: 'sum by (direction) (rate(hubble_drop_total{reason="POLICY_DENIED"}[5m]))', legend: "{{direction}}" }], "ops"),
    ],
  },
  {
    uid: "homelab-argocd",
    title: "Argo CD",
    tags: ["delivery"],
    panels: [
      ts("Applications by health", [{ expr: "sum by (health_status) (argocd_app_info)", legend: "{{health_status}}" }]),
      ts("Applications by sync state", [{ expr: "sum by (sync_status) (argocd_app_info)", legend: "{{sync_status}}" }]),
      { title: "Applications not healthy or not synced", type: "table", datasource: "prometheus", queries: [{ expr: 'argocd_app_info{health_status!="Healthy"} or argocd_app_info{sync_status!="Synced"}' }] },
      ts("Syncs by result", [{ expr: "sum by (phase) (increase(argocd_app_sync_total[1h]))", legend: "{{phase}}" }]),
    ],
  },
  {
    uid: "homelab-longhorn",
    title: "Longhorn",
    tags: ["storage"],
    panels: [
      ts("Volume robustness (1 healthy, 2 degraded, 3 faulted)", [{ expr: "longhorn_volume_robustness", legend: "{{volume}}" }]),
      ts("Volume use", [{ expr: "longhorn_volume_actual_size_bytes / longhorn_volume_capacity_bytes", legend: "{{volume}}" }], "percentunit"),
      ts("Node storage use", [{ expr: "longhorn_node_storage_usage_bytes / longhorn_node_storage_capacity_bytes", legend: "{{node}}" }], "percentunit"),
      ts("Persistent volume claims free", [{ expr: "kubelet_volume_stats_available_bytes / kubelet_volume_stats_capacity_bytes", legend: "{{namespace}}/{{persistentvolumeclaim}}" }], "percentunit"),
    ],
  },
  {
    uid: "homelab-omni",
    title: "Omni and the management VM",
    tags: ["management"],
    panels: [
      ts("Management VM up", [{ expr: `up{job="${managementVm.job}"}`, legend: "{{instance}}" }]),
      ts("Omni's memory", [{ expr: `process_resident_memory_bytes{job="${managementVm.omniJob}"}`, legend: "omni" }], "bytes"),
      ts("Management VM memory available", [{ expr: `node_memory_MemAvailable_bytes{job="${managementVm.job}"}`, legend: "available" }], "bytes"),
      ts("Management VM containers' memory", [{ expr: `container_memory_working_set_bytes{job="${managementVm.containersJob}",name!=""}`, legend: "{{name}}" }], "bytes"),
      ts("Cloud usage of the Always Free allowance", [{ expr: m.ociAlwaysFreeRatio, legend: "{{resource}}" }], "percentunit"),
      ts("Sign-ins by user and address (5 min)", [{ expr: m.authentikSignIns, legend: "{{user_username}} {{client_ip}}" }]),
      logs("Authentik sign-ins and failures", `${authentikEvents} | action=~"login|login_failed"`),
    ],
  },
];

/** One dashboard per group of the family's services (the groups of the family page), each service's probe and availability. */
export function serviceDashboards(catalog: readonly ServiceEntry[]): DashboardSpec[] {
  const groups = [...new Set(catalog.map((e) => e.dashboard.group))].sort();
  return groups.map((group) => {
    const entries = catalog.filter((e) => e.dashboard.group === group);
    const names = entries.map((e) => e.name).join("|");
    const probe = `job="${servicesProbeJob}",service=~"${names}"`;
    return {
      uid: `homelab-services-${group.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`,
      title: `Services: ${group}`,
      tags: ["services"],
      panels: [
        ts("Answering (1 = up)", [{ expr: `probe_success{${probe}}`, legend: "{{service}} ({{cluster}})" }]),
        ts("Answer time", [{ expr: `probe_duration_seconds{${probe}}`, legend: "{{service}}" }], "s"),
        stat("Availability, last 30 days", `avg_over_time(probe_success{${probe}}[30d])`, "percentunit"),
        ts("Memory by service", [{ expr: `sum by (namespace) (container_memory_working_set_bytes{namespace=~"${names}",container!=""})`, legend: "{{namespace}}" }], "bytes"),
        logs("Errors", `{namespace=~"${names}"} |~ "(?i)error"`),
      ],
    };
  });
}

export const allDashboards = (catalog: readonly ServiceEntry[]): DashboardSpec[] => [...platformDashboards, ...serviceDashboards(catalog)];

/**
 * What is wrong with a set of dashboards, each as the JSON text Grafana
 * loads: text that does not parse, a UID used twice (Grafana keeps one), a
 * panel or query naming a datasource that is not provisioned, a panel
 * without a query, two panels with one ID.
 */
export function dashboardProblems(texts: Record<string, string>, sources: readonly Pick<Datasource, "uid">[]): string[] {
  const problems: string[] = [];
  const uids = new Map<string, string>();
  const known = new Set(sources.map((s) => s.uid));
  for (const [name, text] of Object.entries(texts)) {
    let d: { uid?: unknown; panels?: unknown };
    try {
      d = JSON.parse(text);
    } catch (err) {
      problems.push(`${name}: not JSON (${(err as Error).message})`);
      continue;
    }
    if (typeof d.uid !== "string" || d.uid === "") problems.push(`${name}: no uid`);
    else if (uids.has(d.uid)) problems.push(`${name}: uid ${d.uid} is also ${uids.get(d.uid)}'s`);
    else uids.set(d.uid, name);
    const panels = Array.isArray(d.panels) ? (d.panels as Record<string, unknown>[]) : [];
    if (panels.length === 0) problems.push(`${name}: no panels`);
    const ids = new Set<unknown>();
    for (const p of panels) {
      const title = JSON.stringify(p.title);
      if (ids.has(p.id)) problems.push(`${name}: panel id ${String(p.id)} used twice`);
      ids.add(p.id);
      const targets = Array.isArray(p.targets) ? (p.targets as Record<string, unknown>[]) : [];
      if (targets.length === 0) problems.push(`${name}: panel ${title} has no query`);
      for (const source of [p.datasource, ...targets.map((t) => t.datasource)]) {
        const uid = (source as { uid?: unknown } | undefined)?.uid;
        if (typeof uid !== "string" || !known.has(uid)) problems.push(`${name}: panel ${title} reads datasource ${JSON.stringify(uid)}, which is not provisioned (${[...known].join(", ")})`);
      }
    }
  }
  return problems;
}

/** Every query of one datasource in dashboards as Grafana loads them (JSON texts by name): PromQL for promtool, LogQL for logql-check. */
export function queriesOfJson(texts: Record<string, string>, datasource: "prometheus" | "loki"): { dashboard: string; panel: string; expr: string }[] {
  return Object.entries(texts).flatMap(([name, text]) => {
    const panels = ((JSON.parse(text) as { panels?: Record<string, unknown>[] }).panels ?? []) as Record<string, unknown>[];
    return panels.flatMap((p) =>
      ((p.targets as Record<string, unknown>[] | undefined) ?? [])
        .filter((t) => (t.datasource as { uid?: unknown } | undefined)?.uid === datasource)
        .map((t) => ({ dashboard: name, panel: String(p.title), expr: String(t.expr) })),
    );
  });
}

export const promqlOfJson = (texts: Record<string, string>) => queriesOfJson(texts, "prometheus");
export const logqlOfJson = (texts: Record<string, string>) => queriesOfJson(texts, "loki");

/** Every PromQL query of the program's dashboards, read the same way. */
export const promqlQueries = (dashboards: readonly DashboardSpec[]) => promqlOfJson(Object.fromEntries(dashboards.map((d) => [d.uid, JSON.stringify(dashboardJson(d))])));
