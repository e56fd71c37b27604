import { ClusterBudgetConfig } from "../../contract/policyConfig";
import { PolicyConfig } from "../../plan/analyzer";
import { allPolicies } from "../../policies/rules";
import { clusterBudgetDeclaredPolicy, clusterBudgetPolicy, clusterUsage, isBudgeted, workloadDeclaration } from "../../policies/rules/clusterBudget";
import { types } from "../../policies/rules/types";
import { ResourceUnderPolicy, resource, runPolicies, unknown } from "./fixtures";

const budget: Omit<ClusterBudgetConfig, "workloads"> = {
  stackCluster: "cloud",
  charts: {
    cilium: { workloads: [{ path: "resources", perNode: true }, { path: "operator.resources", replicasPath: "operator.replicas", replicas: 1 }, { path: "hubble.relay.resources" }] },
    "argo-cd": { workloads: [{ path: "server.resources", replicas: 2 }] },
  },
  clusters: {
    cloud: { nodes: 2, allocatableMiB: 17500, allocatableMilliCpu: 3800, systemMiB: 1344, systemMilliCpu: 430, servicesReserveMiB: 12288 },
    prod: { nodes: 3, allocatableMiB: 40000, allocatableMilliCpu: 8000, systemMiB: 2048, systemMilliCpu: 600, servicesReserveMiB: 16384 },
    dev: { nodes: 1, allocatableMiB: 12000, allocatableMilliCpu: 4000, systemMiB: 1024, systemMilliCpu: 300, servicesReserveMiB: 4096 },
  },
};
type Budgeted = ResourceUnderPolicy;

/** The config the plan writes: capacities plus each resource's declaration, read from its inputs as the twin policy reads it. */
function declared(resources: Budgeted[], base: Omit<ClusterBudgetConfig, "workloads"> = budget): ClusterBudgetConfig {
  const workloads: ClusterBudgetConfig["workloads"] = {};
  for (const r of resources) {
    if (!isBudgeted(r.type)) continue;
    const reading = workloadDeclaration({ type: r.type, name: r.name, props: r.inputs }, base);
    if ("declaration" in reading) workloads[r.urn] = reading.declaration;
  }
  return { ...base, workloads };
}
const withConfig = (c: ClusterBudgetConfig): PolicyConfig => ({ "cluster-budget": c as never, "cluster-budget-declared": c as never });
const check = (resources: Budgeted[], config: PolicyConfig = withConfig(declared(resources)), opts: { firstPreview?: boolean } = {}) =>
  runPolicies([clusterBudgetDeclaredPolicy, clusterBudgetPolicy], resources, config, opts);
const messages = async (resources: Budgeted[], config?: PolicyConfig) => (await check(resources, config)).map((v) => v.message);
const usage = (resources: Budgeted[], base: Omit<ClusterBudgetConfig, "workloads"> = budget) => clusterUsage(Object.values(declared(resources, base).workloads), base);

const requests = (cpu: string, memory: string) => ({ requests: { cpu, memory }, limits: { cpu, memory } });
const release = (name: string, values: unknown, chart = name) => resource(types.helmRelease, name, { name, chart, version: "1.18.3", namespace: "kube-system", values });
const application = (name: string, destination: unknown, valuesObject: unknown) =>
  resource(types.argoApplication, name, {
    metadata: { name, namespace: "argocd" },
    spec: { source: { repoURL: "https://argoproj.github.io/argo-helm", chart: "argo-cd", targetRevision: "9.1.3", helm: { valuesObject } }, destination: { name: destination, namespace: "argocd" } },
  });
const container = (name: string, resources?: unknown) => ({ name, image: "nginx:1.29.3", resources });
const workload = (type: string, name: string, containers: unknown[], extra: { replicas?: unknown; initContainers?: unknown[] } = {}) => {
  const podSpec = { containers, initContainers: extra.initContainers ?? [] };
  const spec = type === types.pod ? podSpec : type === types.cronJob ? { jobTemplate: { spec: { template: { spec: podSpec } } } } : { replicas: extra.replicas, template: { spec: podSpec } };
  return resource(type, name, { metadata: { name, namespace: "apps" }, spec });
};

