import { allPolicies } from "../../policies/rules";
import { containerResourcesPolicy, resourcesProblems } from "../../policies/rules/containerResources";
import { memoryMiB, milliCpu } from "../../policies/rules/kubernetesInputs";
import { types } from "../../policies/rules/types";
import { PolicyConfig } from "../../plan/analyzer";
import { ResourceUnderPolicy, resource, runPolicies, secret, unknown } from "./fixtures";

const ok = { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } };
const config: PolicyConfig = {
  "container-resources": {
    charts: {
      cilium: { workloads: [{ path: "resources", perNode: true }, { path: "operator.resources", replicasPath: "operator.replicas" }, { path: "hubble.relay.resources" }] },
      "argo-cd": { workloads: [{ path: "server.resources" }], servicePaths: ["server.service.type"] },
      "gateway-crds": { workloads: [] },
    },
  },
};
const check = (resources: ResourceUnderPolicy[], c: PolicyConfig = config) => runPolicies([containerResourcesPolicy], resources, c);
const messages = async (resources: ResourceUnderPolicy[], c: PolicyConfig = config) => (await check(resources, c)).map((v) => v.message);

const release = (name: string, values: unknown, chart = name) => resource(types.helmRelease, name, { name, chart, version: "1.18.3", namespace: "kube-system", values });
const application = (name: string, spec: Record<string, unknown>) =>
  resource(types.argoApplication, name, { metadata: { name, namespace: "argocd" }, spec: { project: "default", destination: { name: "prod", namespace: name }, ...spec } });
const workload = (type: string, name: string, containers: unknown[], initContainers: unknown[] = []) => {
  const podSpec = { containers, initContainers };
  const spec = type === types.pod ? podSpec : type === types.cronJob ? { jobTemplate: { spec: { template: { spec: podSpec } } } } : { template: { spec: podSpec } };
  return resource(type, name, { metadata: { name, namespace: "apps" }, spec });
};
const container = (name: string, resources?: unknown) => ({ name, image: "nginx:1.29.3", ...(resources === undefined ? {} : { resources }) });

describe("Kubernetes quantities", () => {
  test("memory in MiB: binary and decimal suffixes, plain bytes, numbers", () => {
    expect([memoryMiB("512Mi"), memoryMiB("1Gi"), memoryMiB("1.5Gi"), memoryMiB("1Ti"), memoryMiB("2048Ki"), memoryMiB("1048576"), memoryMiB(1073741824)]).toEqual([512, 1024, 1536, 1048576, 2, 1, 1024]);
    expect(memoryMiB("1G")).toBeCloseTo(953.674, 3);
    expect(memoryMiB("128M")).toBeCloseTo(122.07, 2);
    expect(memoryMiB("1000k")).toBeCloseTo(0.9537, 4);
    expect(memoryMiB("0")).toBe(0);
  });

  test.each(["", "lots", "1GB", "1gi", "-1Mi", "1 Gi", "1e3", "Mi", "1.Mi", "100m"])("memory %p is not a quantity", (q) => {
    expect(memoryMiB(q)).toBeUndefined();
  });

  test("CPU in millicores: millicores, fractional and whole cores, numbers; rounded up like Kubernetes", () => {
    expect([milliCpu("100m"), milliCpu("0.5"), milliCpu(".25"), milliCpu("2"), milliCpu(2), milliCpu(0.7), milliCpu("1.5m"), milliCpu("0")]).toEqual([100, 500, 250, 2000, 2000, 700, 2, 0]);
  });

  test.each(["", "m", "1 cpu", "-1", "100M", "1Gi", "2c"])("CPU %p is not a quantity", (q) => {
    expect(milliCpu(q)).toBeUndefined();
  });

  test("non-strings and non-numbers are not quantities", () => {
    for (const q of [undefined, null, true, {}, [], -1]) {
      expect(memoryMiB(q)).toBeUndefined();
      expect(milliCpu(q)).toBeUndefined();
    }
  });
});

