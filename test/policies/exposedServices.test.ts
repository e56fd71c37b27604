import { allPolicies } from "../../policies/rules";
import { exposedServicesPolicy } from "../../policies/rules/exposedServices";
import { types } from "../../policies/rules/types";
import { PolicyConfig } from "../../plan/analyzer";
import { ResourceUnderPolicy, resource, runPolicies, unknown } from "./fixtures";

const config: PolicyConfig = {
  "exposed-services": {
    allowed: ["adguard/adguard-dns"],
    charts: {
      "argo-cd": { workloads: [{ path: "server.resources" }], servicePaths: ["server.service.type", "redis.service.type"] },
      cilium: { workloads: [{ path: "resources" }] },
    },
  },
};
const check = (resources: ResourceUnderPolicy[], c: PolicyConfig = config) => runPolicies([exposedServicesPolicy], resources, c);
const messages = async (resources: ResourceUnderPolicy[], c: PolicyConfig = config) => (await check(resources, c)).map((v) => v.message);

const service = (name: string, namespace: string | undefined, type?: string) =>
  resource(types.service, name, { metadata: { name, ...(namespace ? { namespace } : {}) }, spec: { ...(type ? { type } : {}), ports: [{ port: 53, protocol: "UDP" }] } });
const argoRelease = (values: unknown) => resource(types.helmRelease, "argocd", { name: "argocd", chart: "argo-cd", version: "9.1.3", namespace: "argocd", values });
const argoApplication = (valuesObject: unknown) =>
  resource(types.argoApplication, "argocd-dev", {
    metadata: { name: "argocd-dev", namespace: "argocd" },
    spec: { source: { repoURL: "https://argoproj.github.io/argo-helm", chart: "argo-cd", targetRevision: "9.1.3", helm: { valuesObject } }, destination: { name: "dev", namespace: "argocd" } },
  });

