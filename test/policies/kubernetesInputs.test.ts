// What the Kubernetes policies share, one reading at a time: deep equality,
// quantities, what a release or an Application installs, images, containers.
import { types } from "../../policies/rules/types";
import { chartInstalls, containersOf, declaredChart, imageUse, memoryMiB, milliCpu, parseImage, requestsOf, sameData, valueAt } from "../../policies/rules/kubernetesInputs";

describe("sameData", () => {
  it("compares plain data deeply, whatever the key order", () => {
    expect(sameData({ a: 1, b: { c: [1, { d: "x" }] } }, { b: { c: [1, { d: "x" }] }, a: 1 })).toBe(true);
    expect(sameData([], [])).toBe(true);
    expect(sameData("a", "a")).toBe(true);
    expect(sameData(null, null)).toBe(true);
  });

  it.each([
    ["an array and an object", [1], { 0: 1 }],
    ["an object and an array", { 0: 1 }, [1]],
    ["an array and a string", ["a"], "a"],
    ["arrays of different lengths", [1, 2], [1]],
    ["arrays with one item different", [1, 2], [1, 3]],
    ["arrays with a different first item", [0, 2], [1, 2]],
    ["an object with a key more", { a: 1, b: 2 }, { a: 1 }],
    ["objects with other keys", { a: 1 }, { b: 1 }],
    ["objects with an undefined value against a missing key", { a: 1, b: undefined }, { a: 1, c: 2 }],
    ["objects with a value different", { a: { b: 1 } }, { a: { b: 2 } }],
    ["an object and null", { a: 1 }, null],
    ["null and an object", null, {}],
    ["different strings", "a", "b"],
  ])("tells %s apart", (_, a, b) => {
    expect(sameData(a, b)).toBe(false);
  });
});

describe("valueAt", () => {
  it("follows a dot path through objects, and through lists by index", () => {
    expect(valueAt({ a: { b: { c: 3 } } }, "a.b.c")).toBe(3);
    expect(valueAt({ a: [{ b: 1 }] }, "a.0.b")).toBe(1);
    expect(valueAt({ a: [{ b: 1 }] }, "a.1.b")).toBeUndefined();
    expect(valueAt({ a: [{ b: 1 }] }, "a.b")).toBeUndefined();
    expect(valueAt({ a: [{ b: 1 }] }, "a.-1.b")).toBeUndefined();
    expect(valueAt({ a: "text" }, "a.length")).toBeUndefined();
    expect(valueAt(undefined, "a")).toBeUndefined();
  });
});

describe("quantities", () => {
  it.each([
    ["512Mi", 512],
    ["1Gi", 1024],
    ["1G", 1e9 / 2 ** 20],
    [1048576, 1],
    ["1048576", 1],
    [0, 0],
    [".5Gi", 512],
  ])("memory %p is %p MiB", (q, mib) => {
    expect(memoryMiB(q)).toBeCloseTo(mib, 6);
  });

  it.each([["12 gigs"], ["-1Gi"], [-1], [""], [null], [undefined], [true], ["1Pi"]])("memory %p is not a quantity", (q) => {
    expect(memoryMiB(q)).toBeUndefined();
  });

  it.each([
    ["100m", 100],
    ["0.5", 500],
    [2, 2000],
    ["0.0005", 1],
    [0, 0],
  ])("cpu %p is %p millicores", (q, m) => {
    expect(milliCpu(q)).toBe(m);
  });

  it.each([["1 core"], [-2], ["-100m"], [""], [null], ["100M"]])("cpu %p is not a quantity", (q) => {
    expect(milliCpu(q)).toBeUndefined();
  });

  it("counts a block's requests, a missing request as its limit, anything unreadable as 0", () => {
    expect(requestsOf({ requests: { cpu: "100m", memory: "64Mi" }, limits: { cpu: "1", memory: "1Gi" } })).toEqual({ memoryMiB: 64, milliCpu: 100 });
    expect(requestsOf({ limits: { cpu: "1", memory: "1Gi" } })).toEqual({ memoryMiB: 1024, milliCpu: 1000 });
    expect(requestsOf({ requests: { cpu: "lots" } })).toEqual({ memoryMiB: 0, milliCpu: 0 });
    expect(requestsOf(undefined)).toEqual({ memoryMiB: 0, milliCpu: 0 });
  });
});

