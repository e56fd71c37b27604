// Loki (wave 1, prod): every cluster's logs, one binary on a Longhorn
// volume, kept 30 days and deleted by its compactor after that; the volume
// holds what that many days need with room to spare (retention is by age:
// the plan shows both). Single tenant: only the program's Alloys write to it.
import { charts } from "../../config/versions";
import { resources } from "../../components/platform/resources";
import { monitoringNamespace } from "../../components/monitoring/metrics";
import { alertmanagerUrl, lokiRelease, prometheusWriteUrl } from "../../components/monitoring/telemetry";
import { lokiRulesConfigMap, lokiRulesDirectory, lokiTenant } from "../../components/monitoring/logRules";
import { AddonEntry } from "../entry";

export const lokiStorage = { sizeGi: 20, retentionDays: 30 } as const;

export const loki: AddonEntry = {
  name: "loki",
  chart: charts.loki,
  namespace: monitoringNamespace,
  releaseName: lokiRelease,
  wave: 1,
  enabled: (ctx) => ctx.telemetry.role === "receiver",
  values: (ctx) => ({
    deploymentMode: "SingleBinary",
    loki: {
      auth_enabled: false,
      commonConfig: { replication_factor: 1 },
      storage: { type: "filesystem" },
      schemaConfig: { configs: [{ from: "2026-01-01", store: "tsdb", object_store: "filesystem", schema: "v13", index: { prefix: "index_", period: "24h" } }] },
      limits_config: { retention_period: `${lokiStorage.retentionDays * 24}h` },
      compactor: { retention_enabled: true, delete_request_store: "filesystem" },
      // Log-based alerts go to the same Alertmanager as the metric ones; recorded series to Prometheus.
      // The rules are a ConfigMap (components/monitoring/logRules.ts) mounted where local storage reads them.
      rulerConfig: {
        alertmanager_url: alertmanagerUrl,
        enable_api: true,
        storage: { type: "local", local: { directory: lokiRulesDirectory } },
        rule_path: "/var/loki/ruler-scratch",
        wal: { dir: "/var/loki/ruler-wal" },
        remote_write: { enabled: true, clients: { prometheus: { url: prometheusWriteUrl } } },
      },
    },
    singleBinary: {
      replicas: 1,
      resources: resources("100m", "256Mi", "1", "1Gi"),
      persistence: { size: `${lokiStorage.sizeGi}Gi`, storageClass: ctx.platform.storage.defaultClass },
      extraVolumes: [{ name: "rules", configMap: { name: lokiRulesConfigMap } }],
      extraVolumeMounts: [{ name: "rules", mountPath: `${lokiRulesDirectory}/${lokiTenant}`, readOnly: true }],
    },
    read: { replicas: 0 },
    write: { replicas: 0 },
    backend: { replicas: 0 },
    gateway: { enabled: false },
    chunksCache: { enabled: false },
    resultsCache: { enabled: false },
    lokiCanary: { enabled: false },
    test: { enabled: false },
    sidecar: { rules: { enabled: false } },
  }),
  declaration: {
    workloads: [{ path: "singleBinary.resources", replicasPath: "singleBinary.replicas" }],
  },
};
