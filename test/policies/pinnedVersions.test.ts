import { allPolicies } from "../../policies/rules";
import { pinnedVersionsPolicy } from "../../policies/rules/pinnedVersions";
import { PolicyConfig } from "../../plan/analyzer";
import { types } from "../../policies/rules/types";
import { ResourceUnderPolicy, resource, runPolicies, secret, unknown } from "./fixtures";

const check = (resources: ResourceUnderPolicy[], config: PolicyConfig = {}) => runPolicies([pinnedVersionsPolicy], resources, config);
const messages = async (resources: ResourceUnderPolicy[], config: PolicyConfig = {}) => (await check(resources, config)).map((v) => v.message);

const release = (name: string, version: unknown, values: Record<string, unknown> = {}, chart = name) =>
  resource(types.helmRelease, name, { name, chart, version, namespace: "kube-system", repositoryOpts: { repo: "https://helm.cilium.io" }, values });
const application = (name: string, spec: Record<string, unknown>) =>
  resource(types.argoApplication, name, {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Application",
    metadata: { name, namespace: "argocd" },
    spec: { project: "default", destination: { name: "prod", namespace: name }, ...spec },
  });
const chartSource = (chart: string, targetRevision: unknown, valuesObject: Record<string, unknown> = {}) => ({ repoURL: "https://charts.example.org", chart, targetRevision, helm: { releaseName: chart, valuesObject } });
const deployment = (name: string, images: string[], initImages: string[] = []) =>
  resource(types.deployment, name, {
    metadata: { name, namespace: "apps" },
    spec: { template: { spec: { containers: images.map((image, i) => ({ name: `c${i}`, image })), initContainers: initImages.map((image, i) => ({ name: `init${i}`, image })) } } },
  });
const configFile = (name: string, file: string) => resource(types.yamlConfigFile, name, { file });

