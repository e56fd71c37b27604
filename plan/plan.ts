// The offline plan of one stack: run the program under mocks in both phases
// a real user meets (the first preview, then the deployed state), run the
// policy pack over each exactly as the CrossGuard analyzer would, check what
// only the plan can see (secrets passed in plain text, identity against the
// committed snapshot), and build the plan document.
import * as fs from "fs";
import * as path from "path";
import { ConfigError, StackConfig, describeIssues, validateConfig } from "../config/load";
import { siteIssues, siteOfDev, siteOfProd } from "../config/site";
import { ProxmoxConfig, StackKind, ociAlwaysFree, ociTotals } from "../config/schema";
import { HomelabPolicyConfig } from "../contract/policyConfig";
import { allPolicies } from "../policies/rules";
import { ClusterUsage, clusterUsage } from "../policies/rules/clusterBudget";
import { chartInstalls, valueAt } from "../policies/rules/kubernetesInputs";
import { types } from "../policies/rules/types";
import { PolicyConfig, Violation, analyze } from "./analyzer";
import { Artifact, artifactsOf, restoreArtifacts, ruleTestsArtifact } from "./artifacts";
import { IdentityChange, IdentityEntry, compareIdentity, identityOf } from "./identity";
import { Phase, ProgramRun, RecordedOptions, RecordedResource, runProgram } from "./mockRuntime";
import { policyConfigFor } from "./policyConfig";
import { plaintextSecretViolations } from "./secrets";
import { PlannedService, plannedServices } from "./services";
import { Coverage, backupCoverage } from "../components/backup/coverage";
import { backupFolders } from "../services/library";
import { StoreLocation, ociS3Endpoint } from "../components/backup/store";
import { defaultBackupBucket } from "../config/schema";
import { catalog, entriesFor } from "../services";
import { PublicRoute, publicRoutes } from "../components/edge/routes";
import { PrivateResource, privateResources } from "../components/twingate/model";
import { alertTable, ruleGroups } from "../components/monitoring/alerts";
import { logAlertTable } from "../components/monitoring/logRules";
import { serviceProbe } from "../components/monitoring/probes";
import { serviceScrape } from "../components/monitoring/scrapes";
import { lokiStorage } from "../services/platform/loki";
import { receiverOf } from "../components/monitoring/alertmanager";
import { prometheusStorage } from "../services/platform/kubePrometheusStack";
import type { CloudConfig } from "../config/schema";
import { Placeholder, committedRawConfig, fakeCloudOutputs, programRawConfig, projectRoot, readStackFile, runConfig } from "./stackFiles";

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

/** Where a violation was found: in the first preview, in the deployed state, or by the plan's own checks. */
export type Finding = Phase | "plan";

export interface PlannedViolation extends Violation {
  phases: Finding[];
}

export interface Plan {
  stack: string;
  resources: { type: string; name: string; parent: string | null; urn: string; provider: string | null; dependencies: string[]; options: RecordedOptions; inputs: Record<string, unknown> }[];
  violations: PlannedViolation[];
  components: { type: string; name: string }[];
  resourceCounts: Record<string, number>;
  capacity: CapacityLine[];
  /** Per cluster: what the platform requests against what the nodes can allocate. */
  budget: ClusterUsage[];
  /** Every chart the stack installs, directly (wave 0) or through Argo CD, with its pinned version. */
  charts: PlannedChart[];
  /** The catalog's services on this stack (and, on dev, the ones it skips and why). */
  services: PlannedService[];
  /** The cloud stack's public hostnames (it owns the edge for every cluster): tier, who may enter, tunnel. */
  publicHostnames: PublicRoute[];
  /** What Twingate publishes from home (the cloud stack owns it): address, ports, who may use it. */
  privateResources: PrivateResource[];
  /** The alert rules of the stack that runs Alertmanager (prod): severity, duration, receiver. */
  alerts: ReturnType<typeof alertTable>;
  /** What the stack's cluster backs up, class by class, and where. */
  backups: Coverage;
  /** Every service of the stack and how it is probed (FR-020). */
  probes: { service: string; url: string; prober: string; metrics?: string }[];
  /** Loki's retention (prod). */
  lokiStorage?: typeof lokiStorage;
  /** What Prometheus keeps, where the stack runs it. */
  prometheusStorage?: typeof prometheusStorage;
  placeholders: Placeholder[];
  outputs: string[];
  /** Every URN and what decides its fate on the next `pulumi up`. */
  identity: IdentityEntry[];
  /** Against the committed snapshot (test/identity/<stack>.json): what `pulumi up` would delete, replace, rename or add; null without a snapshot. */
  identityChanges: IdentityChange[] | null;
  /** Written to out/<stack>/policy-config.json for `pulumi preview|up --policy-pack-config`. */
  policyConfig: HomelabPolicyConfig;
  /** Every generated document (written as files under out/<stack>/, not into plan.json). */
  artifacts: Artifact[];
}

