import { ResourceValidationPolicy } from "@pulumi/policy";
import { ExposedServicesConfig } from "../../contract/policyConfig";
import { chartInstalls, chartsSchema, declaredChart, valueAt } from "./kubernetesInputs";
import { types } from "./types";

const exposing = ["LoadBalancer", "NodePort"];

/**
 * Services are reached through the Gateway; only the few the config lists
 * (say, DNS on the LAN) get a LoadBalancer address or a node port. A chart's
 * Services cannot be listed: its name and namespace are the chart's to choose,
 * so an exposed chart Service would be exposed wherever the chart goes.
 */
export const exposedServicesPolicy: ResourceValidationPolicy = {
  name: "exposed-services",
  description: "Only Services listed in the config (namespace/name) are of type LoadBalancer or NodePort; installed charts expose none.",
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