describe("pinned-versions", () => {
  test("is in the pack", () => {
    expect(allPolicies).toContain(pinnedVersionsPolicy);
  });

  test("passes for exact versions, tagged or digested images and versioned URLs", async () => {
    const values = {
      image: { repository: "quay.io/cilium/cilium", tag: "v1.18.3", digest: "sha256:abc", useDigest: true },
      operator: { image: { repository: "quay.io/cilium/operator", digest: "sha256:def" } },
      // A channel tag beside a digest: the digest is what runs (apps that publish moving tags only).
      comet: { image: { repository: "ghcr.io/g0ldyy/comet", tag: "latest@sha256:dca6" } },
      proxy: { image: "docker.io/ubuntu/squid:latest@sha256:0123" },
      hubble: { relay: { image: "quay.io/cilium/hubble-relay:v1.18.3" } },
      extraContainers: [{ image: "busybox@sha256:0123" }, { image: "registry.local:5000/tools/sh:1.36.1" }, { image: "lscr.io/linuxserver/lidarr:3.1.0.4875-ls38" }],
      templated: { image: "{{ .Values.global.registry }}/app:{{ .Chart.AppVersion }}" },
      pullPolicy: { image: { pullPolicy: "IfNotPresent" } },
    };
    expect(
      await check([
        release("cilium", "1.18.3", values),
        release("cert-manager", "v1.19.1"),
        application("argocd", { source: chartSource("argo-cd", "9.1.3", { global: { image: { tag: "v3.2.0" } } }) }),
        deployment("web", ["nginx:1.29.3", "ghcr.io/org/app@sha256:abcd"], ["busybox:1.36.1"]),
        configFile("gateway-api", "https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.3.0/standard-install.yaml"),
        configFile("tlsroutes", "https://raw.githubusercontent.com/kubernetes-sigs/gateway-api/v1.3.0/config/crd/experimental/gateway.networking.k8s.io_tlsroutes.yaml"),
        configFile("local", "manifests/crds.yaml"),
      ]),
    ).toEqual([]);
  });

  test("a version not known until deploy makes the check advisory, as in the analyzer", async () => {
    const violations = await check([release("cilium", unknown)]);
    expect(violations.map((v) => [v.level, v.message])).toEqual([["advisory", "can't run policy 'pinned-versions' from policy pack 'homelab@v0.2.0' during preview: string value at .version can't be known during preview"]]);
  });

  test("secret values are judged as what they hold (the analyzer decrypts them)", async () => {
    expect(await check([release("cilium", secret("1.18.3"))])).toEqual([]);
    expect(await messages([release("cilium", "1.18.3", { image: secret("quay.io/cilium/cilium:latest") })])).toEqual(['Release cilium: values.image "quay.io/cilium/cilium:latest" uses the tag latest; expected an exact release tag or a digest']);
  });

  test.each(["^1.18", "~1.18.0", "1.18.x", "1.x", "*", ">=1.18.0", "1.18", "1.18.3-rc.1", "v1.18.3-beta.2", "1.18.3+build.1", "HEAD", "main", "master", "latest", "1.18.3 || 1.18.4"])(
    "a release version %p fails",
    async (version) => {
      const violations = await check([release("cilium", version)]);
      expect(violations).toHaveLength(1);
      expect(violations[0]).toMatchObject({ policy: "pinned-versions", resource: "cilium", level: "mandatory" });
      expect(violations[0].message).toBe(`Release cilium: chart version "${version}" is not pinned; expected an exact version like 1.2.3`);
    },
  );

  test("a release without a version (or an empty one) fails", async () => {
    expect(await messages([release("cilium", undefined), release("longhorn", "")])).toEqual([
      "Release cilium: chart version is not set; expected an exact version like 1.2.3",
      "Release longhorn: chart version is not set; expected an exact version like 1.2.3",
    ]);
  });

  test("an Application's targetRevision must be exact, in source and in every one of sources", async () => {
    expect(await messages([application("argocd", { source: chartSource("argo-cd", "9.*") })])).toEqual([
      'Application argocd: chart argo-cd targetRevision "9.*" is not pinned; expected an exact version like 1.2.3',
    ]);
    const multi = application("media", {
      sources: [chartSource("jellyfin", "2.1.0"), chartSource("sonarr", "latest"), { repoURL: "https://github.com/family/homelab-values.git", targetRevision: "HEAD", ref: "values" }],
    });
    expect(await messages([multi])).toEqual([
      'Application media: chart sonarr targetRevision "latest" is not pinned; expected an exact version like 1.2.3',
      'Application media: source https://github.com/family/homelab-values.git targetRevision "HEAD" is not pinned; expected an exact version like 1.2.3',
    ]);
    const gitChart = { repoURL: "https://github.com/rancher/local-path-provisioner.git", path: "deploy/chart/local-path-provisioner", targetRevision: "master", helm: {} };
    expect(await messages([application("local-path", { source: gitChart })])).toEqual([
      'Application local-path: chart local-path-provisioner targetRevision "master" is not pinned; expected an exact version like 1.2.3',
    ]);
    expect(await messages([application("bare", { source: { repoURL: "https://charts.example.org", chart: "x" } })])).toEqual([
      "Application bare: chart x targetRevision is not set; expected an exact version like 1.2.3",
    ]);
  });

  test("an image string in chart values without a tag or digest, or tagged latest, fails", async () => {
    const values = {
      hubble: { relay: { image: "quay.io/cilium/hubble-relay" } },
      envoy: { image: "quay.io/cilium/envoy:latest" },
      sidecars: [{ name: "proxy", image: "registry.local:5000/proxy" }],
    };
    // The analyzer receives values as a protobuf Struct, which hands keys back sorted: envoy before hubble.
    expect(await messages([release("cilium", "1.18.3", values)])).toEqual([
      'Release cilium: values.envoy.image "quay.io/cilium/envoy:latest" uses the tag latest; expected an exact release tag or a digest',
      'Release cilium: values.hubble.relay.image "quay.io/cilium/hubble-relay" has no tag or digest; expected a fixed one like quay.io/cilium/hubble-relay:1.2.3',
      'Release cilium: values.sidecars[0].image "registry.local:5000/proxy" has no tag or digest; expected a fixed one like registry.local:5000/proxy:1.2.3',
    ]);
  });

  test("a moving tag fails: a bare major or minor, a channel, a major with a variant", async () => {
    const values = { a: { image: "postgres:17" }, b: { image: { repository: "nginx", tag: "1.27" } }, c: { image: "n8nio/n8n:stable" }, d: { image: "valkey/valkey:9-alpine" } };
    expect(await messages([release("cilium", "1.18.3", values)])).toEqual([
      'Release cilium: values.a.image "postgres:17" uses the moving tag 17; expected an exact release like 1.2.3 (or major.minor for a repository in majorMinorImages), or a digest',
      "Release cilium: values.b.image (repository nginx) uses the moving tag 1.27; expected an exact release like 1.2.3 (or major.minor for a repository in majorMinorImages), or a digest",
      'Release cilium: values.c.image "n8nio/n8n:stable" uses the moving tag stable; expected an exact release like 1.2.3 (or major.minor for a repository in majorMinorImages), or a digest',
      'Release cilium: values.d.image "valkey/valkey:9-alpine" uses the moving tag 9-alpine; expected an exact release like 1.2.3 (or major.minor for a repository in majorMinorImages), or a digest',
    ]);
    // The same tags with a digest are pinned, the digest beside the tag or inside it.
    const digested = {
      a: { image: "postgres:17@sha256:0123" },
      d: { image: { repository: "valkey/valkey", tag: "9-alpine", digest: "sha256:4567" } },
      e: { image: { repository: "valkey/valkey", tag: "9.1-alpine@sha256:89ab" } },
    };
    expect(await messages([release("cilium", "1.18.3", digested)])).toEqual([]);
  });

  test("a tag with only a digest in it is pinned; a tag with an empty digest is not", async () => {
    expect(await messages([release("cilium", "1.18.3", { e: { image: { repository: "valkey/valkey", tag: "@sha256:89ab" } } })])).toEqual([]);
    expect(await messages([release("cilium", "1.18.3", { e: { image: { repository: "valkey/valkey", tag: "9-alpine@" } } })])).toHaveLength(1);
  });

  test("major.minor is exact only for a repository the config says is numbered that way", async () => {
    const db = (image: string) => resource(types.cnpgCluster, "db", { spec: { instances: 1, imageName: image, resources: {} } });
    const config = { "pinned-versions": { chartDefaultTags: [], majorMinorImages: ["ghcr.io/cloudnative-pg/postgresql"] } };
    expect(await messages([db("ghcr.io/cloudnative-pg/postgresql:17.11-standard-trixie"), db("ghcr.io/cloudnative-pg/postgresql:17.11")], config)).toEqual([]);
    expect(await messages([db("ghcr.io/cloudnative-pg/postgresql:17-standard-trixie")], config)).toEqual([
      'Cluster db: container postgres image "ghcr.io/cloudnative-pg/postgresql:17-standard-trixie" uses the moving tag 17-standard-trixie; expected an exact release like 1.2.3 (or major.minor for a repository in majorMinorImages), or a digest',
    ]);
    expect(await messages([db("ghcr.io/cloudnative-pg/postgresql:17.11-standard-trixie")])).toHaveLength(1);
    expect(await messages([db("docker.io/library/nginx:1.27-alpine")], config)).toHaveLength(1);
  });

  test("an image object with only a repository fails unless the chart is in chartDefaultTags; tag latest always fails", async () => {
    const values = { operator: { image: { repository: "quay.io/cilium/operator", tag: "" } }, envoy: { image: { repository: "quay.io/cilium/envoy", tag: "latest" } } };
    expect(await messages([release("cilium", "1.18.3", values)])).toEqual([
      "Release cilium: values.envoy.image (repository quay.io/cilium/envoy) uses the tag latest; expected an exact release tag or a digest",
      "Release cilium: values.operator.image (repository quay.io/cilium/operator) has no tag or digest; expected a fixed tag, or the chart in chartDefaultTags if its appVersion pins this image",
    ]);
    const chartPinsImages = { "pinned-versions": { chartDefaultTags: ["cilium"] } };
    expect(await messages([release("cilium", "1.18.3", values)], chartPinsImages)).toEqual([
      "Release cilium: values.envoy.image (repository quay.io/cilium/envoy) uses the tag latest; expected an exact release tag or a digest",
    ]);
    // The list names charts, not releases: another chart's bare repository still fails.
    expect(await messages([release("longhorn", "1.10.1", { image: { repository: "longhornio/longhorn-manager" } })], chartPinsImages)).toHaveLength(1);
  });

  test("images in an Application's valuesObject are checked, named by where they sit", async () => {
    const app = application("media", { sources: [chartSource("jellyfin", "2.1.0", { image: { repository: "jellyfin/jellyfin", tag: "latest" } })] });
    expect(await messages([app])).toEqual([
      "Application media: sources[0].helm.valuesObject.image (repository jellyfin/jellyfin) uses the tag latest; expected an exact release tag or a digest",
    ]);
  });

  test("raw workload containers and init containers need a tag or digest, not latest", async () => {
    expect(await messages([deployment("web", ["nginx", "ghcr.io/org/app:latest"], ["busybox"])])).toEqual([
      'Deployment web: container c0 image "nginx" has no tag or digest; expected a fixed one like nginx:1.2.3',
      'Deployment web: container c1 image "ghcr.io/org/app:latest" uses the tag latest; expected an exact release tag or a digest',
      'Deployment web: init container init0 image "busybox" has no tag or digest; expected a fixed one like busybox:1.2.3',
    ]);
    const cron = resource(types.cronJob, "backup", { spec: { schedule: "@daily", jobTemplate: { spec: { template: { spec: { containers: [{ name: "restic", image: "restic/restic:latest" }] } } } } } });
    const pod = resource(types.pod, "debug", { spec: { containers: [{ name: "shell", image: "alpine" }] } });
    expect(await messages([cron, pod])).toEqual([
      'CronJob backup: container restic image "restic/restic:latest" uses the tag latest; expected an exact release tag or a digest',
      'Pod debug: container shell image "alpine" has no tag or digest; expected a fixed one like alpine:1.2.3',
    ]);
  });

  test("manifests downloaded by URL must name their version in the path", async () => {
    const latest = "https://github.com/kubernetes-sigs/gateway-api/releases/latest/download/standard-install.yaml";
    const branch = "https://raw.githubusercontent.com/kubernetes-sigs/gateway-api/main/config/crd/experimental/gateway.networking.k8s.io_tlsroutes.yaml";
    const rc = "https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.4.0-rc.1/standard-install.yaml";
    expect(await messages([configFile("gateway-api", latest), resource(types.yamlConfigGroup, "crds", { files: ["crds/local.yaml", branch, rc] })])).toEqual([
      `ConfigFile gateway-api: file "${latest}" has no version in its path; expected a release URL like .../download/v1.3.0/standard-install.yaml`,
      `ConfigGroup crds: file "${branch}" has no version in its path; expected a release URL like .../download/v1.3.0/standard-install.yaml`,
      `ConfigGroup crds: file "${rc}" has no version in its path; expected a release URL like .../download/v1.3.0/standard-install.yaml`,
    ]);
  });

  test("other resources are not checked", async () => {
    expect(await check([resource(types.service, "svc", { spec: { image: "nginx" } }), resource("oci:Core/vcn:Vcn", "vcn", { version: "latest" })])).toEqual([]);
  });
});