describe("container-resources", () => {
  test("is in the pack", () => {
    expect(allPolicies).toContain(containerResourcesPolicy);
  });

  test("passes for raw workloads and declared chart workloads with valid requests <= limits", async () => {
    const same = { requests: { cpu: 1, memory: "1Gi" }, limits: { cpu: "1000m", memory: "1024Mi" } };
    expect(
      await check([
        workload(types.deployment, "web", [container("app", ok), container("sidecar", same)], [container("migrate", ok)]),
        workload(types.statefulSet, "db", [container("postgres", ok)]),
        workload(types.daemonSet, "agent", [container("agent", ok)]),
        workload(types.job, "once", [container("job", ok)]),
        workload(types.cronJob, "nightly", [container("job", ok)]),
        workload(types.pod, "debug", [container("shell", ok)]),
        release("cilium", { resources: ok, operator: { replicas: 2, resources: ok }, hubble: { relay: { resources: same } } }),
        release("gateway-crds", {}),
        application("argocd", { source: { repoURL: "https://argoproj.github.io/argo-helm", chart: "argo-cd", targetRevision: "9.1.3", helm: { valuesObject: { server: { resources: ok } } } } }),
        application("family-apps", { source: { repoURL: "https://github.com/family/apps.git", path: "apps", targetRevision: "v1.0.0" } }),
      ]),
    ).toEqual([]);
  });

  test("a value not known until deploy makes the check advisory for that resource, as in the analyzer", async () => {
    const violations = await check([workload(types.deployment, "web", [container("app", unknown)]), release("cilium", { resources: ok, operator: unknown })]);
    expect(violations.map((v) => [v.resource, v.level, v.message])).toEqual([
      ["web", "advisory", "can't run policy 'container-resources' from policy pack 'homelab@v0.2.0' during preview: string value at .spec.template.spec.containers.0.resources can't be known during preview"],
      ["cilium", "advisory", "can't run policy 'container-resources' from policy pack 'homelab@v0.2.0' during preview: string value at .values.operator can't be known during preview"],
    ]);
  });

  test("secret values are judged as what they hold (the analyzer decrypts them)", async () => {
    expect(await check([workload(types.deployment, "web", [container("c", { ...ok, limits: { cpu: "1", memory: secret("128Mi") } })])])).toEqual([]);
    const violations = await check([workload(types.deployment, "web", [container("c", { ...ok, limits: { cpu: "1", memory: secret("lots") } })])]);
    expect(violations.map((v) => v.message)).toEqual(['Deployment web: container c resources limits.memory "lots" is not a valid quantity; expected a size like 128Mi or 1Gi']);
  });

  test("a container without resources fails, naming the workload and the container", async () => {
    const violations = await check([workload(types.deployment, "web", [container("app")])]);
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({ policy: "container-resources", resource: "web", level: "mandatory" });
    expect(violations[0].message).toBe("Deployment web: container app resources is not set; expected requests and limits for cpu and memory");
  });

  test("each missing request or limit is reported", async () => {
    expect(await messages([workload(types.statefulSet, "db", [container("postgres", { requests: { memory: "256Mi" }, limits: {} })])])).toEqual([
      "StatefulSet db: container postgres resources has no requests.cpu; expected millicores like 100m or cores like 0.5",
      "StatefulSet db: container postgres resources has no limits.cpu; expected millicores like 100m or cores like 0.5",
      "StatefulSet db: container postgres resources has no limits.memory; expected a size like 128Mi or 1Gi",
    ]);
  });

  test("an invalid quantity fails and shows what was written", async () => {
    const bad = { requests: { cpu: "lots", memory: "128MB" }, limits: { cpu: "1 cpu", memory: "1gi" } };
    expect(await messages([workload(types.daemonSet, "agent", [container("agent", bad)])])).toEqual([
      'DaemonSet agent: container agent resources requests.cpu "lots" is not a valid quantity; expected millicores like 100m or cores like 0.5',
      'DaemonSet agent: container agent resources requests.memory "128MB" is not a valid quantity; expected a size like 128Mi or 1Gi',
      'DaemonSet agent: container agent resources limits.cpu "1 cpu" is not a valid quantity; expected millicores like 100m or cores like 0.5',
      'DaemonSet agent: container agent resources limits.memory "1gi" is not a valid quantity; expected a size like 128Mi or 1Gi',
    ]);
  });

  test("requests above limits fail, comparing across units", async () => {
    const over = { requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: "500m", memory: "1000Mi" } };
    expect(await messages([workload(types.job, "once", [container("job", over)])])).toEqual([
      "Job once: container job resources requests.cpu 1 is more than limits.cpu 500m; expected requests <= limits",
      "Job once: container job resources requests.memory 1Gi is more than limits.memory 1000Mi; expected requests <= limits",
    ]);
  });

  test("init containers, CronJob and Pod containers are checked too", async () => {
    expect(
      await messages([
        workload(types.deployment, "web", [container("app", ok)], [container("migrate")]),
        workload(types.cronJob, "nightly", [container("backup", { requests: ok.requests })]),
        workload(types.pod, "debug", [container("shell", "small")]),
      ]),
    ).toEqual([
      "Deployment web: init container migrate resources is not set; expected requests and limits for cpu and memory",
      "CronJob nightly: container backup resources has no limits.cpu; expected millicores like 100m or cores like 0.5",
      "CronJob nightly: container backup resources has no limits.memory; expected a size like 128Mi or 1Gi",
      "Pod debug: container shell resources is not a resources block; expected requests and limits for cpu and memory",
    ]);
  });

  test("a release or Application of a chart the config does not declare fails", async () => {
    const violations = await check([release("longhorn", { resources: ok })]);
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({ policy: "container-resources", resource: "longhorn" });
    expect(violations[0].message).toBe("Release longhorn: chart longhorn has no declared workloads in the policy config; declare where its containers' resources are set");
    const app = application("media", { sources: [{ repoURL: "https://charts.example.org", chart: "jellyfin", targetRevision: "2.1.0" }] });
    expect(await messages([app])).toEqual(["Application media: chart jellyfin has no declared workloads in the policy config; declare where its containers' resources are set"]);
    // With the default config nothing is declared.
    expect(await messages([release("cilium", {})], {})).toEqual(["Release cilium: chart cilium has no declared workloads in the policy config; declare where its containers' resources are set"]);
  });

  test("a chart kept in git (a source with a path and a helm section) is named after its directory", async () => {
    const source = { repoURL: "https://github.com/rancher/local-path-provisioner.git", path: "deploy/chart/local-path-provisioner/", targetRevision: "v0.0.31" };
    const app = application("local-path", { source: { ...source, helm: { valuesObject: { resources: ok } } } });
    expect(await messages([app])).toEqual([
      "Application local-path: chart local-path-provisioner has no declared workloads in the policy config; declare where its containers' resources are set",
    ]);
    const declared = { "container-resources": { charts: { "local-path-provisioner": { workloads: [{ path: "resources" }] } } } };
    expect(await messages([app], declared)).toEqual([]);
    // Without a helm section it is plain manifests: a service, paid for by the services reserve.
    expect(await messages([application("family", { source })])).toEqual([]);
  });

  test("a declared chart workload with missing or bad resources fails, at its path in the values", async () => {
    const values = { resources: ok, operator: { resources: { requests: { cpu: "2", memory: "128Mi" }, limits: { cpu: "1", memory: "128Mi" } } } };
    expect(await messages([release("cilium", values)])).toEqual([
      "Release cilium: values.operator.resources requests.cpu 2 is more than limits.cpu 1; expected requests <= limits",
      "Release cilium: values.hubble.relay.resources is not set; expected requests and limits for cpu and memory",
    ]);
    const app = application("argocd", { sources: [{ repoURL: "https://argoproj.github.io/argo-helm", chart: "argo-cd", targetRevision: "9.1.3", helm: { valuesObject: { server: { resources: { requests: ok.requests } } } } }] });
    expect(await messages([app])).toEqual([
      "Application argocd: sources[0].helm.valuesObject.server.resources has no limits.cpu; expected millicores like 100m or cores like 0.5",
      "Application argocd: sources[0].helm.valuesObject.server.resources has no limits.memory; expected a size like 128Mi or 1Gi",
    ]);
  });

  test("a chart is matched by its name, also from an oci:// or repo/chart reference", async () => {
    expect(await messages([release("net", { resources: ok }, "oci://quay.io/cilium/charts/cilium")])).toEqual([
      "Release net: values.operator.resources is not set; expected requests and limits for cpu and memory",
      "Release net: values.hubble.relay.resources is not set; expected requests and limits for cpu and memory",
    ]);
  });

  test("other resources are not checked", async () => {
    expect(await check([resource(types.service, "svc", { spec: { containers: [container("x")] } }), resource("kubernetes:apps/v1:ReplicaSet", "rs", { spec: { template: { spec: { containers: [container("x")] } } } })])).toEqual([]);
  });
});