/** The brief's example: 2 nodes x 1 GiB agent + 2 x 512 MiB operator + 2 x 1 GiB web = 5120 MiB on cloud. */
const fiveGiB = [
  release("cilium", { resources: requests("100m", "1Gi"), operator: { replicas: 2, resources: requests("50m", "512Mi") }, hubble: { relay: { resources: requests("50m", "0") } } }),
  workload(types.deployment, "web", [container("app", requests("250m", "1Gi"))], { replicas: 2 }),
];

describe("clusterUsage", () => {
  test("adds up requests per cluster: replicas, per-node, init containers, limits standing in for requests", () => {
    const resources = [
      release("cilium", {
        resources: requests("100m", "1Gi"),
        operator: { replicas: 2, resources: requests("50m", "512Mi") },
        hubble: { relay: { resources: { limits: { cpu: "200m", memory: "256Mi" } } } },
      }),
      // Pod: containers 576 MiB / 300m side by side, the init container 1 GiB / 500m alone: 1024 MiB, 500m.
      workload(types.deployment, "web", [container("app", requests("250m", "512Mi")), container("sidecar", requests("50m", "64Mi"))], {
        replicas: 2,
        initContainers: [container("migrate", requests("500m", "1Gi"))],
      }),
      workload(types.statefulSet, "db", [container("postgres", requests("100m", "256Mi"))]),
      workload(types.daemonSet, "agent", [container("agent", requests("20m", "64Mi"))], { replicas: 5 }),
      workload(types.job, "once", [container("job", requests("10m", "32Mi"))]),
      workload(types.cronJob, "nightly", [container("job", requests("0.05", "100M"))]),
      workload(types.pod, "debug", [container("shell")]),
      application("argocd-prod", "prod", { server: { resources: requests("100m", "256Mi") } }),
      resource(types.service, "svc", { spec: { type: "ClusterIP" } }),
    ];
    const [cloud, prod, ...others] = usage(resources);
    expect(others).toEqual([]);
    expect(cloud).toMatchObject({
      cluster: "cloud",
      requestsMiB: 5888, // 5887.37 rounded up: 100M is 95.37 MiB
      requestsMilliCpu: 1700,
      systemMiB: 1344,
      systemMilliCpu: 430,
      servicesReserveMiB: 12288,
      allocatableMiB: 17500,
      allocatableMilliCpu: 3800,
      freeMiB: 17500 - 1344 - 5888 - 12288,
    });
    expect(cloud.items.map(({ resource: r, memoryMiB, milliCpu }) => [r, Math.round(memoryMiB * 100) / 100, milliCpu])).toEqual([
      ["Release cilium: values.resources x2", 2048, 200],
      ["Release cilium: values.operator.resources x2", 1024, 100],
      ["Release cilium: values.hubble.relay.resources", 256, 200],
      ["Deployment web x2", 2048, 1000],
      ["StatefulSet db", 256, 100],
      ["DaemonSet agent x2", 128, 40],
      ["Job once", 32, 10],
      ["CronJob nightly", 96, 50], // 100M is 95.37 MiB, rounded up per item
      ["Pod debug", 0, 0],
    ]);
    expect(prod).toEqual({
      cluster: "prod",
      requestsMiB: 512,
      requestsMilliCpu: 200,
      systemMiB: 2048,
      systemMilliCpu: 600,
      servicesReserveMiB: 16384,
      allocatableMiB: 40000,
      allocatableMilliCpu: 8000,
      freeMiB: 21056,
      items: [{ resource: "Application argocd-prod: valuesObject.server.resources x2", memoryMiB: 512, milliCpu: 200 }],
    });
  });

  test("lists the stack's cluster even when empty, and only the clusters something runs on", () => {
    expect(usage([])).toEqual([
      { cluster: "cloud", requestsMiB: 0, requestsMilliCpu: 0, systemMiB: 1344, systemMilliCpu: 430, servicesReserveMiB: 12288, allocatableMiB: 17500, allocatableMilliCpu: 3800, freeMiB: 3868, items: [] },
    ]);
    expect(usage([application("argocd-dev", "dev", {})]).map((u) => u.cluster)).toEqual(["cloud", "dev"]);
    expect(usage([], { stackCluster: "", charts: {}, clusters: {} })).toEqual([]);
  });

  test("a replica count in the values wins; otherwise the declared replicas, else 1", () => {
    const operator = (values: unknown, replicas?: number) =>
      usage([release("cilium", values)], { ...budget, charts: { cilium: { workloads: [{ path: "operator.resources", replicasPath: "operator.replicas", replicas }] } } })[0].requestsMiB;
    expect(operator({ operator: { replicas: 3, resources: requests("50m", "100Mi") } }, 2)).toBe(300);
    expect(operator({ operator: { replicas: "3", resources: requests("50m", "100Mi") } })).toBe(100);
  });

  test("charts the config does not declare and requests it cannot read add nothing", () => {
    const [cloud] = usage([
      release("longhorn", { resources: requests("1", "8Gi") }),
      release("cilium", { operator: { resources: requests("bad", "lots") } }),
      workload(types.deployment, "web", [container("app", requests("100m", "128Mi"))], { replicas: "2" }),
    ]);
    expect(cloud.requestsMiB).toBe(128);
    expect(cloud.requestsMilliCpu).toBe(100);
  });
});

