// Rules over logs (FR-021, security), evaluated by prod's Loki ruler: a
// burst of failed Authentik sign-ins alerts by itself (to the same
// Alertmanager); every successful sign-in is recorded as a series in
// Prometheus, where the new-address alerts compare it with 30 days of
// history (alerts.ts, securityGroup). Authentik logs each event it creates
// as one JSON line ("Created Event", with its action, client_ip and user);
// the management VM's Alloy ships them labelled host and container
// (vmTelemetry.ts). Pure: the Loki add-on mounts the file, verify reads it
// with Loki's own parser (logql-check).
import { stringify } from "yaml";
import type { Manifest } from "../platform/context";
import { type Severity } from "./alerts";
import { homelabMetrics as m, managementVm, monitoringNamespace } from "./metrics";
import { drillLogPrefix, resultLogPrefix } from "../backup/restic";

/** Loki's tenant when authentication is off: the ruler reads <directory>/fake/. */
export const lokiTenant = "fake";
export const lokiRulesDirectory = "/etc/loki/rules";
export const lokiRulesConfigMap = "loki-rules";
export const lokiRulesFile = "homelab.yaml";

/** Authentik's event lines: the server creates the sign-in events. */
export const authentikEvents = `{host="${managementVm.host}", container="authentik-server"} |= "Created Event" | json | event="Created Event"`;

/** How many failed sign-ins in 10 minutes make a burst: more than a family member mistyping, fewer than a guessing script. */
export const failedSignInBurst = 10;

export interface LogAlert {
  alert: string;
  expr: string;
  for: string;
  severity: Severity;
  summary: string;
}

export interface LogRecording {
  record: string;
  expr: string;
}

export const logAlerts: LogAlert[] = [
  {
    alert: "AuthentikSignInFailures",
    expr: `sum(count_over_time(${authentikEvents} | action="login_failed" [10m])) >= ${failedSignInBurst}`,
    for: "0m",
    severity: "critical",
    summary: `${failedSignInBurst} or more failed sign-ins to Authentik in 10 minutes: someone may be guessing passwords (Grafana, Authentik sign-ins)`,
  },
];

export const logRecordings: LogRecording[] = [
  {
    record: m.authentikSignIns,
    expr: `sum by (user_username, client_ip) (count_over_time(${authentikEvents} | action="login" [5m]))`,
  },
];

/** The container name of every backup job and of every restore drill, on the clusters and on the management VM: the rules select on it. */
export const backupContainer = "backup";
export const drillContainer = "restore-drill";
const backupLines = `{container="${backupContainer}"} |= "${resultLogPrefix} " | logfmt`;
const drillLines = `{container="${drillContainer}"} |= "${drillLogPrefix} " | logfmt`;

/**
 * The backup jobs' and drills' result lines (components/backup/restic.ts) as
 * the metrics the backup alerts read. Each sample lives an hour here; the
 * alerts look back over Prometheus' days (alerts.ts), so a nightly job's
 * result holds until the next one.
 */
export const backupLogRecordings: LogRecording[] = [
  { record: m.backupLastSuccess, expr: `max_over_time(${backupLines} | status="ok" | unwrap finished [1h]) by (backup, class)` },
  { record: m.backupLastRunFailed, expr: `last_over_time(${backupLines} | unwrap failed [1h]) by (backup, class)` },
  { record: m.restoreDrillLastSuccess, expr: `max_over_time(${drillLines} | status="ok" | unwrap finished [1h]) by (cluster, backup)` },
  { record: m.restoreDrillLastRunFailed, expr: `last_over_time(${drillLines} | unwrap failed [1h]) by (cluster, backup)` },
  { record: m.restoreDrillDuration, expr: `last_over_time(${drillLines} | unwrap seconds [1h]) by (cluster, backup)` },
];

/** The ruler's file (Prometheus' rule format with LogQL expressions). */
export function lokiRulesDocument(): { groups: Record<string, unknown>[] } {
  return {
    groups: [
      {
        name: "authentik",
        rules: [
          ...logAlerts.map((r) => ({ alert: r.alert, expr: r.expr, for: r.for, labels: { severity: r.severity }, annotations: { summary: r.summary } })),
          ...logRecordings.map((r) => ({ record: r.record, expr: r.expr })),
        ],
      },
      { name: "backups", rules: backupLogRecordings.map((r) => ({ record: r.record, expr: r.expr })) },
    ],
  };
}

/** The ConfigMap the Loki pod mounts at <directory>/<tenant>. */
export function lokiRulesManifest(): Manifest {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: lokiRulesConfigMap, namespace: monitoringNamespace, labels: { "app.kubernetes.io/part-of": "homelab-monitoring" } },
    data: { [lokiRulesFile]: stringify(lokiRulesDocument()) },
  };
}

/** The plan's alert table rows of the log alerts (the ruler's group). */
export function logAlertTable(receiverOf: (s: Severity) => string): { alert: string; group: string; severity: Severity; for: string; receiver: string }[] {
  return logAlerts.map((r) => ({ alert: r.alert, group: "security-logs", severity: r.severity, for: r.for, receiver: receiverOf(r.severity) }));
}
