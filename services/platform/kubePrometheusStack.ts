// kube-prometheus-stack (wave 1, prod): Prometheus with the program's alert
// rules (components/monitoring/alerts.ts, unit-tested by promtool), and
// Alertmanager with the program's routing (components/monitoring/alertmanager.ts:
// critical to Telegram and ntfy at once, warnings to a digest), the same
// releases `npm run verify` runs end to end. Prometheus keeps 30 days within
// 90 % of its Longhorn volume. The chart's own rules are off (ours replace
// them); Talos does not expose the control plane's metrics ports, so those
// scrapes are off rather than always down.
import { charts, monitoringReleases } from "../../config/versions";
import { resources } from "../../components/platform/resources";
import { rulesDocument } from "../../components/monitoring/alerts";
import { alertmanagerConfig, notifySecret, ntfyTokenSecret } from "../../components/monitoring/alertmanager";
import { monitoringNamespace } from "../../components/monitoring/metrics";
import { backupLabel } from "../../contract/labels";
import { AddonEntry } from "../entry";

/** Prometheus' volume and what it keeps: the retention stops at 90 % of the volume whatever the days say. */
export const prometheusStorage = { sizeGi: 20, retentionDays: 30, retentionGb: 18 } as const;

export const kubePrometheusStack: AddonEntry = {
  name: "kube-prometheus-stack",
  chart: charts.kubePrometheusStack,
  namespace: monitoringNamespace,
  releaseName: "kube-prometheus-stack",
  // Its namespace (privileged, for the node exporter) and Alertmanager's tokens are created first, by
  // Pulumi (components/platform/monitoring.ts).
  wave: 1,
  // Its CRDs are too large for a client-side apply's last-applied annotation.
  syncOptions: ["ServerSideApply=true"],
  enabled: (ctx) => ctx.alerting !== undefined,
  values: (ctx) => {
    const alerting = ctx.alerting;
    if (!alerting) throw new Error(`kube-prometheus-stack on ${ctx.cluster}: no alerting rules and routing given`);
    return {
      crds: { enabled: true },
      defaultRules: { create: false },
      // Grafana comes with its dashboards and Authentik sign-in, on its own.
      grafana: { enabled: false },
      kubeProxy: { enabled: false },
      kubeEtcd: { enabled: false },
      kubeControllerManager: { enabled: false },
      kubeScheduler: { enabled: false },
      additionalPrometheusRulesMap: { homelab: rulesDocument(alerting.groups) },
      prometheus: {
        service: { type: "ClusterIP" },
        prometheusSpec: {
          image: { registry: "quay.io", repository: "prometheus/prometheus", tag: `v${monitoringReleases.prometheus}` },
          replicas: 1,
          retention: `${prometheusStorage.retentionDays}d`,
          retentionSize: `${prometheusStorage.retentionGb}GB`,
          externalLabels: { cluster: ctx.cluster },
          // Prod's Alloy forwards what dev and the cloud send (components/monitoring/telemetry.ts).
          enableRemoteWriteReceiver: true,
          resources: resources("100m", "768Mi", "1", "2Gi"),
          // Every rule, monitor and probe in the cluster, not only the chart's own.
          ruleSelectorNilUsesHelmValues: false,
          serviceMonitorSelectorNilUsesHelmValues: false,
          podMonitorSelectorNilUsesHelmValues: false,
          probeSelectorNilUsesHelmValues: false,
          scrapeConfigSelectorNilUsesHelmValues: false,
          // Machines outside the cluster, by address: the host's node exporter (ZFS, SMART and the pool's errors included).
          additionalScrapeConfigs: alerting.scrape.map((s) => ({ job_name: s.job, static_configs: [{ targets: s.targets }] })),
          storageSpec: {
            volumeClaimTemplate: {
              // Metrics are re-collected, never restored: said, not implied.
              metadata: { labels: { [backupLabel]: "none" } },
              spec: { storageClassName: ctx.platform.storage.defaultClass, accessModes: ["ReadWriteOnce"], resources: { requests: { storage: `${prometheusStorage.sizeGi}Gi` } } },
            },
          },
        },
      },
      alertmanager: {
        service: { type: "ClusterIP" },
        config: alertmanagerConfig(alerting.routing),
        alertmanagerSpec: {
          image: { registry: "quay.io", repository: "prometheus/alertmanager", tag: `v${monitoringReleases.alertmanager}` },
          replicas: 1,
          // Mounted at /etc/alertmanager/secrets/<name>/, where the routing reads the tokens.
          secrets: [notifySecret.name, ntfyTokenSecret.name],
          resources: resources("10m", "64Mi", "200m", "256Mi"),
        },
      },
      prometheusOperator: { service: { type: "ClusterIP" }, resources: resources("20m", "96Mi", "200m", "256Mi") },
      "kube-state-metrics": { resources: resources("10m", "64Mi", "200m", "256Mi") },
      "prometheus-node-exporter": { resources: resources("10m", "32Mi", "200m", "128Mi") },
    };
  },
  declaration: {
    workloads: [
      { path: "prometheus.prometheusSpec.resources", replicasPath: "prometheus.prometheusSpec.replicas" },
      { path: "alertmanager.alertmanagerSpec.resources", replicasPath: "alertmanager.alertmanagerSpec.replicas" },
      { path: "prometheusOperator.resources" },
      { path: "kube-state-metrics.resources" },
      { path: "prometheus-node-exporter.resources", perNode: true },
    ],
    servicePaths: ["prometheus.service.type", "alertmanager.service.type", "prometheusOperator.service.type"],
  },
};