/** The same resources the cloud stack gives TwingateAccess. */
function cloudPrivateResources(config: CloudConfig): PrivateResource[] {
  const domain = config.services.domain;
  return privateResources({ nfsServer: config.platform.storage.nfs.server, telemetryAddress: config.monitoring.telemetryAddress, domain, catalog, publicHostnames: publicRoutes(domain, catalog).map((r) => r.hostname) });
}

/** Where the committed identity snapshot of a stack lives. */
export const identitySnapshotPath = (stack: string, root = projectRoot) => path.join(root, "test", "identity", `${stack}.json`);

export function readIdentitySnapshot(stack: string, root = projectRoot): IdentityEntry[] | undefined {
  const file = identitySnapshotPath(stack, root);
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as IdentityEntry[]) : undefined;
}

/** One entry per distinct violation, with every phase it was found in. */
export function mergePhases(found: { phase: Finding; violations: Violation[] }[]): PlannedViolation[] {
  const merged = new Map<string, PlannedViolation>();
  for (const { phase, violations } of found) {
    for (const v of violations) {
      const key = JSON.stringify([v.policy, v.urn, v.message, v.level]);
      const existing = merged.get(key);
      if (existing) existing.phases.push(phase);
      else merged.set(key, { ...v, phases: [phase] });
    }
  }
  return [...merged.values()];
}

/**
 * The stacks a stack's program may read, with what they would export: the
 * cloud stack's Omni access (faked) for dev and prod, and for dev what the
 * committed prod config puts on the shared host. A stack it names that is not
 * here does not exist, as the engine would say.
 */
export function stackReferencesFor(sc: StackConfig, root = projectRoot): Record<string, Record<string, unknown>> {
  if (sc.kind === "cloud") return {};
  const refs: Record<string, Record<string, unknown>> = { [sc.config.omni.cloudStack]: fakeCloudOutputs };
  if (sc.kind === "dev") {
    const prod = siblingConfig("prod", root);
    if (prod) refs[sc.config.hostStack] = { site: siteOfProd(prod.config) };
  }
  return refs;
}

/** The stack's run options: config as the CLI passes it, and the StackReferences it may read. */
function runOptions(stack: StackKind, root: string) {
  const file = readStackFile(stack, root);
  const run = runConfig(stack, file);
  const stackConfig = validateConfig(stack, programRawConfig(run));
  return { file, stackConfig, options: { stack, config: run.config, secretKeys: run.secretKeys, stackReferences: stackReferencesFor(stackConfig, root) } };
}