describe("exposed-services", () => {
  test("is in the pack", () => {
    expect(allPolicies).toContain(exposedServicesPolicy);
  });

  test("passes for ClusterIP (or unset) Services, allowed LoadBalancers and charts whose services stay inside", async () => {
    expect(
      await check([
        service("web", "apps", "ClusterIP"),
        service("plain", "apps"),
        service("adguard-dns", "adguard", "LoadBalancer"),
        argoRelease({ server: { service: { type: "ClusterIP" } } }),
        argoApplication({ server: { service: {} } }),
        resource(types.helmRelease, "cilium", { chart: "cilium", version: "1.18.3", values: { service: { type: "LoadBalancer" } } }),
      ]),
    ).toEqual([]);
  });

  test("a type not known until deploy makes the check advisory, as in the analyzer", async () => {
    const violations = await check([service("web", "apps", unknown)]);
    expect(violations.map((v) => [v.level, v.message])).toEqual([["advisory", "can't run policy 'exposed-services' from policy pack 'homelab@v0.2.0' during preview: string value at .spec.type can't be known during preview"]]);
  });

  test("a LoadBalancer Service not in the allowed list fails", async () => {
    const violations = await check([service("jellyfin", "media", "LoadBalancer")]);
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({ policy: "exposed-services", resource: "jellyfin", level: "mandatory" });
    expect(violations[0].message).toBe(
      "Service media/jellyfin is of type LoadBalancer, which the config does not allow; expected ClusterIP behind the Gateway, or media/jellyfin in exposed-services allowed",
    );
  });

  test("a NodePort Service fails too, and the allowed entry must match namespace and name", async () => {
    expect(await messages([service("adguard-dns", "dns", "NodePort"), service("adguard-web", "adguard", "LoadBalancer")])).toEqual([
      "Service dns/adguard-dns is of type NodePort, which the config does not allow; expected ClusterIP behind the Gateway, or dns/adguard-dns in exposed-services allowed",
      "Service adguard/adguard-web is of type LoadBalancer, which the config does not allow; expected ClusterIP behind the Gateway, or adguard/adguard-web in exposed-services allowed",
    ]);
  });

  test("a Service without a namespace is in default; without metadata.name it is named after the resource", async () => {
    const unnamed = resource(types.service, "dns", { spec: { type: "LoadBalancer" } });
    expect(await messages([service("adguard-dns", undefined, "LoadBalancer"), unnamed])).toEqual([
      "Service default/adguard-dns is of type LoadBalancer, which the config does not allow; expected ClusterIP behind the Gateway, or default/adguard-dns in exposed-services allowed",
      "Service default/dns is of type LoadBalancer, which the config does not allow; expected ClusterIP behind the Gateway, or default/dns in exposed-services allowed",
    ]);
  });

  test("with the default config (nothing allowed) every LoadBalancer fails", async () => {
    expect(await messages([service("adguard-dns", "adguard", "LoadBalancer")], {})).toHaveLength(1);
  });

  test("a chart's declared service type set to LoadBalancer or NodePort fails, in a Release and in an Application", async () => {
    const violations = await check([argoRelease({ server: { service: { type: "LoadBalancer" } }, redis: { service: { type: "NodePort" } } })]);
    expect(violations.every((v) => v.policy === "exposed-services" && v.resource === "argocd")).toBe(true);
    expect(violations.map((v) => v.message)).toEqual([
      "Release argocd: values.server.service.type is LoadBalancer; expected ClusterIP (a chart's Services cannot be allowed: expose it through the Gateway)",
      "Release argocd: values.redis.service.type is NodePort; expected ClusterIP (a chart's Services cannot be allowed: expose it through the Gateway)",
    ]);
    expect(await messages([argoApplication({ server: { service: { type: "NodePort" } } })])).toEqual([
      "Application argocd-dev: valuesObject.server.service.type is NodePort; expected ClusterIP (a chart's Services cannot be allowed: expose it through the Gateway)",
    ]);
  });

  test("the allowed list does not cover charts, even for a matching namespace/name", async () => {
    const allowedArgo = { "exposed-services": { ...config["exposed-services"], allowed: ["argocd/argocd-server"] } };
    expect(await messages([argoRelease({ server: { service: { type: "LoadBalancer" } } })], allowedArgo)).toHaveLength(1);
  });

  const pod = (spec: Record<string, unknown>) => ({ containers: [{ name: "app", ports: [{ containerPort: 8080 }] }], ...spec });
  const workload = (type: string, name: string, namespace: string, podSpec: Record<string, unknown>, path: "template" | "jobTemplate" | "pod" = "template") =>
    resource(type, name, {
      metadata: { name, namespace },
      spec: path === "pod" ? podSpec : path === "jobTemplate" ? { jobTemplate: { spec: { template: { spec: podSpec } } } } : { template: { spec: podSpec } },
    });

  test("passes for workloads whose ports stay behind Services, a host-network pod that listens on nothing, and an allowed host port", async () => {
    expect(
      await check([
        workload(types.deployment, "web", "apps", pod({})),
        workload(types.daemonSet, "twingate-client", "twingate-client", { hostNetwork: true, containers: [{ name: "client" }] }),
        workload(types.daemonSet, "adguard-dns", "adguard", pod({ containers: [{ name: "dns", ports: [{ containerPort: 53, hostPort: 53, protocol: "UDP" }] }] })),
      ]),
    ).toEqual([]);
  });

  test("a hostPort, or a port with hostNetwork, in any workload kind fails unless the workload is allowed", async () => {
    expect(
      await messages([
        workload(types.deployment, "web", "apps", pod({ containers: [{ name: "app", ports: [{ containerPort: 8080, hostPort: 80 }] }] })),
        workload(types.daemonSet, "agent", "monitoring", pod({ hostNetwork: true })),
        workload(types.statefulSet, "db", "apps", pod({ initContainers: [{ name: "init", ports: [{ containerPort: 1, hostPort: 5432, protocol: "TCP" }] }] })),
        workload(types.cronJob, "job", "apps", pod({ containers: [{ name: "c", ports: [{ containerPort: 9, hostPort: 9000, protocol: "UDP" }] }] }), "jobTemplate"),
        workload(types.pod, "bare", "apps", pod({ hostNetwork: true }), "pod"),
        workload(types.job, "once", "apps", pod({ containers: [{ name: "j", ports: [{ containerPort: 7, hostPort: 7000 }] }] })),
      ]),
    ).toEqual([
      "Deployment apps/web opens app:80/TCP on its node's address; expected ports behind a Service (no hostPort, no listening with hostNetwork), or apps/web in exposed-services allowed",
      "DaemonSet monitoring/agent opens app:8080/TCP on its node's address; expected ports behind a Service (no hostPort, no listening with hostNetwork), or monitoring/agent in exposed-services allowed",
      "StatefulSet apps/db opens init:5432/TCP on its node's address; expected ports behind a Service (no hostPort, no listening with hostNetwork), or apps/db in exposed-services allowed",
      "CronJob apps/job opens c:9000/UDP on its node's address; expected ports behind a Service (no hostPort, no listening with hostNetwork), or apps/job in exposed-services allowed",
      "Pod apps/bare opens app:8080/TCP on its node's address; expected ports behind a Service (no hostPort, no listening with hostNetwork), or apps/bare in exposed-services allowed",
      "Job apps/once opens j:7000/TCP on its node's address; expected ports behind a Service (no hostPort, no listening with hostNetwork), or apps/once in exposed-services allowed",
    ]);
  });

  test("a workload without namespace or name is default/<resource name>", async () => {
    const bare = resource(types.deployment, "nameless", { spec: { template: { spec: pod({ hostNetwork: true }) } } });
    expect(await messages([bare])).toEqual([
      "Deployment default/nameless opens app:8080/TCP on its node's address; expected ports behind a Service (no hostPort, no listening with hostNetwork), or default/nameless in exposed-services allowed",
    ]);
  });

  test("other resources are not checked", async () => {
    expect(await check([resource(types.deployment, "web", { spec: { type: "LoadBalancer" } }), resource("kubernetes:networking.k8s.io/v1:Ingress", "i", { spec: { type: "NodePort" } })])).toEqual([]);
  });
});
