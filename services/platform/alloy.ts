// Grafana Alloy (wave 1, every cluster): the pods' logs to Loki, and on the
// clusters without Prometheus the services' probes too, all to prod
// (components/monitoring/telemetry.ts). One replica per cluster: it reads
// logs through the API server, so it needs no host paths and no privileges.
import { charts } from "../../config/versions";
import { resources } from "../../components/platform/resources";
import { monitoringNamespace } from "../../components/monitoring/metrics";
import { alloyConfig, alloyRelease } from "../../components/monitoring/telemetry";
import { AddonEntry } from "../entry";

export const alloy: AddonEntry = {
  name: "alloy",
  chart: charts.alloy,
  namespace: monitoringNamespace,
  releaseName: alloyRelease,
  wave: 1,
  // In the monitoring namespace Pulumi creates (components/platform/monitoring.ts).
  enabled: () => true,
  values: (ctx) => ({
    controller: { type: "deployment", replicas: 1 },
    alloy: {
      configMap: { create: true, content: alloyConfig(ctx.cluster, ctx.telemetry) },
      resources: resources("50m", "192Mi", "500m", "512Mi"),
      securityContext: { runAsNonRoot: true, runAsUser: 473, runAsGroup: 473, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" } },
    },
    configReloader: { resources: resources("5m", "16Mi", "50m", "32Mi") },
    // Only the PodLogs CRD, which this configuration does not use.
    crds: { create: false },
    service: { type: "ClusterIP" },
  }),
  declaration: {
    workloads: [
      { path: "alloy.resources", replicasPath: "controller.replicas" },
      { path: "configReloader.resources", replicasPath: "controller.replicas" },
    ],
    servicePaths: ["service.type"],
  },
};
