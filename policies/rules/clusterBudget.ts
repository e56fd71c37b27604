import { PolicyConfigSchema, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { BudgetItem, ClusterBudgetConfig, WorkloadDeclaration, regenerateCommand } from "../../contract/policyConfig";
import { chartInstalls, chartsSchema, containersOf, declaredChart, isWorkload, requestsOf, roundUp, sameData, valueAt, workloadLabel } from "./kubernetesInputs";
import { stackOfUrn, types } from "./types";

const capacityKeys = ["nodes", "allocatableMiB", "allocatableMilliCpu", "systemMiB", "systemMilliCpu", "servicesReserveMiB"] as const;

export interface ClusterUsage {
  cluster: string;
  requestsMiB: number;
  requestsMilliCpu: number;
  systemMiB: number;
  systemMilliCpu: number;
  servicesReserveMiB: number;
  allocatableMiB: number;
  allocatableMilliCpu: number;
  /** What is left after system, platform and the services reserve; negative means over budget. */
  freeMiB: number;
  items: BudgetItem[];
}

type Requests = { memoryMiB: number; milliCpu: number };

/** A pod's requests: its containers run side by side, its init containers one at a time before them (as the scheduler counts). */
function podRequests(type: string, props: Record<string, unknown>): Requests {
  const containers = containersOf(type, props).map((c) => ({ init: c.init, ...requestsOf(c.resources) }));
  const total = (key: keyof Requests) => {
    const running = containers.filter((c) => !c.init).reduce((sum, c) => sum + c[key], 0);
    return Math.max(running, ...containers.filter((c) => c.init).map((c) => c[key]));
  };
  return { memoryMiB: total("memoryMiB"), milliCpu: total("milliCpu") };
}

/** True for what the budget counts: Helm releases, Argo CD Applications and raw workloads. */
export const isBudgeted = (type: string): boolean => type === types.argoApplication || type === types.helmRelease || isWorkload(type);

/**
 * What one release, Application or raw workload requests, and on which
 * cluster, read from its inputs; a problem when it targets a cluster the
 * config does not budget. The plan declares this for every such resource, and
 * `cluster-budget-declared` checks the declaration against the same reading.
 */
export function workloadDeclaration(
  r: { type: string; name: string; props: Record<string, unknown> },
  config: Pick<ClusterBudgetConfig, "stackCluster" | "charts" | "clusters">,
): { declaration: WorkloadDeclaration } | { problem: string } {
  const isApplication = r.type === types.argoApplication;
  const label = workloadLabel(r.type, r.name);
  const destination = isApplication ? valueAt(r.props, "spec.destination.name") : config.stackCluster;
  const names = Object.keys(config.clusters).sort();
  if (typeof destination !== "string" || !Object.hasOwn(config.clusters, destination)) {
    const named = typeof destination === "string" && destination !== "";
    const where = isApplication
      ? named ? `targets cluster "${destination}"` : "has no spec.destination.name"
      : named ? `runs on the stack's cluster "${destination}"` : "runs on the stack's cluster, but stackCluster is not set";
    const known = named ? ", which the cluster-budget config does not list" : "";
    return { problem: `${label} ${where}${known}; expected a cluster the config budgets: ${names.join(", ") || "(none)"}` };
  }
  const cluster = config.clusters[destination];
  const items: BudgetItem[] = [];
  const add = (what: string, count: number, each: Requests) =>
    items.push({ resource: count === 1 ? what : `${what} x${count}`, memoryMiB: roundUp(each.memoryMiB * count), milliCpu: roundUp(each.milliCpu * count) });
  for (const install of chartInstalls(r.type, r.name, r.props)) {
    const declared = declaredChart(config.charts, install);
    if (declared?.estimated) add(`${install.resource}: estimated (${declared.estimated.reason})`, 1, declared.estimated);
    for (const w of (declared?.workloads ?? []).filter((w) => !w.init)) {
      const replicas = w.replicasPath === undefined ? undefined : valueAt(install.values, w.replicasPath);
      const count = w.perNode ? cluster.nodes : typeof replicas === "number" ? replicas : (w.replicas ?? 1);
      add(`${install.resource}: ${install.valuesPath}.${w.path}`, count, requestsOf(valueAt(install.values, w.path)));
    }
  }
  if (isWorkload(r.type)) {
    const replicas = valueAt(r.props, r.type === types.cnpgCluster ? "spec.instances" : "spec.replicas");
    const scaled = r.type === types.deployment || r.type === types.statefulSet || r.type === types.cnpgCluster;
    const count = r.type === types.daemonSet ? cluster.nodes : scaled && typeof replicas === "number" ? replicas : 1;
    add(label, count, podRequests(r.type, r.props));
  }
  return { declaration: { cluster: destination, items } };
}

/**
 * Requests against each cluster's room, summed from declarations, for every
 * cluster that has any and the stack's own: the figures `cluster-budget`
 * judges, for the plan to print. Totals are rounded up to whole MiB and millicores.
 */
export function clusterUsage(declarations: WorkloadDeclaration[], config: Pick<ClusterBudgetConfig, "stackCluster" | "clusters">): ClusterUsage[] {
  return Object.keys(config.clusters)
    .filter((name) => name === config.stackCluster || declarations.some((d) => d.cluster === name))
    .map((name) => {
      const c = config.clusters[name];
      const items = declarations.filter((d) => d.cluster === name).flatMap((d) => d.items);
      const requestsMiB = roundUp(items.reduce((sum, i) => sum + i.memoryMiB, 0));
      const requestsMilliCpu = roundUp(items.reduce((sum, i) => sum + i.milliCpu, 0));
      return {
        cluster: name,
        requestsMiB,
        requestsMilliCpu,
        systemMiB: c.systemMiB,
        systemMilliCpu: c.systemMilliCpu,
        servicesReserveMiB: c.servicesReserveMiB,
        allocatableMiB: c.allocatableMiB,
        allocatableMilliCpu: c.allocatableMilliCpu,
        freeMiB: c.allocatableMiB - c.systemMiB - requestsMiB - c.servicesReserveMiB,
        items,
      };
    });
}

const configSchema: PolicyConfigSchema = {
  properties: {
    stackCluster: { type: "string", default: "" },
    charts: chartsSchema,
    clusters: {
      type: "object",
      default: {},
      additionalProperties: {
        type: "object",
        required: [...capacityKeys],
        properties: Object.fromEntries(capacityKeys.map((k) => [k, { type: "number", minimum: 0 }])),
      },
    },
    workloads: {
      type: "object",
      default: {},
      additionalProperties: {
        type: "object",
        required: ["cluster", "items"],
        properties: {
          cluster: { type: "string" },
          items: { type: "array", items: { type: "object", required: ["resource", "memoryMiB", "milliCpu"], properties: { resource: { type: "string" }, memoryMiB: { type: "number" }, milliCpu: { type: "number" } } } },
        },
      },
    },
  },
};

const totals = (d: WorkloadDeclaration) => `${d.cluster}: ${roundUp(d.items.reduce((s, i) => s + i.memoryMiB, 0))} MiB, ${roundUp(d.items.reduce((s, i) => s + i.milliCpu, 0))}m CPU`;

/**
 * Each release, Application and raw workload is declared in the budget with
 * exactly what its inputs request. The analyzer shows a stack policy only
 * outputs, which are empty for every Kubernetes resource in a cluster's first
 * preview; inputs are always there, so the per-resource facts are checked here
 * and summed by `cluster-budget`.
 */
export const clusterBudgetDeclaredPolicy: ResourceValidationPolicy = {
  name: "cluster-budget-declared",
  description: "Every Helm release, Argo CD Application and raw workload is declared in the cluster-budget config with the cluster and requests its inputs give.",
  enforcementLevel: "mandatory",
  configSchema,
  validateResource: (args, reportViolation) => {
    if (!isBudgeted(args.type)) return;
    const config = args.getConfig<ClusterBudgetConfig>();
    const reading = workloadDeclaration(args, config);
    if ("problem" in reading) return reportViolation(reading.problem);
    const declared = Object.hasOwn(config.workloads, args.urn) ? config.workloads[args.urn] : undefined;
    const label = workloadLabel(args.type, args.name);
    const fix = `regenerate the policy config with \`${regenerateCommand(stackOfUrn(args.urn))}\``;
    if (!declared) return reportViolation(`${label} is not declared in the cluster-budget config (its inputs request ${totals(reading.declaration)}); ${fix}`);
    if (!sameData(declared, reading.declaration)) reportViolation(`${label} is declared as ${totals(declared)}, but its inputs request ${totals(reading.declaration)}; ${fix}`);
  },
};

/**
 * The platform fits on its cluster with room to spare: nodes are small (OCI
 * Always Free, home VMs), and the scheduler reserves what pods request, so
 * requests plus the system's share plus the reserve for services must fit in
 * what the nodes can allocate. Judged on the declarations of the resources
 * present in the stack (checked against their inputs by cluster-budget-declared).
 */
export const clusterBudgetPolicy: StackValidationPolicy = {
  name: "cluster-budget",
  description: "Per cluster, system + platform requests + the services reserve fit in allocatable memory, and system + platform CPU requests fit in allocatable CPU.",
  enforcementLevel: "mandatory",
  configSchema,
  validateStack: (args, reportViolation) => {
    const config = args.getConfig<ClusterBudgetConfig>();
    const present = args.resources.filter((r) => isBudgeted(r.type) && Object.hasOwn(config.workloads, r.urn));
    for (const r of present) {
      const cluster = config.workloads[r.urn].cluster;
      if (!Object.hasOwn(config.clusters, cluster)) reportViolation(`${workloadLabel(r.type, r.name)} is declared on cluster "${cluster}", which the cluster-budget config does not list`, r.urn);
    }
    for (const c of clusterUsage(present.map((r) => config.workloads[r.urn]), config)) {
      const memory = c.systemMiB + c.requestsMiB + c.servicesReserveMiB;
      if (memory > c.allocatableMiB) {
        reportViolation(
          `cluster ${c.cluster}: system ${c.systemMiB} MiB + platform ${c.requestsMiB} MiB + reserved for services ${c.servicesReserveMiB} MiB = ${memory} MiB exceeds allocatable ${c.allocatableMiB} MiB`,
        );
      }
      const cpu = c.systemMilliCpu + c.requestsMilliCpu;
      if (cpu > c.allocatableMilliCpu) {
        reportViolation(`cluster ${c.cluster}: system ${c.systemMilliCpu}m CPU + platform ${c.requestsMilliCpu}m CPU = ${cpu}m CPU exceeds allocatable ${c.allocatableMilliCpu}m CPU`);
      }
    }
  },
};
