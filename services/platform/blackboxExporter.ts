// The blackbox exporter (wave 1, prod): the prober behind every service's
// Probe object (components/monitoring/probes.ts). One module, HTTP 2xx
// without following redirects. The other clusters probe with Alloy's
// embedded copy of the same exporter and the same module.
import { charts } from "../../config/versions";
import { resources } from "../../components/platform/resources";
import { monitoringNamespace } from "../../components/monitoring/metrics";
import { blackboxModules, blackboxRelease } from "../../components/monitoring/probes";
import { AddonEntry } from "../entry";

export const blackboxExporter: AddonEntry = {
  name: "blackbox-exporter",
  chart: charts.blackboxExporter,
  namespace: monitoringNamespace,
  releaseName: blackboxRelease,
  // After the monitoring namespace (Pulumi, wave 0); Prometheus finds it through the Probe objects.
  wave: 1,
  enabled: (ctx) => ctx.alerting !== undefined,
  values: () => ({
    replicas: 1,
    config: { modules: blackboxModules },
    resources: resources("10m", "32Mi", "200m", "64Mi"),
    service: { type: "ClusterIP" },
  }),
  declaration: {
    workloads: [{ path: "resources", replicasPath: "replicas" }],
    servicePaths: ["service.type"],
  },
};
