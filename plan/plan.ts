// The offline plan of one stack: run the program under mocks, run the
// policy pack over what it registered, and build the plan document.
import { ConfigError, StackConfig, validateConfig } from "../config/load";
import { ProxmoxConfig, StackKind, ociAlwaysFree, ociTotals } from "../config/schema";
import { declaredPorts } from "../components/OmniServer";
import { chartTable } from "../components/platform/charts";
import { BudgetNode, clusterBudget } from "../components/platform/budget";
import { allPolicies } from "../policies/rules";
import { ClusterUsage, clusterUsage } from "../policies/rules/clusterBudget";
import { chartInstalls, valueAt } from "../policies/rules/kubernetesInputs";
import { types } from "../policies/rules/types";
import { PolicyConfig, Violation, runPolicies } from "../policies/runner";
import { Artifact, artifactsOf } from "./artifacts";
import { RecordedResource, runProgram } from "./mockRuntime";
import { Placeholder, committedRawConfig, fakeCloudOutputs, fakeSecrets, readStackFile } from "./stackFiles";

export interface CapacityLine {
  pool: string;
  resource: string;
  allocated: number;
  capacity: number;
  unit: string;
}

export interface PlannedChart {
  resource: string;
  cluster: string;
  chart: string;
  version: string;
  wave: number;
  via: "pulumi" | "argocd";
}

/** The chart, version and wave of each Helm release and Argo CD Application recorded (read as the policies read them). */
export function plannedCharts(resources: RecordedResource[], stackCluster: string): PlannedChart[] {
  return resources
    .flatMap((r): PlannedChart[] => {
      const isApplication = r.type === types.argoApplication;
      const annotations = valueAt(r.inputs, "metadata.annotations") as Record<string, string> | undefined;
      const wave = isApplication ? Number(annotations?.["argocd.argoproj.io/sync-wave"] ?? 0) : 0;
      const cluster = isApplication ? String(valueAt(r.inputs, "spec.destination.name") ?? "") : stackCluster;
      return chartInstalls(r.type, r.name, r.inputs).map((c) => ({ resource: r.name, cluster, chart: c.chart ?? "", version: String(c.version ?? ""), wave, via: isApplication ? "argocd" : "pulumi" }));
    })
    .sort((a, b) => a.wave - b.wave || a.resource.localeCompare(b.resource));
}

export interface Plan {
  stack: string;
  resources: { type: string; name: string; parent: string | null; urn: string; dependencies: string[]; inputs: Record<string, unknown> }[];
  violations: Violation[];
  components: { type: string; name: string }[];
  resourceCounts: Record<string, number>;
  capacity: CapacityLine[];
  /** Per cluster: what the platform requests against what the nodes can allocate. */
  budget: ClusterUsage[];
  /** Every chart the stack installs, directly (wave 0) or through Argo CD, with its pinned version. */
  charts: PlannedChart[];
  placeholders: Placeholder[];
  outputs: string[];
  /** Every generated document (written as files under out/<stack>/, not into plan.json). */
  artifacts: Artifact[];
}

/** Policy configuration that follows from a stack's config (also written for `pulumi preview --policy-pack-config`). */
export function policyConfigFor(sc: StackConfig): PolicyConfig {
  const config: PolicyConfig = {};
  if (sc.kind === "cloud") {
    config["security-list-declared-ports"] = {
      internalCidr: sc.config.oci.network.vcnCidr,
      declared: declaredPorts(sc.config.oci, sc.config.omni).map(({ protocol, port, sources }) => ({ protocol, port, sources })),
    };
  } else {
    const hw = sc.config.proxmox.hardware;
    config["proxmox-host-capacity"] = { hostMemoryGb: hw.memoryGb, reservedMemoryGb: hw.reservedMemoryGb, cpuThreads: hw.cpuThreads };
  }
  const platform = sc.config.platform;
  const cluster = sc.config.cluster.name;
  config["container-resources"] = { charts: chartTable };
  config["exposed-services"] = { allowed: platform.lanLoadBalancer?.services ?? [], charts: chartTable };
  config["cluster-budget"] = { stackCluster: cluster, charts: chartTable, clusters: { [cluster]: clusterBudget(budgetNodes(sc), platform.servicesReserveGb) } };
  return config;
}

