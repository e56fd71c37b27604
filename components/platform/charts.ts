// Where each chart takes its containers' resources, and which of its values
// choose a Service type. The policies `container-resources`,
// `exposed-services` and `cluster-budget` read this table (through the
// policy config) to check the values the program computes.
import type { ChartsConfig } from "../../contract/policyConfig";
import { charts } from "../../config/versions";
import { catalog } from "../../services";
import { addons } from "../../services/platform";
import { serviceChartDeclarations } from "../service/manifests";

/** The charts Pulumi installs directly (wave 0), then each add-on's and each service release's declaration from its entry. */
export const chartTable: ChartsConfig = {
  [charts.cilium.chart]: {
    workloads: [
      { path: "resources", perNode: true },
      { path: "initResources", perNode: true, init: true },
      { path: "cni.resources", perNode: true, init: true },
      { path: "envoy.resources", perNode: true },
      { path: "operator.resources", replicasPath: "operator.replicas" },
      { path: "hubble.relay.resources" },
      { path: "hubble.ui.backend.resources" },
      { path: "hubble.ui.frontend.resources" },
    ],
    servicePaths: ["hubble.ui.service.type"],
  },
  [charts.argoCd.chart]: {
    workloads: [
      { path: "controller.resources", replicasPath: "controller.replicas" },
      { path: "repoServer.resources", replicasPath: "repoServer.replicas" },
      { path: "repoServer.copyutil.resources", init: true },
      { path: "server.resources", replicasPath: "server.replicas" },
      { path: "applicationSet.resources", replicasPath: "applicationSet.replicas" },
      { path: "redis.resources" },
      { path: "redisSecretInit.resources", init: true },
    ],
    servicePaths: ["server.service.type"],
  },
  [charts.certManager.chart]: {
    workloads: [{ path: "resources" }, { path: "webhook.resources" }, { path: "cainjector.resources" }, { path: "startupapicheck.resources", init: true }],
  },
  [charts.externalSecrets.chart]: {
    workloads: [{ path: "resources" }, { path: "webhook.resources" }, { path: "certController.resources" }, { path: "bitwarden-sdk-server.resources" }],
  },
  ...Object.fromEntries(addons.map((a) => [a.chart.chart, a.declaration])),
  ...serviceChartDeclarations(catalog),
};
