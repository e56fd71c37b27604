// The wave pair one fixture at a time (test/stacks/waves.test.ts runs it on
// the stacks): sync-waves-declared reads each Application's wave and
// destination, sync-waves-ordered judges the dependency graph.
import { allPolicies } from "../../policies/rules";
import { types } from "../../policies/rules/types";
import { waveDeclaration, waveDeclaredPolicy, waveOrderPolicy } from "../../policies/rules/waveOrder";
import { ResourceUnderPolicy, resource, runPolicies } from "./fixtures";

const app = (name: string, wave: unknown, cluster: string | null = "prod", dependencies: ResourceUnderPolicy[] = []): ResourceUnderPolicy => ({
  ...resource(types.argoApplication, name, {
    metadata: { name, namespace: "argocd", annotations: wave === undefined ? {} : { "argocd.argoproj.io/sync-wave": wave } },
    spec: { destination: cluster === null ? {} : { name: cluster, namespace: name } },
  }),
  dependencies: dependencies.map((d) => d.urn),
});
const release = (name: string, dependencies: ResourceUnderPolicy[] = []): ResourceUnderPolicy => ({ ...resource(types.helmRelease, name, { name, chart: name }), dependencies: dependencies.map((d) => d.urn) });

type Declared = Record<string, { cluster: string; wave: number; kind: "application" | "release" }>;
const declare = (entries: [ResourceUnderPolicy, string, number][]): Declared =>
  Object.fromEntries(entries.map(([r, cluster, wave]) => [r.urn, { cluster, wave, kind: r.type === types.helmRelease ? "release" : "application" }]));
const config = (resources: Declared, stackCluster = "prod") => {
  const c = { stackCluster, resources };
  return { "sync-waves-declared": c, "sync-waves-ordered": c };
};
const ordered = async (resources: ResourceUnderPolicy[], declared: Declared) => (await runPolicies([waveOrderPolicy], resources, config(declared))).map((v) => v.message);
const declaredCheck = async (resources: ResourceUnderPolicy[], declared: Declared, stackCluster = "prod") =>
  (await runPolicies([waveDeclaredPolicy], resources, config(declared, stackCluster))).map((v) => v.message);

describe("waveDeclaration", () => {
  it("reads a release as wave 0 of the stack's cluster, an Application from its annotation and destination", () => {
    expect(waveDeclaration({ type: types.helmRelease, name: "cilium", props: {} }, "cloud")).toEqual({ declaration: { cluster: "cloud", wave: 0, kind: "release" } });
    expect(waveDeclaration({ type: types.argoApplication, name: "a", props: app("a", "3", "dev").inputs }, "prod")).toEqual({ declaration: { cluster: "dev", wave: 3, kind: "application" } });
    expect(waveDeclaration({ type: types.argoApplication, name: "a", props: app("a", "-1").inputs }, "prod")).toEqual({ declaration: { cluster: "prod", wave: -1, kind: "application" } });
  });

  it.each([
    ["no annotation", app("a", undefined)],
    ["a wave that is not a whole number", app("a", "1.5")],
    ["a numeric wave (annotations are strings)", app("a", 2)],
    ["a wave with text around it", app("a", "wave 2")],
    ["no destination", app("a", "1", null)],
    ["an empty destination", app("a", "1", "")],
  ])("refuses %s", (_, a) => {
    expect(waveDeclaration({ type: types.argoApplication, name: "a", props: a.inputs }, "prod")).toEqual({
      problem: "Application a: expected the argocd.argoproj.io/sync-wave annotation (a whole number) and spec.destination.name",
    });
  });
});

