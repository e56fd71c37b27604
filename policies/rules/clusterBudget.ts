import { StackValidationPolicy } from "@pulumi/policy";
import { ChartsConfig, chartInstalls, chartsSchema, containersOf, declaredChart, isWorkload, notCheckable, requestsOf, roundUp, valueAt, workloadLabel } from "./kubernetesInputs";
import { types } from "./types";

/** One cluster's room, as the plan derives it from the stack config. */
export interface ClusterCapacity {
  /** Nodes that run workloads (DaemonSets and per-node chart workloads run once on each). */
  nodes: number;
  allocatableMiB: number;
  allocatableMilliCpu: number;
  /** Requests of what runs before the platform (Talos, kube-system). */
  systemMiB: number;
  systemMilliCpu: number;
  /** Memory kept free for the family's services, which come later. */
  servicesReserveMiB: number;
}

const capacityKeys = ["nodes", "allocatableMiB", "allocatableMilliCpu", "systemMiB", "systemMilliCpu", "servicesReserveMiB"] as const;

export interface ClusterBudgetConfig {
  /** The cluster this stack's Releases and raw workloads run on. */
  stackCluster: string;
  charts: ChartsConfig;
  clusters: Record<string, ClusterCapacity>;
}

export interface BudgetItem {
  /** "Release cilium: values.agent.resources x3", "Deployment web x2". */
  resource: string;
  /** Requests of all its pods together. */
  memoryMiB: number;
  milliCpu: number;
}

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

export interface BudgetResource {
  type: string;
  name: string;
  props: Record<string, unknown>;
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

/** The platform's requests per cluster, and the resources that belong to no budgeted cluster. */
function budget<R extends BudgetResource>(resources: R[], config: ClusterBudgetConfig): { usage: ClusterUsage[]; unplaced: { resource: R; message: string }[] } {
  const names = Object.keys(config.clusters);
  const items: Record<string, BudgetItem[]> = {};
  const unplaced: { resource: R; message: string }[] = [];
  for (const r of resources) {
    const isApplication = r.type === types.argoApplication;
    if (!isApplication && r.type !== types.helmRelease && !isWorkload(r.type)) continue;
    const label = workloadLabel(r.type, r.name);
    const destination = isApplication ? valueAt(r.props, "spec.destination.name") : config.stackCluster;
    if (notCheckable(destination)) continue;
    const name = typeof destination === "string" && Object.hasOwn(config.clusters, destination) ? destination : undefined;
    if (name === undefined) {
      const named = typeof destination === "string" && destination !== "";
      const where = isApplication
        ? named ? `targets cluster "${destination}"` : "has no spec.destination.name"
        : named ? `runs on the stack's cluster "${destination}"` : "runs on the stack's cluster, but stackCluster is not set";
      const known = named ? ", which the cluster-budget config does not list" : "";
      unplaced.push({ resource: r, message: `${label} ${where}${known}; expected a cluster the config budgets: ${names.join(", ") || "(none)"}` });
      continue;
    }
    const cluster = config.clusters[name];
    const add = (what: string, count: number, each: Requests) =>
      (items[name] ??= []).push({ resource: count === 1 ? what : `${what} x${count}`, memoryMiB: each.memoryMiB * count, milliCpu: each.milliCpu * count });
    for (const install of chartInstalls(r.type, r.name, r.props)) {
      const declared = declaredChart(config.charts, install.chart);
      if (declared?.estimated) add(`${install.resource}: estimated (${declared.estimated.reason})`, 1, declared.estimated);
      for (const w of (declared?.workloads ?? []).filter((w) => !w.init)) {
        const replicas = w.replicasPath === undefined ? undefined : valueAt(install.values, w.replicasPath);
        const count = w.perNode ? cluster.nodes : typeof replicas === "number" ? replicas : (w.replicas ?? 1);
        add(`${install.resource}: ${install.valuesPath}.${w.path}`, count, requestsOf(valueAt(install.values, w.path)));
      }
    }
    if (isWorkload(r.type)) {
      const replicas = valueAt(r.props, "spec.replicas");
      const scaled = r.type === types.deployment || r.type === types.statefulSet;
      const count = r.type === types.daemonSet ? cluster.nodes : scaled && typeof replicas === "number" ? replicas : 1;
      add(label, count, podRequests(r.type, r.props));
    }
  }
  const usage = names
    .filter((name) => name === config.stackCluster || items[name])
    .map((name) => {
      const c = config.clusters[name];
      const list = items[name] ?? [];
      const requestsMiB = roundUp(list.reduce((sum, i) => sum + i.memoryMiB, 0));
      const requestsMilliCpu = roundUp(list.reduce((sum, i) => sum + i.milliCpu, 0));
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
        items: list,
      };
    });
  return { usage, unplaced };
}

/**
 * The platform's requests against each cluster's room, per cluster this stack
 * puts anything on (and the stack's own cluster): the figures the policy
 * judges, for the plan to print as a table. Totals are rounded up to whole MiB
 * and millicores.
 */
export function clusterUsage(resources: BudgetResource[], config: ClusterBudgetConfig): ClusterUsage[] {
  return budget(resources, config).usage;
}

/**
 * The platform fits on its cluster with room to spare: nodes are small (OCI
 * Always Free, home VMs), and the scheduler reserves what pods request, so
 * requests plus the system's share plus the reserve for services must fit in
 * what the nodes can allocate.
 */
export const clusterBudgetPolicy: StackValidationPolicy = {
  name: "cluster-budget",
  description: "Per cluster, system + platform requests + the services reserve fit in allocatable memory, and system + platform CPU requests fit in allocatable CPU.",
  enforcementLevel: "mandatory",
  configSchema: {
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
    },
  },
  validateStack: (args, reportViolation) => {
    const { usage, unplaced } = budget(args.resources, args.getConfig<ClusterBudgetConfig>());
    for (const { resource, message } of unplaced) reportViolation(message, resource.urn);
    for (const c of usage) {
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