describe("cluster-budget and cluster-budget-declared", () => {
  test("are in the pack", () => {
    expect(allPolicies).toEqual(expect.arrayContaining([clusterBudgetDeclaredPolicy, clusterBudgetPolicy]));
  });

  test("judge a first preview as they judge the deployed state, though stack policies see no outputs then", async () => {
    expect(await messages(fiveGiB)).toEqual(["cluster cloud: system 1344 MiB + platform 5120 MiB + reserved for services 12288 MiB = 18752 MiB exceeds allocatable 17500 MiB"]);
    const preview = await check(fiveGiB, undefined, { firstPreview: true });
    expect(preview.map((v) => v.message)).toEqual(["cluster cloud: system 1344 MiB + platform 5120 MiB + reserved for services 12288 MiB = 18752 MiB exceeds allocatable 17500 MiB"]);
  });

  test("a workload missing from the declarations, or declared with other figures, fails on its own inputs", async () => {
    const config = declared(fiveGiB);
    const { [fiveGiB[1].urn]: _web, ...withoutWeb } = config.workloads;
    void _web;
    // Only cilium's 3072 MiB is declared: the budget fits, but the undeclared workload is refused.
    expect(await messages(fiveGiB, withConfig({ ...config, workloads: withoutWeb }))).toEqual([
      "Deployment web is not declared in the cluster-budget config (its inputs request cloud: 2048 MiB, 500m CPU); regenerate the policy config with `npm run preview -- --stack test`",
    ]);
    const understated = { ...config.workloads, [fiveGiB[1].urn]: { cluster: "cloud", items: [{ resource: "Deployment web x2", memoryMiB: 2, milliCpu: 1 }] } };
    const violations = await check(fiveGiB, withConfig({ ...config, workloads: understated }));
    expect(violations.map((v) => [v.policy, v.message])).toEqual([
      ["cluster-budget-declared", "Deployment web is declared as cloud: 2 MiB, 1m CPU, but its inputs request cloud: 2048 MiB, 500m CPU; regenerate the policy config with `npm run preview -- --stack test`"],
    ]);
  });

  test("a value not known until deploy makes the declaration check advisory, as in the analyzer", async () => {
    const web = workload(types.deployment, "web", [container("app", requests("100m", "128Mi"))], { replicas: unknown });
    const violations = await check([web], withConfig(declared([])));
    expect(violations.map((v) => [v.policy, v.level, v.message])).toEqual([
      ["cluster-budget-declared", "advisory", "can't run policy 'cluster-budget-declared' from policy pack 'homelab@v0.2.0' during preview: string value at .spec.replicas can't be known during preview"],
    ]);
  });

  test("pass when system + platform + services reserve fit, also exactly at the limit", async () => {
    expect(await check(fiveGiB.slice(0, 1))).toEqual([]); // 3072 MiB of platform
    // 1344 + 3868 + 12288 = 17500: exactly allocatable.
    expect(await check([workload(types.pod, "filler", [container("x", requests("100m", "3868Mi"))])])).toEqual([]);
  });

  test("fails when memory does not fit, giving the figures", async () => {
    const violations = await check(fiveGiB);
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({ policy: "cluster-budget", resource: null, level: "mandatory" });
    expect(violations[0].message).toBe("cluster cloud: system 1344 MiB + platform 5120 MiB + reserved for services 12288 MiB = 18752 MiB exceeds allocatable 17500 MiB");
    expect(await messages([workload(types.pod, "filler", [container("x", requests("100m", "3869Mi"))])])).toEqual([
      "cluster cloud: system 1344 MiB + platform 3869 MiB + reserved for services 12288 MiB = 17501 MiB exceeds allocatable 17500 MiB",
    ]);
  });

  test("fails when CPU requests do not fit", async () => {
    const small = withConfig(declared(fiveGiB, { ...budget, clusters: { cloud: { ...budget.clusters.cloud, allocatableMilliCpu: 1000, servicesReserveMiB: 0 } } }));
    // agent 2 x 100m + operator 2 x 50m + relay 50m + web 2 x 250m = 850m.
    expect(await messages(fiveGiB, small)).toEqual(["cluster cloud: system 430m CPU + platform 850m CPU = 1280m CPU exceeds allocatable 1000m CPU"]);
  });

  test("each cluster is judged on its own: Applications count where they are delivered", async () => {
    const big = application("argocd-dev", "dev", { server: { resources: requests("2", "4Gi") } });
    expect(await messages([big])).toEqual([
      "cluster dev: system 1024 MiB + platform 8192 MiB + reserved for services 4096 MiB = 13312 MiB exceeds allocatable 12000 MiB",
      "cluster dev: system 300m CPU + platform 4000m CPU = 4300m CPU exceeds allocatable 4000m CPU",
    ]);
  });

  test("an Application delivered to a cluster the config does not budget fails, naming it", async () => {
    const violations = await check([application("media", "nas", {})]);
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({ policy: "cluster-budget-declared", resource: "media" });
    expect(violations[0].message).toBe('Application media targets cluster "nas", which the cluster-budget config does not list; expected a cluster the config budgets: cloud, dev, prod');
    expect(await messages([application("by-server", undefined, {})])).toEqual([
      "Application by-server has no spec.destination.name; expected a cluster the config budgets: cloud, dev, prod",
    ]);
  });

  test("releases and raw workloads need the stack's cluster in the config", async () => {
    const unset = withConfig(declared(fiveGiB, { ...budget, stackCluster: "" }));
    expect(await messages(fiveGiB, unset)).toEqual([
      "Release cilium runs on the stack's cluster, but stackCluster is not set; expected a cluster the config budgets: cloud, dev, prod",
      "Deployment web runs on the stack's cluster, but stackCluster is not set; expected a cluster the config budgets: cloud, dev, prod",
    ]);
    const violations = await check([fiveGiB[1]], withConfig(declared([fiveGiB[1]], { ...budget, stackCluster: "home" })));
    expect(violations).toMatchObject([{ policy: "cluster-budget-declared", resource: "web" }]);
    expect(violations[0].message).toBe('Deployment web runs on the stack\'s cluster "home", which the cluster-budget config does not list; expected a cluster the config budgets: cloud, dev, prod');
    expect(await messages([fiveGiB[1]], {})).toEqual(["Deployment web runs on the stack's cluster, but stackCluster is not set; expected a cluster the config budgets: (none)"]);
  });

  test("with the default config and nothing on a cluster it reports nothing; other resources are not counted", async () => {
    expect(await check([resource(types.service, "svc", {}), resource("oci:Core/vcn:Vcn", "vcn", {})], {})).toEqual([]);
  });
});