describe("what a resource installs", () => {
  it("reads a release: chart name (last segment), release name, version and values", () => {
    expect(chartInstalls(types.helmRelease, "cilium", { name: "cilium", chart: "oci://ghcr.io/cilium/charts/cilium", version: "1.18.6", values: { a: 1 } })).toEqual([
      { resource: "Release cilium", chart: "cilium", release: "cilium", versionLabel: "chart version", version: "1.18.6", values: { a: 1 }, valuesPath: "values" },
    ]);
    expect(chartInstalls(types.helmRelease, "r", { chart: "", name: "" })[0]).toMatchObject({ chart: undefined, release: undefined });
  });

  it("reads an Application's one source, or each of several; a git chart by its path; plain manifests by their repository", () => {
    const helm = { repoURL: "https://charts.example", chart: "app-template", targetRevision: "5.1.0", helm: { releaseName: "vault", valuesObject: { x: 1 } } };
    expect(chartInstalls(types.argoApplication, "a", { spec: { source: helm } })).toEqual([
      { resource: "Application a", chart: "app-template", release: "vault", versionLabel: "chart app-template targetRevision", version: "5.1.0", values: { x: 1 }, valuesPath: "valuesObject" },
    ]);
    const git = { repoURL: "https://github.com/x/y.git", path: "deploy/chart/local-path", targetRevision: "v1", helm: {} };
    const manifests = { repoURL: "https://github.com/x/manifests.git", path: "k8s", targetRevision: "v2" };
    expect(chartInstalls(types.argoApplication, "b", { spec: { sources: [git, null, manifests, { repoURL: 3, path: "k8s" }] } })).toEqual([
      { resource: "Application b", chart: "local-path", release: undefined, versionLabel: "chart local-path targetRevision", version: "v1", values: undefined, valuesPath: "sources[0].helm.valuesObject" },
      { resource: "Application b", chart: undefined, release: undefined, versionLabel: "source https://github.com/x/manifests.git targetRevision", version: "v2", values: undefined, valuesPath: "sources[2].helm.valuesObject" },
      { resource: "Application b", chart: undefined, release: undefined, versionLabel: "source 4 targetRevision", version: undefined, values: undefined, valuesPath: "sources[3].helm.valuesObject" },
    ]);
  });

  it("reads nothing from other resources, even one with a source", () => {
    expect(chartInstalls(types.deployment, "d", { spec: { source: { chart: "x" } }, chart: "y" })).toEqual([]);
  });

  it("finds a chart's declaration by release first, then by chart", () => {
    const charts = { "app-template": { workloads: [{ path: "a" }] }, "app-template@vault": { workloads: [{ path: "b" }] } };
    expect(declaredChart(charts, { chart: "app-template", release: "vault" })).toBe(charts["app-template@vault"]);
    expect(declaredChart(charts, { chart: "app-template", release: "other" })).toBe(charts["app-template"]);
    expect(declaredChart(charts, { chart: "app-template" })).toBe(charts["app-template"]);
    expect(declaredChart(charts, { chart: undefined, release: "vault" })).toBeUndefined();
    expect(declaredChart(charts, { chart: "toString" })).toBeUndefined();
    expect(declaredChart({ "x@": { workloads: [] } }, { chart: "x" })).toBeUndefined();
  });
});

describe("images", () => {
  it("splits a reference into repository, tag and digest", () => {
    expect(parseImage("registry:5000/team/app:1.2@sha256:abc")).toEqual({ repository: "registry:5000/team/app", tag: "1.2", digest: "sha256:abc" });
    expect(parseImage("registry:5000/team/app")).toEqual({ repository: "registry:5000/team/app", digest: undefined });
  });

  it("reads a string, skipping empty and templated ones", () => {
    expect(imageUse("nginx:1.29.3", "p")).toEqual({ path: "p", shown: '"nginx:1.29.3"', repository: "nginx", tag: "1.29.3", digest: undefined, fromObject: false });
    expect(imageUse("", "p")).toBeUndefined();
    expect(imageUse("{{ .Values.image }}", "p")).toBeUndefined();
    expect(imageUse("a\tb", "p")).toBeUndefined();
  });

  it("reads an object: repository, tag (with a digest inside or beside), or neither", () => {
    expect(imageUse({ repository: "nginx", tag: "1.29.3" }, "p")).toEqual({ path: "p", shown: "(repository nginx)", repository: "nginx", tag: "1.29.3", digest: undefined, fromObject: true });
    expect(imageUse({ repository: "", tag: 7 }, "p")).toEqual({ path: "p", shown: "(tag 7)", repository: undefined, tag: "7", digest: undefined, fromObject: true });
    expect(imageUse({ repository: 3, tag: null, digest: "" }, "p")).toBeUndefined();
    expect(imageUse({ pullPolicy: "IfNotPresent" }, "p")).toBeUndefined();
    expect(imageUse(["nginx"], "p")).toBeUndefined();
    expect(imageUse(null, "p")).toBeUndefined();
  });
});

describe("containers of a workload", () => {
  it("lists containers and init containers, naming each (by position when it has no name)", () => {
    const props = { spec: { template: { spec: { containers: [{ name: "web", image: "nginx:1.29.3", resources: { a: 1 } }, { image: "side:1.0.0" }, null], initContainers: [{ name: "init" }] } } } };
    expect(containersOf(types.deployment, props)).toEqual([
      { label: "container web", init: false, image: "nginx:1.29.3", resources: { a: 1 } },
      { label: "container #2", init: false, image: "side:1.0.0", resources: undefined },
      { label: "init container init", init: true, image: undefined, resources: undefined },
    ]);
  });

  it("reads a database as its one postgres container, and nothing from a workload without a list", () => {
    expect(containersOf(types.cnpgCluster, { spec: { imageName: "pg:17.11", resources: { requests: { memory: "1Gi" } } } })).toEqual([
      { label: "container postgres", init: false, image: "pg:17.11", resources: { requests: { memory: "1Gi" } } },
    ]);
    expect(containersOf(types.deployment, { spec: { template: { spec: { containers: "web" } } } })).toEqual([]);
    expect(containersOf(types.service, { spec: { containers: [{ name: "x" }] } })).toEqual([]);
  });
});