/** The stack's cluster nodes as the budget counts them (an OCI OCPU is one vCPU on A1). */
function budgetNodes(sc: StackConfig): BudgetNode[] {
  if (sc.kind === "cloud") return sc.config.cluster.nodes.map((n) => ({ role: n.role, memoryGb: n.memoryGb, cpus: n.ocpus, schedulable: n.schedulable }));
  return sc.config.cluster.nodes.map((n) => ({ role: n.role, memoryGb: n.memoryGb, cpus: n.cores, schedulable: n.schedulable }));
}

/** The budget lines of the capacity table: pods' requests against allocatable, per cluster. */
function budgetLines(usage: ClusterUsage[]): CapacityLine[] {
  return usage.flatMap((u) => [
    { pool: `cluster ${u.cluster} (allocatable)`, resource: "RAM system+platform", allocated: u.systemMiB + u.requestsMiB, capacity: u.allocatableMiB, unit: "MiB" },
    { pool: `cluster ${u.cluster} (allocatable)`, resource: `RAM + services reserve`, allocated: u.systemMiB + u.requestsMiB + u.servicesReserveMiB, capacity: u.allocatableMiB, unit: "MiB" },
    { pool: `cluster ${u.cluster} (allocatable)`, resource: "CPU system+platform", allocated: u.systemMilliCpu + u.requestsMilliCpu, capacity: u.allocatableMilliCpu, unit: "mCPU" },
  ]);
}

interface HomeLoad {
  memoryGb: number;
  cores: number;
  diskGb: number;
}
const sum = (items: HomeLoad[]): HomeLoad => items.reduce((a, b) => ({ memoryGb: a.memoryGb + b.memoryGb, cores: a.cores + b.cores, diskGb: a.diskGb + b.diskGb }), { memoryGb: 0, cores: 0, diskGb: 0 });

/**
 * The Proxmox host's load in the NFR-010 modes. The host is shared by the
 * dev and prod stacks, so this reads both committed stack configs.
 */
export function hostModes(prod: StackConfig & { kind: "prod" }, dev: (StackConfig & { kind: "dev" }) | undefined): CapacityLine[] {
  const host: ProxmoxConfig = prod.config.proxmox;
  const reserved = host.hardware.reservedMemoryGb;
  const prodVms = sum(prod.config.cluster.nodes);
  const devVms = dev ? sum(dev.config.cluster.nodes) : { memoryGb: 0, cores: 0, diskGb: 0 };
  const gaming = prod.config.gamingVm;
  const modes: [string, HomeLoad][] = [
    ["normal (PROD, DEV off, gaming off)", prodVms],
    ["testing (DEV + PROD)", sum([prodVms, devVms])],
    ["gaming (gaming VM + PROD)", sum([prodVms, gaming])],
    ["everything on (PROD + DEV + gaming)", sum([prodVms, devVms, gaming])],
  ];
  return modes.flatMap(([mode, load]) => [
    { pool: `proxmox host, ${mode}`, resource: "RAM (incl. host reserve)", allocated: load.memoryGb + reserved, capacity: host.hardware.memoryGb, unit: "GB" },
    { pool: `proxmox host, ${mode}`, resource: "vCPU", allocated: load.cores, capacity: host.hardware.cpuThreads, unit: "threads (overcommit allowed)" },
  ]);
}