describe("cluster-budget, the edges", () => {
  test("names the known clusters sorted when a destination is not one of them", () => {
    const base = { ...budget, clusters: { prod: budget.clusters.prod, cloud: budget.clusters.cloud } };
    expect(workloadDeclaration({ type: types.argoApplication, name: "x", props: application("x", "nas", {}).inputs }, base)).toEqual({
      problem: 'Application x targets cluster "nas", which the cluster-budget config does not list; expected a cluster the config budgets: cloud, prod',
    });
  });

  test("counts a chart's estimate, and never its init workloads as running", () => {
    const base = {
      ...budget,
      charts: { longhorn: { workloads: [{ path: "manager.resources" }, { path: "pre.resources", init: true }], estimated: { reason: "a LimitRange", memoryMiB: 300, milliCpu: 40 } } },
    };
    const r = release("longhorn", { manager: { resources: requests("10m", "64Mi") }, pre: { resources: requests("1", "4Gi") } });
    expect(workloadDeclaration({ type: r.type, name: r.name, props: r.inputs }, base)).toEqual({
      declaration: {
        cluster: "cloud",
        items: [
          { resource: "Release longhorn: estimated (a LimitRange)", memoryMiB: 300, milliCpu: 40 },
          { resource: "Release longhorn: values.manager.resources", memoryMiB: 64, milliCpu: 10 },
        ],
      },
    });
  });

  test("scales a StatefulSet and a database by their replicas; a Job runs one pod whatever it says", () => {
    const read = (r: ResourceUnderPolicy) => {
      const d = workloadDeclaration({ type: r.type, name: r.name, props: r.inputs }, budget);
      return "declaration" in d ? d.declaration.items : d.problem;
    };
    expect(read(workload(types.statefulSet, "db", [container("pg", requests("100m", "256Mi"))], { replicas: 3 }))).toEqual([{ resource: "StatefulSet db x3", memoryMiB: 768, milliCpu: 300 }]);
    expect(read(workload(types.job, "once", [container("run", requests("100m", "256Mi"))], { replicas: 3 }))).toEqual([{ resource: "Job once", memoryMiB: 256, milliCpu: 100 }]);
    const db = resource(types.cnpgCluster, "app-db", { spec: { instances: 2, resources: requests("50m", "192Mi") } });
    expect(read(db)).toEqual([{ resource: "Cluster app-db x2", memoryMiB: 384, milliCpu: 100 }]);
  });

  test("a pod's init container counts only when it asks more than the running containers together", () => {
    const small = workload(types.pod, "p", [container("a", requests("100m", "100Mi")), container("b", requests("100m", "100Mi"))], { initContainers: [container("i", requests("150m", "150Mi"))] });
    const big = workload(types.pod, "q", [container("a", requests("100m", "100Mi"))], { initContainers: [container("i", requests("300m", "300Mi"))] });
    const items = (r: ResourceUnderPolicy) => (workloadDeclaration({ type: r.type, name: r.name, props: r.inputs }, budget) as { declaration: { items: unknown[] } }).declaration.items;
    expect(items(small)).toEqual([{ resource: "Pod p", memoryMiB: 200, milliCpu: 200 }]);
    expect(items(big)).toEqual([{ resource: "Pod q", memoryMiB: 300, milliCpu: 300 }]);
  });

  test("an exact fit passes, one millicore or MiB more fails", async () => {
    const cluster = { nodes: 1, allocatableMiB: 1000, allocatableMilliCpu: 1000, systemMiB: 0, systemMilliCpu: 0, servicesReserveMiB: 0 };
    const base = { ...budget, clusters: { cloud: cluster } };
    const fits = [workload(types.deployment, "web", [container("app", requests("1000m", "1000Mi"))])];
    expect(await messages(fits, withConfig(declared(fits, base)))).toEqual([]);
    const over = [workload(types.deployment, "web", [container("app", requests("1001m", "1001Mi"))])];
    expect(await messages(over, withConfig(declared(over, base)))).toEqual([
      "cluster cloud: system 0 MiB + platform 1001 MiB + reserved for services 0 MiB = 1001 MiB exceeds allocatable 1000 MiB",
      "cluster cloud: system 0m CPU + platform 1001m CPU = 1001m CPU exceeds allocatable 1000m CPU",
    ]);
  });

  test("a workload declared on a cluster the config does not budget is named", async () => {
    const web = workload(types.deployment, "web", [container("app", requests("100m", "100Mi"))]);
    const config = declared([web]);
    config.workloads[web.urn] = { cluster: "nas", items: [] };
    expect((await messages([web], withConfig(config))).filter((m) => m.includes("nas"))).toContainEqual('Deployment web is declared on cluster "nas", which the cluster-budget config does not list');
  });
});