describe("pinned-versions, the edges", () => {
  test("a chart version that is empty or null is not set", async () => {
    expect(await messages([release("cilium", ""), release("cert-manager", null)])).toEqual([
      "Release cilium: chart version is not set; expected an exact version like 1.2.3",
      "Release cert-manager: chart version is not set; expected an exact version like 1.2.3",
    ]);
  });

  test("chartDefaultTags never covers a source of plain manifests, nor a raw container", async () => {
    const config = { "pinned-versions": { chartDefaultTags: ["cilium"], majorMinorImages: [] } };
    const manifests = application("plain", { source: { repoURL: "https://github.com/x/y.git", path: "k8s", targetRevision: "v1.0.0", helm: undefined } });
    expect(await messages([manifests], config)).toEqual([]);
    expect(await messages([deployment("web", ["nginx"])], config)).toEqual(['Deployment web: container c0 image "nginx" has no tag or digest; expected a fixed one like nginx:1.2.3']);
  });

  test("every file of a ConfigGroup is checked, plain http too; a file key on another resource is not", async () => {
    const group = resource(types.yamlConfigGroup, "crds", { files: ["https://example.org/v1.2.3/a.yaml", "http://example.org/latest/b.yaml", "local/http://c.yaml"] });
    expect(await messages([group])).toEqual([
      'ConfigGroup crds: file "http://example.org/latest/b.yaml" has no version in its path; expected a release URL like .../download/v1.3.0/standard-install.yaml',
    ]);
    const single = resource(types.yamlConfigGroup, "one", { files: "https://example.org/main/c.yaml" });
    expect(await messages([single])).toHaveLength(1);
    expect(await messages([resource(types.helmRelease, "r", { name: "r", chart: "r", version: "1.0.0", file: "https://example.org/main/x.yaml" })])).toEqual([]);
  });
});
