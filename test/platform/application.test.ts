import { renderApplication } from "../../components/platform/application";
import { WaveLedger } from "../../components/platform/waves";
import { appProjects, inClusterRegistration, registrationFromKubeconfig } from "../../components/platform/argocd";
import { clusterBudget } from "../../components/platform/budget";
import { talosRequirements } from "../../components/platform/talos";
import { committedRaw } from "../helpers";
import * as pulumi from "@pulumi/pulumi";

describe("the Application generator", () => {
  const spec = {
    name: "prod-immich",
    cluster: "prod",
    project: "prod-services",
    namespace: "immich",
    source: { repoURL: "https://immich-app.github.io/immich-charts", chart: "immich", version: "0.9.3" },
    values: { server: { resources: { requests: { cpu: "100m", memory: "512Mi" } } } },
    wave: 3 as const,
  };

  it("turns a service description into an Application with its wave, health wait and pinned chart", () => {
    expect(renderApplication(spec)).toEqual({
      apiVersion: "argoproj.io/v1alpha1",
      kind: "Application",
      metadata: {
        name: "prod-immich",
        namespace: "argocd",
        labels: { "homelab.io/cluster": "prod", "homelab.io/wave": "3" },
        annotations: { "argocd.argoproj.io/sync-wave": "3", "pulumi.com/waitFor": "jsonpath={.status.health.status}=Healthy", "pulumi.com/timeoutSeconds": "900" },
        finalizers: ["resources-finalizer.argocd.argoproj.io"],
      },
      spec: {
        project: "prod-services",
        source: { repoURL: spec.source.repoURL, chart: "immich", targetRevision: "0.9.3", helm: { releaseName: "immich", valuesObject: spec.values } },
        destination: { name: "prod", namespace: "immich" },
        syncPolicy: {
          automated: { prune: true, selfHeal: true },
          syncOptions: ["CreateNamespace=true", "ServerSideApply=true"],
          retry: { limit: 5, backoff: { duration: "10s", factor: 2, maxDuration: "5m" } },
        },
        revisionHistoryLimit: 10,
      },
    });
  });

  it("renders charts kept in git by path, and labels a namespace it creates with the Pod Security level", () => {
    const app = renderApplication({ ...spec, source: { ...spec.source, path: "charts/immich" }, podSecurity: "baseline" });
    expect(app.spec.source).toEqual({ repoURL: spec.source.repoURL, path: "charts/immich", targetRevision: "0.9.3", helm: expect.anything() });
    expect(app.spec.syncPolicy).toMatchObject({ managedNamespaceMetadata: { labels: { "pod-security.kubernetes.io/enforce": "baseline" } } });
  });
});

describe("WaveLedger", () => {
  const res = (name: string) => ({ name }) as unknown as pulumi.Resource;

  it("makes each wave depend on the last non-empty wave before it", () => {
    const ledger = new WaveLedger("dev");
    const [a, b, c] = [res("a"), res("b"), res("c")];
    ledger.add(0, a, b);
    expect(ledger.dependenciesFor(1)).toEqual([a, b]);
    expect(ledger.dependenciesFor(3)).toEqual([a, b]);
    ledger.add(2, c);
    expect(ledger.dependenciesFor(3)).toEqual([c]);
    expect(ledger.dependenciesFor(0)).toEqual([]);
  });

  it("refuses a lower wave after a higher one, which would break the order", () => {
    const ledger = new WaveLedger("dev");
    ledger.add(2, res("x"));
    expect(() => ledger.add(1, res("y"))).toThrow("cluster dev: wave 1 registered after wave 2; create waves in ascending order");
  });
});

describe("Argo CD registration and projects", () => {
  const kubeconfig = [
    "apiVersion: v1",
    "clusters: [{ name: c, cluster: { server: 'https://omni.example:8100/', certificate-authority-data: Q0E= } }]",
    "users: [{ name: u, user: { token: t0ken } }]",
  ].join("\n");

  it("turns an Omni service-account kubeconfig into a cluster Secret's fields", () => {
    expect(registrationFromKubeconfig("dev", kubeconfig)).toEqual({
      name: "dev",
      server: "https://omni.example:8100/",
      config: JSON.stringify({ bearerToken: "t0ken", tlsClientConfig: { insecure: false, caData: "Q0E=" } }),
    });
  });

  it("rejects a kubeconfig without a token (an OIDC user kubeconfig), without echoing it", () => {
    expect(() => registrationFromKubeconfig("dev", "clusters: [{ cluster: { server: 'https://x' } }]\nusers: [{ user: { exec: {} } }]")).toThrow(
      "kubeconfig of cluster dev: expected an Omni service-account kubeconfig with a server and a token",
    );
  });

  it("registers the hub under its own name", () => {
    expect(inClusterRegistration("prod")).toMatchObject({ name: "prod", server: "https://kubernetes.default.svc" });
  });

  it("keeps services out of system namespaces and cluster-scoped objects", () => {
    const [platform, services] = appProjects("dev", ["https://b", "https://a"], []);
    expect(platform.spec).toMatchObject({ sourceRepos: ["https://a", "https://b"], destinations: [{ name: "dev", namespace: "*" }], clusterResourceWhitelist: [{ group: "*", kind: "*" }] });
    expect(services.spec).toMatchObject({
      destinations: [{ name: "dev", namespace: "!kube-system" }, { name: "dev", namespace: "!argocd" }, { name: "dev", namespace: "*" }],
      clusterResourceWhitelist: [{ group: "", kind: "Namespace" }],
    });
  });
});

describe("cluster budget (what pods can get)", () => {
  it("counts only nodes that run workloads, less Talos' reserve and the control-plane pods", () => {
    const dev = committedRaw("dev").values;
    const b = clusterBudget(dev.cluster.nodes.map((n: { role: "controlplane"; memoryGb: number; cores: number; schedulable: boolean }) => ({ role: n.role, memoryGb: n.memoryGb, cpus: n.cores, schedulable: n.schedulable })), 1);
    expect(b).toEqual({ nodes: 1, allocatableMiB: 4096 - 512 - 100, allocatableMilliCpu: 2000 - 50, systemMiB: 832, systemMilliCpu: 260, servicesReserveMiB: 1024 });
  });

  it("leaves a non-schedulable control plane out", () => {
    const b = clusterBudget([{ role: "controlplane", memoryGb: 4, cpus: 2 }, { role: "worker", memoryGb: 12, cpus: 6 }], 8);
    expect(b).toMatchObject({ nodes: 1, allocatableMiB: 12288 - 384 - 100, systemMiB: 0 });
  });
});

describe("Talos requirements of the storage", () => {
  it("adds Longhorn's extensions and mount only where Longhorn runs", () => {
    const prod = committedRaw("prod").values.platform;
    expect(talosRequirements(prod).systemExtensions).toEqual(["siderolabs/iscsi-tools", "siderolabs/util-linux-tools"]);
    const dev = committedRaw("dev").values.platform;
    expect(talosRequirements(dev)).toEqual({
      systemExtensions: [],
      patches: [{ name: "storage-mounts", inline: { machine: { kubelet: { extraMounts: [{ destination: "/var/local-path-provisioner", type: "bind", source: "/var/local-path-provisioner", options: ["bind", "rshared", "rw"] }] } } } }],
    });
  });
});