describe("resourcesProblems, block by block", () => {
  test("a block that is missing, null or not a mapping", () => {
    expect(resourcesProblems(undefined)).toEqual(["is not set; expected requests and limits for cpu and memory"]);
    expect(resourcesProblems(null)).toEqual(["is not set; expected requests and limits for cpu and memory"]);
    expect(resourcesProblems("100m")).toEqual(["is not a resources block; expected requests and limits for cpu and memory"]);
    expect(resourcesProblems(3)).toEqual(["is not a resources block; expected requests and limits for cpu and memory"]);
  });

  test("an empty or null quantity is missing, not invalid", () => {
    expect(resourcesProblems({ requests: { cpu: "", memory: null }, limits: { cpu: "1", memory: "1Gi" } })).toEqual([
      "has no requests.cpu; expected millicores like 100m or cores like 0.5",
      "has no requests.memory; expected a size like 128Mi or 1Gi",
    ]);
  });

  test("requests are compared with limits only when both are readable; equal is fine", () => {
    expect(resourcesProblems({ requests: { cpu: "2", memory: "1Gi" }, limits: { cpu: "bad", memory: "1024Mi" } })).toEqual([
      'limits.cpu "bad" is not a valid quantity; expected millicores like 100m or cores like 0.5',
    ]);
    expect(resourcesProblems({ requests: { cpu: "oops", memory: "2Gi" }, limits: { cpu: "1", memory: "1Gi" } })).toEqual([
      'requests.cpu "oops" is not a valid quantity; expected millicores like 100m or cores like 0.5',
      "requests.memory 2Gi is more than limits.memory 1Gi; expected requests <= limits",
    ]);
  });
});
