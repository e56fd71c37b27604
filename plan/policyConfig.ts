// The policy config of one stack (out/<stack>/policy-config.json, passed to
// `pulumi preview|up --policy-pack-config`): what follows from the stack's
// config (host capacity, declared ports, chart table, cluster budgets, the LAN
// allow-list) and the declarations the stack policies judge (each workload's
// requests, each Application's wave), read from the program's own resources
// the way the policies' resource twins read them.
import { StackConfig } from "../config/load";
import { HomelabPolicyConfig, SsoGateDeclaration, WaveDeclaration, WorkloadDeclaration } from "../contract/policyConfig";
import { ssoGateConfigKey, ssoGateLabel } from "../contract/labels";
import { admittedGroups } from "../components/service/ssoGate";
import { accessGroup, accessTargets, publicRoutes } from "../components/edge/routes";
import { catalog } from "../services";
import { declaredPorts } from "../components/OmniServer";
import { BudgetNode, clusterBudget } from "../components/platform/budget";
import { chartTable } from "../components/platform/charts";
import { majorMinorImages } from "../config/versions";
import { isBudgeted, workloadDeclaration } from "../policies/rules/clusterBudget";
import { types } from "../policies/rules/types";
import { waveDeclaration } from "../policies/rules/waveOrder";
import { plainProps } from "./analyzer";
import { ProgramRun } from "./mockRuntime";

/** The stack's cluster nodes as the budget counts them (an OCI OCPU is one vCPU on A1). */
function budgetNodes(sc: StackConfig): BudgetNode[] {
  if (sc.kind === "cloud") return sc.config.cluster.nodes.map((n) => ({ role: n.role, memoryGb: n.memoryGb, cpus: n.ocpus, schedulable: n.schedulable }));
  return sc.config.cluster.nodes.map((n) => ({ role: n.role, memoryGb: n.memoryGb, cpus: n.cores, schedulable: n.schedulable }));
}

/** Each release, Application and raw workload's requests, read as cluster-budget-declared reads them; one it refuses is left out (that policy reports it). */
export function workloadDeclarationsOf(run: ProgramRun, budget: Pick<HomelabPolicyConfig["cluster-budget"], "stackCluster" | "charts" | "clusters">): Record<string, WorkloadDeclaration> {
  const workloads: Record<string, WorkloadDeclaration> = {};
  for (const r of run.resources.filter((r) => isBudgeted(r.type))) {
    const reading = workloadDeclaration({ type: r.type, name: r.name, props: plainProps(r.wireInputs) }, budget);
    if ("declaration" in reading) workloads[r.urn] = reading.declaration;
  }
  return workloads;
}

/** The stack's SSO gates and what each admits, read from their ConfigMaps as rendered. */
export function ssoGatesOf(run: ProgramRun): SsoGateDeclaration[] {
  return run.resources
    .filter((r) => r.type === "kubernetes:core/v1:ConfigMap")
    .map((r) => plainProps(r.wireInputs) as { metadata?: { name?: string; namespace?: string; labels?: Record<string, string> }; data?: Record<string, string> })
    .filter((m) => m.metadata?.labels?.[ssoGateLabel] !== undefined)
    .map((m) => ({ namespace: m.metadata?.namespace ?? "default", name: m.metadata?.name ?? "", admits: admittedGroups(m.data?.[ssoGateConfigKey] ?? "") }))
    .sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
}

/** Each Application's and release's wave and cluster, read as sync-waves-declared reads them. */
export function waveDeclarationsOf(run: ProgramRun, stackCluster: string): Record<string, WaveDeclaration> {
  const waves: Record<string, WaveDeclaration> = {};
  for (const r of run.resources.filter((r) => r.type === types.argoApplication || r.type === types.helmRelease)) {
    const reading = waveDeclaration({ type: r.type, name: r.name, props: plainProps(r.wireInputs) }, stackCluster);
    if ("declaration" in reading) waves[r.urn] = reading.declaration;
  }
  return waves;
}

/** Policy configuration that follows from a stack's config and its recorded resources. */
export function policyConfigFor(sc: StackConfig, run: ProgramRun): HomelabPolicyConfig {
  const platform = sc.config.platform;
  const cluster = sc.config.cluster.name;
  const budget = { stackCluster: cluster, charts: chartTable, clusters: { [cluster]: clusterBudget(budgetNodes(sc), platform.servicesReserveGb) } };
  const workloads = workloadDeclarationsOf(run, budget);
  const waves = waveDeclarationsOf(run, cluster);
  const config: HomelabPolicyConfig = {
    "container-resources": { charts: chartTable },
    "pinned-versions": { chartDefaultTags: [], majorMinorImages },
    "exposed-services": { allowed: platform.lanLoadBalancer?.services ?? [], charts: chartTable },
    "cluster-budget": { ...budget, workloads },
    "cluster-budget-declared": { ...budget, workloads },
    "sync-waves-ordered": { stackCluster: cluster, resources: waves },
    "sync-waves-declared": { stackCluster: cluster, resources: waves },
    "sso-routes-gated": { gates: ssoGatesOf(run) },
  };
  if (sc.kind === "cloud") {
    // The cloud stack owns the edge: the catalog's public hostnames and what only admins reach.
    const routes = publicRoutes(sc.config.services.domain, catalog);
    const edge = { hostnames: routes.map((r) => r.hostname), adminTargets: accessTargets(routes).map((t) => t.uri), group: accessGroup };
    config["public-hostnames-routed-once"] = edge;
    config["admin-hostnames-behind-access"] = edge;
    config["security-list-declared-ports"] = {
      internalCidr: sc.config.oci.network.vcnCidr,
      declared: declaredPorts(sc.config.oci, sc.config.omni).map(({ protocol, port, sources }) => ({ protocol, port, sources })),
    };
  } else {
    const hw = sc.config.proxmox.hardware;
    config["proxmox-host-capacity"] = { hostMemoryGb: hw.memoryGb, reservedMemoryGb: hw.reservedMemoryGb, cpuThreads: hw.cpuThreads };
  }
  return config;
}