/** Runs the program for one committed stack in one phase. */
export async function runCommittedStack(stack: StackKind, phase: Phase, root = projectRoot): Promise<ProgramRun> {
  return runProgram({ ...runOptions(stack, root).options, phase });
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
  // With KubeVirt, the sessions run inside PROD's gpu-worker, whose RAM is taken all the time.
  const modes: [string, HomeLoad][] =
    prod.config.hypervisor.gpu.consumer === "kubevirt"
      ? [
          ["normal (PROD with its gpu-worker, DEV off)", prodVms],
          ["testing (DEV + PROD with its gpu-worker)", sum([prodVms, devVms])],
        ]
      : [
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

/** Each service of the stack with its probe (a Probe object on prod, Alloy's embedded prober elsewhere: both reach prod's Prometheus) and, where it serves them, its own metrics. */
/** The store the program writes to: the config's OVH bucket, the cloud stack's own, or (dev, prod) what the cloud stack exports. */
function plannedStore(sc: StackConfig): StoreLocation {
  const o = sc.config.backup.offsite;
  if (o.target === "ovh") return { provider: "ovh", endpoint: o.endpoint ?? "", region: o.region ?? "", bucket: o.bucket ?? "" };
  if (sc.kind === "cloud") return { provider: "oci", endpoint: ociS3Endpoint(sc.config.oci.objectStorageNamespace, sc.config.oci.region), region: sc.config.oci.region, bucket: o.bucket ?? defaultBackupBucket };
  const { provider, endpoint, region, bucket } = fakeCloudOutputs.backupStore;
  return { provider: provider as "oci", endpoint, region, bucket };
}

function plannedBackups(sc: StackConfig): Coverage {
  const host =
    sc.kind === "prod" && sc.config.backup.host
      ? { folders: backupFolders(catalog, sc.config.hypervisor.nfs.shares), localMount: sc.config.backup.host.localMount, snapshots: sc.config.hypervisor.snapshots }
      : undefined;
  return backupCoverage(entriesFor(sc.kind), plannedStore(sc), sc.kind === "cloud" ? "oci" : "home", host, catalog);
}

function plannedProbes(sc: StackConfig): Plan["probes"] {
  const prober = sc.kind === "prod" ? "Probe object, blackbox exporter" : "Alloy's blackbox exporter, sent to prod";
  return entriesFor(sc.kind).map((e) => {
    const { service, url } = serviceProbe(e, sc.config.services.domain);
    const scrape = serviceScrape(e);
    return { service, url, prober, ...(scrape ? { metrics: `http://${scrape.target}${scrape.path}` } : {}) };
  });
}

/** Validates a committed stack file on its own (used for the cross-stack host table). */
export function committedStackConfig(stack: StackKind, root?: string): StackConfig {
  return validateConfig(stack, committedRawConfig(stack, root));
}

const countBy = (items: RecordedResource[]) =>
  items.reduce<Record<string, number>>((acc, r) => ({ ...acc, [r.type]: (acc[r.type] ?? 0) + 1 }), {});

/** Runs the whole plan for one committed stack. Throws ConfigError on bad config, StackFileError on an unreadable file. */
export async function planStack(stack: StackKind, root = projectRoot): Promise<Plan> {
  const { file, stackConfig, options } = runOptions(stack, root);
  if (stackConfig.kind === "prod") {
    // Prod's own deploy cannot see dev; the plan checks the committed pair, as dev's deploy will.
    const dev = siblingConfig("dev", root);
    const issues = dev ? siteIssues(siteOfProd(stackConfig.config), "prod", siteOfDev(dev.config)) : [];
    if (dev && issues.length > 0) throw new ConfigError("dev", describeIssues(dev.config, issues).map((line) => `${line} (checked with prod's plan)`));
  }
  const preview = await runProgram({ ...options, phase: "preview" });
  const update = await runProgram({ ...options, phase: "update" });
  const policyConfig = policyConfigFor(stackConfig, update);
  const config = policyConfig as unknown as PolicyConfig;
  const violations = mergePhases([
    { phase: "preview", violations: (await analyze(allPolicies, preview, config)).violations },
    { phase: "update", violations: (await analyze(allPolicies, update, config)).violations },
    { phase: "plan", violations: plaintextSecretViolations(update.resources) },
  ]);

  const present = new Set(update.resources.map((r) => r.urn));
  const budgetConfig = policyConfig["cluster-budget"];
  const budget = clusterUsage(
    Object.entries(budgetConfig.workloads)
      .filter(([urn]) => present.has(urn))
      .map(([, d]) => d),
    budgetConfig,
  );
  let capacity: CapacityLine[] = [];
  if (stackConfig.kind === "cloud") capacity = ociCapacity(stackConfig);
  if (stackConfig.kind === "prod") capacity = hostModes(stackConfig, siblingConfig("dev", root));
  if (stackConfig.kind === "dev") {
    const prod = siblingConfig("prod", root);
    if (prod) capacity = hostModes(prod, stackConfig);
  }
  const identity = identityOf(update);
  const snapshot = readIdentitySnapshot(stack, root);

  return {
    stack,
    resources: update.resources.map(({ type, name, parent, urn, provider, dependencies, options: opts, inputs }) => ({ type, name, parent, urn, provider, dependencies, options: opts, inputs })),
    violations,
    components: update.resources.filter((r) => r.type.startsWith("homelab:")).map(({ type, name }) => ({ type, name })),
    resourceCounts: countBy(update.resources.filter((r) => r.custom)),
    capacity: [...capacity, ...budgetLines(budget)],
    budget,
    charts: plannedCharts(update.resources, stackConfig.config.cluster.name),
    services: plannedServices(stackConfig),
    publicHostnames: stackConfig.kind === "cloud" ? publicRoutes(stackConfig.config.services.domain, catalog) : [],
    privateResources: stackConfig.kind === "cloud" ? cloudPrivateResources(stackConfig.config) : [],
    alerts: stackConfig.kind === "prod" ? [...alertTable(ruleGroups(catalog), receiverOf), ...logAlertTable(receiverOf)] : [],
    backups: plannedBackups(stackConfig),
    probes: plannedProbes(stackConfig),
    lokiStorage: stackConfig.kind === "prod" ? lokiStorage : undefined,
    prometheusStorage: stackConfig.kind === "prod" ? prometheusStorage : undefined,
    placeholders: file.placeholders,
    outputs: Object.keys(update.outputs),
    identity,
    identityChanges: snapshot ? compareIdentity(snapshot, identity) : null,
    policyConfig,
    artifacts: [
      ...artifactsOf(update.resources, {
        name: stackConfig.config.cluster.name,
        talos: stackConfig.config.cluster.versions.talos,
        kubernetes: stackConfig.config.cluster.versions.kubernetes,
        talosMode: stackConfig.kind === "cloud" ? "cloud" : "metal",
      }),
      ...(stackConfig.kind === "prod" ? [ruleTestsArtifact(ruleGroups(catalog))] : []),
      ...restoreArtifacts(entriesFor(stackConfig.kind)),
    ],
  };
}

/** The other home stack's committed config, when it is valid on its own. */
function siblingConfig<K extends "dev" | "prod">(stack: K, root: string): (StackConfig & { kind: K }) | undefined {
  try {
    const sc = committedStackConfig(stack, root);
    return sc.kind === stack ? (sc as StackConfig & { kind: K }) : undefined;
  } catch (err) {
    if (err instanceof ConfigError) return undefined;
    throw err;
  }
}