export function ociCapacity(sc: StackConfig & { kind: "cloud" }): CapacityLine[] {
  const t = ociTotals(sc.config);
  return [
    { pool: "OCI Always Free (A1)", resource: "OCPU", allocated: t.ocpus, capacity: ociAlwaysFree.ocpus, unit: "OCPU" },
    { pool: "OCI Always Free (A1)", resource: "RAM", allocated: t.memoryGb, capacity: ociAlwaysFree.memoryGb, unit: "GB" },
    { pool: "OCI Always Free (A1)", resource: "block storage", allocated: t.blockStorageGb, capacity: ociAlwaysFree.blockStorageGb, unit: "GB" },
  ];
}

/** Validates a committed stack file on its own (used for the cross-stack host table). */
export function committedStackConfig(stack: StackKind, root?: string): StackConfig {
  return validateConfig(stack, committedRawConfig(stack, root));
}

const countBy = (items: RecordedResource[]) =>
  items.reduce<Record<string, number>>((acc, r) => ({ ...acc, [r.type]: (acc[r.type] ?? 0) + 1 }), {});

/** Runs the whole plan for one committed stack. Throws ConfigError on bad config. */
export async function planStack(stack: StackKind, root?: string): Promise<Plan> {
  const file = readStackFile(stack, root);
  const secrets = fakeSecrets(stack);
  const stackConfig = committedStackConfig(stack, root);
  const run = await runProgram({
    stack,
    config: { ...file.config, ...secrets.config },
    secretKeys: secrets.secretKeys,
    stackReferences: stackConfig.kind === "cloud" ? {} : { [stackConfig.config.omni.cloudStack]: fakeCloudOutputs },
  });
  const policyConfig: PolicyConfig = { ...policyConfigFor(stackConfig), "no-plaintext-secrets": { secretsVisible: true } };
  const violations = await runPolicies(allPolicies, run.resources, policyConfig);

  const budget = clusterUsage(
    run.resources.map((r) => ({ type: r.type, name: r.name, props: r.inputs })),
    policyConfig["cluster-budget"] as unknown as Parameters<typeof clusterUsage>[1],
  );
  let capacity: CapacityLine[] = [];
  if (stackConfig.kind === "cloud") capacity = ociCapacity(stackConfig);
  if (stackConfig.kind === "prod") capacity = hostModes(stackConfig, safeDev(root));
  if (stackConfig.kind === "dev") {
    const prod = committedStackConfig("prod", root);
    if (prod.kind === "prod") capacity = hostModes(prod, stackConfig);
  }

  return {
    stack,
    resources: run.resources.map(({ type, name, parent, urn, dependencies, inputs }) => ({ type, name, parent, urn, dependencies, inputs })),
    violations,
    components: run.resources.filter((r) => r.type.startsWith("homelab:")).map(({ type, name }) => ({ type, name })),
    resourceCounts: countBy(run.resources.filter((r) => r.custom)),
    capacity: [...capacity, ...budgetLines(budget)],
    budget,
    charts: plannedCharts(run.resources, stackConfig.config.cluster.name),
    placeholders: file.placeholders,
    outputs: Object.keys(run.outputs),
    artifacts: artifactsOf(run.resources, {
      talos: stackConfig.config.cluster.versions.talos,
      kubernetes: stackConfig.config.cluster.versions.kubernetes,
      talosMode: stackConfig.kind === "cloud" ? "cloud" : "metal",
    }),
  };
}

function safeDev(root?: string): (StackConfig & { kind: "dev" }) | undefined {
  try {
    const dev = committedStackConfig("dev", root);
    return dev.kind === "dev" ? dev : undefined;
  } catch (err) {
    if (err instanceof ConfigError) return undefined;
    throw err;
  }
}

/** Secret stand-ins that must never appear in a written plan. */
export function leakedFakeSecrets(text: string): string[] {
  const markers = [/fake-[A-Za-z-]+?-for-offline-plan/g, /mock-private-key/g, /mock-random-password/g];
  return markers.flatMap((m) => text.match(m) ?? []);
}
