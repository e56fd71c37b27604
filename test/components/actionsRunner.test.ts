// The runner's own objects: credentials from Bitwarden, a service account
// that may only read Argo CD's Applications, and what its pods may reach.
import { runnerManifests, runnerNetworkPolicy, runnerScaleSet } from "../../components/platform/actionsRunner";
import { valueAt } from "../../policies/rules/kubernetesInputs";
import { parse } from "yaml";
import * as fs from "fs";
import * as path from "path";

const settings = { repository: "family/homelab", maxRunners: 1, proxmox: { host: "192.168.68.51", apiPort: 8006 } };

describe("the homelab runner's objects", () => {
  const manifests = runnerManifests(settings);
  const of = (kind: string) => manifests.filter((m) => m.kind === kind);

  it("take the GitHub App's three values from Bitwarden, under the keys the scale set's chart reads", () => {
    const [es] = of("ExternalSecret") as unknown as { metadata: { name: string; namespace: string }; spec: { data: { secretKey: string; remoteRef: { key: string } }[] } }[];
    expect(es.metadata).toEqual({ name: "github-runner-app", namespace: "arc-runners" });
    expect(es.spec.data).toEqual([
      { secretKey: "github_app_id", remoteRef: { key: "github-runner-app-id" } },
      { secretKey: "github_app_installation_id", remoteRef: { key: "github-runner-app-installation-id" } },
      { secretKey: "github_app_private_key", remoteRef: { key: "github-runner-app-private-key" } },
    ]);
  });

  it("let the runner's service account read Argo CD's Applications and nothing else", () => {
    const [role] = of("Role") as unknown as { metadata: { namespace: string }; rules: unknown[] }[];
    expect(role.metadata.namespace).toBe("argocd");
    expect(role.rules).toEqual([{ apiGroups: ["argoproj.io"], resources: ["applications"], verbs: ["get", "list", "watch"] }]);
    const [binding] = of("RoleBinding") as unknown as { subjects: unknown[]; roleRef: { name: string } }[];
    expect(binding.subjects).toEqual([{ kind: "ServiceAccount", name: "homelab-runner", namespace: "arc-runners" }]);
    expect(binding.roleRef.name).toBe("read-applications");
    expect(of("ClusterRole")).toEqual([]);
  });

  it("put the runners in a restricted namespace that admits no traffic in", () => {
    expect(of("Namespace")[0].metadata.labels).toMatchObject({ "pod-security.kubernetes.io/enforce": "restricted" });
    const policy = runnerNetworkPolicy(settings) as unknown as { spec: { ingress: unknown[]; egress: Record<string, unknown>[] } };
    expect(policy.spec.ingress).toEqual([]);
    expect(policy.spec.egress).toContainEqual({ toCIDR: ["192.168.68.51/32"], toPorts: [{ ports: [{ port: "8006", protocol: "TCP" }, { port: "22", protocol: "TCP" }] }] });
    expect(policy.spec.egress).toContainEqual({ toEntities: ["world"], toPorts: [{ ports: [{ port: "443", protocol: "TCP" }, { port: "22", protocol: "TCP" }] }] });
    expect(policy.spec.egress).toContainEqual({ toEndpoints: [{ matchLabels: { "k8s:io.kubernetes.pod.namespace": "monitoring" } }], toPorts: [{ ports: [{ port: "9090", protocol: "TCP" }] }] });
    // Nothing else: no world on other ports, no other namespace.
    expect(policy.spec.egress).toHaveLength(5);
  });

  it("is the label the workflows' home jobs ask for", () => {
    const actionlint = parse(fs.readFileSync(path.join(__dirname, "..", "..", ".github", "actionlint.yaml"), "utf8")) as { "self-hosted-runner": { labels: string[] } };
    expect(actionlint["self-hosted-runner"].labels).toEqual([runnerScaleSet]);
  });

  it("its workloads' resources are found by the policies' paths (a number indexes a list)", () => {
    const values = { template: { spec: { containers: [{ resources: { requests: { memory: "1Gi" } } }] } } };
    expect(valueAt(values, "template.spec.containers.0.resources")).toEqual({ requests: { memory: "1Gi" } });
    expect(valueAt(values, "template.spec.containers.1.resources")).toBeUndefined();
    expect(valueAt({ a: { "0": "key" } }, "a.0")).toBe("key");
    expect(valueAt({ a: ["x"] }, "a.first")).toBeUndefined();
  });
});

describe("objects as Pulumi resources", () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { manifestResource } = require("../../components/platform/manifestResource") as typeof import("../../components/platform/manifestResource");
  it("refuses a core kind it has no typed resource for (its token would not be the provider's)", () => {
    expect(() => manifestResource("x", { apiVersion: "v1", kind: "Endpoints", metadata: { name: "x" } }, {})).toThrow("manifestResource x: core kind Endpoints has no typed resource here; add its case");
  });
});
