import { ResourceValidationPolicy } from "@pulumi/policy";
import { ContainerResourcesConfig } from "../../contract/policyConfig";
import { chartInstalls, chartsSchema, containersOf, declaredChart, memoryMiB, milliCpu, valueAt, workloadLabel } from "./kubernetesInputs";

const groups = ["requests", "limits"] as const;
const quantities = [
  { key: "cpu", parse: milliCpu, expected: "millicores like 100m or cores like 0.5" },
  { key: "memory", parse: memoryMiB, expected: "a size like 128Mi or 1Gi" },
] as const;

/** What is wrong with one resources block, each to follow its subject ("values.x.resources", "container app resources"). */
export function resourcesProblems(resources: unknown): string[] {
  if (resources === null || typeof resources !== "object") {
    return [`${resources === undefined || resources === null ? "is not set" : "is not a resources block"}; expected requests and limits for cpu and memory`];
  }
  const problems: string[] = [];
  const parsed: Record<string, number | undefined> = {};
  for (const group of groups) {
    for (const { key, parse, expected } of quantities) {
      const value = valueAt(resources, `${group}.${key}`);
      parsed[`${group}.${key}`] = parse(value);
      if (value === undefined || value === null || value === "") problems.push(`has no ${group}.${key}; expected ${expected}`);
      else if (parse(value) === undefined) problems.push(`${group}.${key} ${JSON.stringify(value)} is not a valid quantity; expected ${expected}`);
    }
  }
  for (const { key } of quantities) {
    const [request, limit] = groups.map((g) => parsed[`${g}.${key}`]);
    if (request !== undefined && limit !== undefined && request > limit) {
      problems.push(`requests.${key} ${String(valueAt(resources, `requests.${key}`))} is more than limits.${key} ${String(valueAt(resources, `limits.${key}`))}; expected requests <= limits`);
    }
  }
  return problems;
}

/**
 * Every container says what it needs and may use: requests are what the
 * cluster budget adds up (a node is only as full as its requests), limits keep
 * one runaway pod from starving the small nodes the platform shares.
 */
export const containerResourcesPolicy: ResourceValidationPolicy = {
  name: "container-resources",
  description: "Every container of a raw workload, and every declared workload of an installed chart, sets requests and limits for cpu and memory, with requests <= limits.",
  enforcementLevel: "mandatory",
  configSchema: { properties: { charts: chartsSchema } },
  validateResource: (args, reportViolation) => {
    const { charts } = args.getConfig<ContainerResourcesConfig>();
    for (const install of chartInstalls(args.type, args.name, args.props)) {
      if (install.chart === undefined) continue; // a git source of plain manifests: its services come out of the services reserve
      const declared = declaredChart(charts, install);
      if (!declared) {
        reportViolation(`${install.resource}: chart ${install.chart} has no declared workloads in the policy config; declare where its containers' resources are set`);
        continue;
      }
      for (const workload of declared.workloads) {
        const subject = `${install.valuesPath}.${workload.path}`;
        for (const problem of resourcesProblems(valueAt(install.values, workload.path))) reportViolation(`${install.resource}: ${subject} ${problem}`);
      }
    }
    for (const container of containersOf(args.type, args.props)) {
      for (const problem of resourcesProblems(container.resources)) reportViolation(`${workloadLabel(args.type, args.name)}: ${container.label} resources ${problem}`);
    }
  },
};
