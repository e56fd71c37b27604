// Where each chart takes its containers' resources, and which of its values
// choose a Service type. The policies `container-resources`,
// `exposed-services` and `cluster-budget` read this table (through the
// policy config) to check the values the program computes.
import type { ChartsConfig } from "../../contract/policyConfig";
import { charts, gitCharts, serviceCharts } from "../../config/versions";
import { longhornContainerDefaults } from "./storage";

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
  [charts.csiDriverNfs.chart]: {
    workloads: [
      ...["csiProvisioner", "csiResizer", "csiSnapshotter", "livenessProbe", "nfs"].map((c) => ({ path: `controller.resources.${c}`, replicasPath: "controller.replicas" })),
      ...["livenessProbe", "nodeDriverRegistrar", "nfs"].map((c) => ({ path: `node.resources.${c}`, perNode: true })),
    ],
  },
  [gitCharts.localPath.chart]: { workloads: [{ path: "resources" }] },
  [serviceCharts.cloudnativePg.chart]: { workloads: [{ path: "resources", replicasPath: "replicaCount" }] },
  [charts.longhorn.chart]: {
    workloads: [],
    servicePaths: ["service.ui.type"],
    estimated: {
      reason: `the chart has no resources keys; a LimitRange in longhorn-system gives every container ${longhornContainerDefaults.request.cpu}/${longhornContainerDefaults.request.memory} requests`,
      // About a dozen containers on one worker, plus the instance manager's guaranteed CPU (12% of 6 cores).
      memoryMiB: 12 * parseInt(longhornContainerDefaults.request.memory, 10),
      milliCpu: 12 * parseInt(longhornContainerDefaults.request.cpu, 10) + 720,
    },
  },
};
