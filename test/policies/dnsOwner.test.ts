import { allPolicies } from "../../policies/rules";
import { dnsOwnerPolicy } from "../../policies/rules/dnsOwner";
import { types } from "../../policies/rules/types";
import { ResourceUnderPolicy, resource, runPolicies } from "./fixtures";

const check = (resources: ResourceUnderPolicy[]) => runPolicies([dnsOwnerPolicy], resources);
const messages = async (resources: ResourceUnderPolicy[]) => (await check(resources)).map((v) => v.message);
const why = "public DNS records have one owner, this program's Cloudflare resources (docs/architecture.md); a second writer would fight it over the same records. Expected the record as a Cloudflare resource in the program instead";

const release = (name: string, chart: string, values: unknown = {}) => resource(types.helmRelease, name, { name, chart, version: "1.19.0", namespace: "kube-system", values });
const application = (name: string, sources: unknown[]) =>
  resource(types.argoApplication, name, { metadata: { name, namespace: "argocd" }, spec: { sources, destination: { name: "prod", namespace: name } } });
const deployment = (name: string, image: unknown, type: string = types.deployment) => resource(type, name, { spec: { template: { spec: { containers: [{ name: "main", image }] } } } });

describe("public-dns-single-owner", () => {
  test("is in the pack", () => {
    expect(allPolicies).toContain(dnsOwnerPolicy);
  });

  test("passes for other charts and images, including names that only contain external-dns", async () => {
    expect(
      await check([
        release("cilium", "cilium", { image: { repository: "quay.io/cilium/cilium", tag: "v1.18.3" } }),
        release("cert-manager", "cert-manager"),
        application("media", [{ repoURL: "https://charts.example.org", chart: "jellyfin", targetRevision: "2.1.0" }]),
        deployment("web", "nginx:1.29.3"),
        deployment("operator", "ghcr.io/org/external-dns-operator:1.0.0"),
        resource("cloudflare:index/dnsRecord:DnsRecord", "omni", { name: "omni", type: "A", content: "198.51.100.7" }),
      ]),
    ).toEqual([]);
  });

  test("a release of the external-dns chart fails, however the chart is referenced", async () => {
    const violations = await check([release("external-dns", "external-dns")]);
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({ policy: "public-dns-single-owner", resource: "external-dns", level: "mandatory" });
    expect(violations[0].message).toBe(`Release external-dns: installs the external-dns chart; ${why}`);
    expect(await messages([release("dns", "oci://registry-1.docker.io/bitnamicharts/external-dns"), release("dns2", "bitnami/external-dns")])).toEqual([
      `Release dns: installs the external-dns chart; ${why}`,
      `Release dns2: installs the external-dns chart; ${why}`,
    ]);
  });

  test("an Application with the external-dns chart in any source fails", async () => {
    const app = application("dns", [
      { repoURL: "https://github.com/family/values.git", targetRevision: "v1.0.0", ref: "values" },
      { repoURL: "https://kubernetes-sigs.github.io/external-dns", chart: "external-dns", targetRevision: "1.19.0" },
    ]);
    expect(await messages([app])).toEqual([`Application dns: installs the external-dns chart; ${why}`]);
  });

  test("a raw workload running an external-dns image fails", async () => {
    expect(
      await messages([
        deployment("dns", "registry.k8s.io/external-dns/external-dns:v0.19.0"),
        deployment("dns-bitnami", "docker.io/bitnami/external-dns@sha256:0123"),
        resource(types.cronJob, "dns-sync", { spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: "sync", image: "external-dns:latest" }] } } } } } }),
      ]),
    ).toEqual([
      `Deployment dns: container main runs "registry.k8s.io/external-dns/external-dns:v0.19.0", external-dns; ${why}`,
      `Deployment dns-bitnami: container main runs "docker.io/bitnami/external-dns@sha256:0123", external-dns; ${why}`,
      `CronJob dns-sync: container sync runs "external-dns:latest", external-dns; ${why}`,
    ]);
  });

  test("an external-dns image smuggled into another chart's values fails", async () => {
    const values = { extraDeploy: [{ image: { repository: "registry.k8s.io/external-dns/external-dns", tag: "v0.19.0" } }] };
    expect(await messages([release("addons", "addons", values)])).toEqual([
      `Release addons: values.extraDeploy[0].image (repository registry.k8s.io/external-dns/external-dns) runs external-dns; ${why}`,
    ]);
  });
});
