import { ResourceValidationPolicy } from "@pulumi/policy";
import { ExposedServicesConfig } from "../../contract/policyConfig";
import { chartInstalls, chartsSchema, declaredChart, podSpecPaths, valueAt } from "./kubernetesInputs";
import { types } from "./types";

const exposing = ["LoadBalancer", "NodePort"];

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/**
 * Ports a pod opens on its node's own address: every hostPort, and with
 * hostNetwork every container port (the container listens in the node's
 * network namespace).
 */
function nodePorts(pod: unknown): string[] {
  const hostNetwork = valueAt(pod, "hostNetwork") === true;
  const containers = [...list(valueAt(pod, "containers")), ...list(valueAt(pod, "initContainers"))];
  return containers.flatMap((c) =>
    list(valueAt(c, "ports")).flatMap((p) => {
      const hostPort = valueAt(p, "hostPort");
      const port = hostPort !== undefined ? hostPort : hostNetwork ? valueAt(p, "containerPort") : undefined;
      return port === undefined ? [] : [`${String(valueAt(c, "name"))}:${String(port)}/${String(valueAt(p, "protocol") ?? "TCP")}`];
    }),
  );
}

/**
 * Services are reached through the Gateway; only the few the config lists
 * (say, DNS on the LAN) get a LoadBalancer address or a node port. A pod can
 * open a port on its node without any Service (hostPort, hostNetwork): the
 * same list decides. A chart's
 * Services cannot be listed: its name and namespace are the chart's to choose,
 * so an exposed chart Service would be exposed wherever the chart goes.
 */
export const exposedServicesPolicy: ResourceValidationPolicy = {
  name: "exposed-services",
  description:
    "Only Services listed in the config (namespace/name) are of type LoadBalancer or NodePort, and only workloads listed there open a port on their node (hostPort, or a port with hostNetwork); installed charts expose none.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      allowed: { type: "array", items: { type: "string" }, default: [] },
      charts: chartsSchema,
    },
  },
  validateResource: (args, reportViolation) => {
    const config = args.getConfig<ExposedServicesConfig>();
    if (args.type === types.service) {
      const type = valueAt(args.props, "spec.type");
      const known = (path: string, otherwise: string) => {
        const value = valueAt(args.props, path);
        return typeof value === "string" ? value : otherwise;
      };
      // Without metadata.name the provider names the Service after the resource.
      const id = `${known("metadata.namespace", "default")}/${known("metadata.name", args.name)}`;
      if (typeof type === "string" && exposing.includes(type) && !config.allowed.includes(id)) {
        reportViolation(`Service ${id} is of type ${type}, which the config does not allow; expected ClusterIP behind the Gateway, or ${id} in exposed-services allowed`);
      }
    }
    const podPath = podSpecPaths[args.type];
    if (podPath !== undefined) {
      const namespace = valueAt(args.props, "metadata.namespace");
      const name = valueAt(args.props, "metadata.name");
      const id = `${typeof namespace === "string" ? namespace : "default"}/${typeof name === "string" ? name : args.name}`;
      const ports = nodePorts(valueAt(args.props, podPath));
      if (ports.length > 0 && !config.allowed.includes(id)) {
        reportViolation(`${args.type.split(":").pop()} ${id} opens ${ports.join(", ")} on its node's address; expected ports behind a Service (no hostPort, no listening with hostNetwork), or ${id} in exposed-services allowed`);
      }
    }
    for (const install of chartInstalls(args.type, args.name, args.props)) {
      for (const path of declaredChart(config.charts, install)?.servicePaths ?? []) {
        const type = valueAt(install.values, path);
        if (typeof type === "string" && exposing.includes(type)) {
          reportViolation(`${install.resource}: ${install.valuesPath}.${path} is ${type}; expected ClusterIP (a chart's Services cannot be allowed: expose it through the Gateway)`);
        }
      }
    }
  },
};