describe("sync-waves-declared", () => {
  it("is in the pack", () => {
    expect(allPolicies).toContain(waveDeclaredPolicy);
  });

  it("passes when every Application and release is declared as its inputs say", async () => {
    const cilium = release("cilium");
    const storage = app("prod-storage", "1");
    expect(await declaredCheck([cilium, storage], declare([[cilium, "prod", 0], [storage, "prod", 1]]))).toEqual([]);
  });

  it("names what is not declared, and how to regenerate the config", async () => {
    const cilium = release("cilium");
    const storage = app("prod-storage", "1");
    expect(await declaredCheck([cilium, storage], {})).toEqual([
      "Release cilium (a release on cluster prod (wave 0)) is not declared in the sync-waves config; regenerate the policy config with `npm run preview -- --stack test`",
      "Application prod-storage (wave 1 on cluster prod) is not declared in the sync-waves config; regenerate the policy config with `npm run preview -- --stack test`",
    ]);
  });

  it("names a declaration that disagrees with the inputs, on the wave or the cluster", async () => {
    const storage = app("prod-storage", "1");
    const media = app("dev-media", "2", "dev");
    expect(await declaredCheck([storage, media], declare([[storage, "prod", 2], [media, "prod", 2]]))).toEqual([
      "Application prod-storage is declared as wave 2 on cluster prod, but its inputs say wave 1 on cluster prod; regenerate the policy config with `npm run preview -- --stack test`",
      "Application dev-media is declared as wave 2 on cluster prod, but its inputs say wave 2 on cluster dev; regenerate the policy config with `npm run preview -- --stack test`",
    ]);
  });

  it("reports an Application it cannot read, and judges nothing else", async () => {
    const broken = app("broken", "soon");
    expect(await declaredCheck([broken, resource(types.deployment, "web", {})], {})).toEqual([
      "Application broken: expected the argocd.argoproj.io/sync-wave annotation (a whole number) and spec.destination.name",
    ]);
  });
});

describe("sync-waves-ordered", () => {
  it("is in the pack", () => {
    expect(allPolicies).toContain(waveOrderPolicy);
  });

  const cilium = release("cilium");
  const certs = release("cert-manager");

  it("passes when the first wave waits for every release and each wave for the whole wave before", async () => {
    const storage = app("storage", "1", "prod", [cilium, certs]);
    const nfs = app("nfs", "1", "prod", [cilium, certs]);
    const db = app("db", "2", "prod", [storage, nfs]);
    // Through another resource counts: wave 3 waits for db, which waited for wave 1.
    const web = app("web", "3", "prod", [db]);
    const resources = [cilium, certs, storage, nfs, db, web];
    expect(await ordered(resources, declare([[cilium, "prod", 0], [certs, "prod", 0], [storage, "prod", 1], [nfs, "prod", 1], [db, "prod", 2], [web, "prod", 3]]))).toEqual([]);
  });

  it("names the releases a first-wave Application does not wait for", async () => {
    const storage = app("storage", "1", "prod", [cilium]);
    expect(await ordered([cilium, certs, storage], declare([[cilium, "prod", 0], [certs, "prod", 0], [storage, "prod", 1]]))).toEqual([
      "Application storage (wave 1, cluster prod) can start before directly installed release(s) cert-manager; expected it to depend on them",
    ]);
  });

  it("names the Applications of the highest lower wave that one skips; a wave with a gap waits for the wave below it", async () => {
    const storage = app("storage", "1", "prod", [cilium]);
    const nfs = app("nfs", "1", "prod", [cilium]);
    const web = app("web", "4", "prod", [storage]);
    expect(await ordered([cilium, storage, nfs, web], declare([[cilium, "prod", 0], [storage, "prod", 1], [nfs, "prod", 1], [web, "prod", 4]]))).toEqual([
      "Application web (wave 4, cluster prod) can start before wave 1 Application(s) nfs; expected it to depend on them",
    ]);
  });

  it("only orders Applications of the same cluster, and only declared ones", async () => {
    const prodStorage = app("prod-storage", "1", "prod", [cilium]);
    const devStorage = app("dev-storage", "1", "dev");
    const devWeb = app("dev-web", "2", "dev", [devStorage]);
    const undeclared = app("stray", "1", "prod");
    expect(await ordered([cilium, prodStorage, devStorage, devWeb, undeclared], declare([[cilium, "prod", 0], [prodStorage, "prod", 1], [devStorage, "dev", 1], [devWeb, "dev", 2]]))).toEqual([]);
  });

  it("does not count a later wave, or the same wave, as one to wait for", async () => {
    const a = app("a", "1", "prod", [cilium]);
    const b = app("b", "1", "prod", [cilium]);
    const c = app("c", "2", "prod", [a, b]);
    expect(await ordered([cilium, a, b, c], declare([[cilium, "prod", 0], [a, "prod", 1], [b, "prod", 1], [c, "prod", 2]]))).toEqual([]);
    // Two Applications of wave 1 that wait for nothing: each misses the release, neither the other.
    const lone = app("lone", "1", "prod");
    expect(await ordered([cilium, lone, b], declare([[cilium, "prod", 0], [lone, "prod", 1], [b, "prod", 1]]))).toEqual([
      "Application lone (wave 1, cluster prod) can start before directly installed release(s) cilium; expected it to depend on them",
    ]);
  });
});
