// The homelab's own GitHub Actions runner (docs/delivery.md), on prod: the
// jobs that need the LAN (the Proxmox API) or the cluster (Argo CD's
// Applications, Prometheus) run here. GitHub's Actions Runner Controller
// starts one runner pod per job from the scale set `homelab` (the label the
// workflows ask for). What the program adds around the two charts: the GitHub
// App's credentials from Bitwarden, a service account that may only read Argo
// CD's Applications, and what the runner pods may reach.
import { Manifest, namespace } from "./context";
import { externalSecret } from "./externalSecrets";
import { argocdNamespace } from "./application";
import { dnsEgress, podsOf, tcpPorts } from "../service/manifests";
import { monitoringNamespace } from "../monitoring/metrics";

/** The scale set's name: the `runs-on` label of the workflows' home jobs (.github/actionlint.yaml names it too). */
export const runnerScaleSet = "homelab";
export const runnerControllerNamespace = "arc-systems";
export const runnerNamespace = "arc-runners";
/** The controller's service account, named so the scale set's chart need not look it up (Argo CD renders without a cluster). */
export const runnerControllerServiceAccount = "arc-controller";
export const runnerServiceAccount = "homelab-runner";
/** The Secret the scale set authenticates with, as the chart expects its keys. */
export const runnerAppSecret = "github-runner-app";
/** The Bitwarden secrets (by name) the admin fills from the GitHub App. */
export const runnerBitwarden = {
  appId: "github-runner-app-id",
  installationId: "github-runner-app-installation-id",
  privateKey: "github-runner-app-private-key",
} as const;
/** The runner image's user (actions/runner's Dockerfile). */
export const runnerUid = 1001;

export interface RunnerSettings {
  /** owner/name of the repository the runners serve. */
  repository: string;
  maxRunners: number;
  /** The Proxmox host the home stacks deploy to: its API and SSH. */
  proxmox: { host: string; apiPort: number };
}

/** What the runner pods may reach: DNS, the internet on HTTPS and SSH, the Proxmox host, the Kubernetes API, Prometheus. Nothing reaches them. */
export function runnerNetworkPolicy(s: RunnerSettings): Manifest {
  return {
    apiVersion: "cilium.io/v2",
    kind: "CiliumNetworkPolicy",
    metadata: { name: "runner-egress", namespace: runnerNamespace },
    spec: {
      description: "GitHub Actions runners: GitHub, registries and cloud APIs over HTTPS, the management VM over SSH, the Proxmox host, the Kubernetes API and Prometheus; no ingress.",
      endpointSelector: {},
      ingress: [],
      egress: [
        dnsEgress,
        // GitHub, npm, the Go proxy, Pulumi's backend, OCI, Cloudflare, Omni; SSH to the management VM (cloud stack commands).
        { toEntities: ["world"], toPorts: tcpPorts([443, 22]) },
        { toCIDR: [`${s.proxmox.host}/32`], toPorts: tcpPorts([s.proxmox.apiPort, 22]) },
        { toEntities: ["kube-apiserver"], toPorts: tcpPorts([443, 6443]) },
        { toEndpoints: podsOf(monitoringNamespace), toPorts: tcpPorts([9090]) },
      ],
    },
  };
}

/** The runners' namespace, credentials, service account and its one permission, and network policy (wave 0, before the charts). */
export function runnerManifests(s: RunnerSettings): Manifest[] {
  return [
    namespace(runnerNamespace, "restricted"),
    externalSecret(runnerAppSecret, runnerNamespace, [
      { key: "github_app_id", bitwardenId: runnerBitwarden.appId },
      { key: "github_app_installation_id", bitwardenId: runnerBitwarden.installationId },
      { key: "github_app_private_key", bitwardenId: runnerBitwarden.privateKey },
    ]),
    { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: runnerServiceAccount, namespace: runnerNamespace } },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: { name: "read-applications", namespace: argocdNamespace },
      // `npm run delivery -- wait-healthy`: reading Applications' status, nothing else.
      rules: [{ apiGroups: ["argoproj.io"], resources: ["applications"], verbs: ["get", "list", "watch"] }],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: "homelab-runner-read-applications", namespace: argocdNamespace },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "read-applications" },
      subjects: [{ kind: "ServiceAccount", name: runnerServiceAccount, namespace: runnerNamespace }],
    },
    runnerNetworkPolicy(s),
  ];
}
