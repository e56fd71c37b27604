// CloudNativePG (wave 1): the operator behind every service's own database,
// on each cluster where a service has one.
import { serviceCharts } from "../../config/versions";
import { resources } from "../../components/platform/resources";
import { AddonEntry } from "../entry";

export const cloudnativePg: AddonEntry = {
  name: "cloudnative-pg",
  chart: serviceCharts.cloudnativePg,
  namespace: "cnpg-system",
  releaseName: "cloudnative-pg",
  wave: 1,
  // Its CRDs are too large for a client-side apply's last-applied annotation.
  syncOptions: ["ServerSideApply=true"],
  enabled: (ctx) => ctx.databases === true,
  values: () => ({ resources: resources("50m", "128Mi", "500m", "384Mi"), monitoring: { podMonitorEnabled: false } }),
  declaration: { workloads: [{ path: "resources", replicasPath: "replicaCount" }] },
};
