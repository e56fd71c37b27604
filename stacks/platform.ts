// Every stack gives its cluster the same platform. The hub (prod) hosts Argo
// CD; the other stacks reach the hub's API and register their cluster there,
// both through Omni service-account kubeconfigs.
import { TunnelName, tunnelTokenBitwarden } from "../components/edge/routes";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PlatformConfig, ServicesConfig, StackKind, workloadNodes } from "../config/schema";
import { catalog, entriesFor } from "../services";
import { ClusterPlatform, ClusterPlatformArgs } from "../components/ClusterPlatform";
import { OmniAccess, omniKubeconfig } from "../components/omni/omnictl";
import { secret } from "../config/load";
import { formerNames } from "../components/lifecycle";
import { kubernetesProvider } from "./providers";
import { EgressProxyAddress, PublicHostname } from "../components/service/manifests";
import { ClusterBackup } from "../components/backup/offsiteSecret";

export interface PlatformArgs {
  cluster: string;
  site: "home" | "oci";
  nodes: { role: string; schedulable?: boolean }[];
  platform: PlatformConfig;
  kubeconfig: pulumi.Output<string>;
  omni: OmniAccess;
  /** The cluster must exist (Omni reports it ready) before anything is applied to it. */
  clusterReady: pulumi.Resource;
  /** Which stack: it picks the catalog's services (dev runs prod's, reduced). */
  stackKind: StackKind;
  services: ServicesConfig;
  /** The static-IP egress proxy the cluster's services may use (cloud: the management VM's). */
  egressProxy?: EgressProxyAddress;
  /** The Cloudflare tunnel this cluster's connectors serve (cloud, prod); dev publishes nothing. */
  tunnel?: TunnelName;
  /** Twingate in this cluster: the home connectors (prod) or the nodes' client (cloud); dev has neither. */
  twingate?: ClusterPlatformArgs["twingate"];
  /** The rules and routing of the cluster that runs Prometheus and Alertmanager (prod). */
  alerting?: ClusterPlatformArgs["alerting"];
  /** Prod receives every cluster's telemetry at its LAN address; the others send there. */
  telemetry: ClusterPlatformArgs["telemetry"];
  /** ntfy's publisher token for Alertmanager (prod). */
  ntfyPublisherToken?: ClusterPlatformArgs["ntfyPublisherToken"];
  /** Generated values of entries that ask for them, by entry name (secret). */
  generated?: ClusterPlatformArgs["services"]["generated"];
  /** Where the cluster's backups go, and the keys that write them. */
  backup: ClusterBackup;
  /** The GitHub Actions runner scale set (prod, when delivery.runner is set). */
  runner?: ClusterPlatformArgs["runner"];
}

export interface PlatformOutputs {
  applications: { name: string; wave: number }[];
  releases: string[];
  gitopsConnected: boolean;
  services: string[];
  publicHostnames: PublicHostname[];
}

export function clusterPlatform(a: PlatformArgs): { component: ClusterPlatform; outputs: PlatformOutputs; provider: k8s.Provider } {
  // Earlier releases named the provider after the cluster; the alias keeps every resource it manages.
  const provider = kubernetesProvider("kubernetes", a.kubeconfig, formerNames("kubernetes", a.cluster));
  const hubCluster = a.platform.gitops.hubCluster;
  const isHub = hubCluster === a.cluster;
  let hubProvider = isHub ? provider : undefined;
  let registrationKubeconfig: pulumi.Output<string> | undefined;
  if (!isHub && a.platform.gitops.hubReady) {
    const after = { dependsOn: [a.clusterReady] };
    hubProvider = kubernetesProvider("hub", omniKubeconfig("hub-kubeconfig", { access: a.omni, cluster: hubCluster, user: `pulumi-${a.cluster}-gitops` }, after));
    registrationKubeconfig = omniKubeconfig("argocd-kubeconfig", { access: a.omni, cluster: a.cluster, user: "argocd" }, after);
  }
  const component = new ClusterPlatform(
    "platform",
    {
      cluster: a.cluster,
      site: a.site,
      workloadNodes: workloadNodes(a.nodes).length,
      gpuWorker: a.nodes.some((n) => n.role === "gpu-worker"),
      platform: a.platform,
      provider,
      hub: { cluster: hubCluster, provider: hubProvider },
      registrationKubeconfig,
      bitwardenMachineToken: secret("bitwardenMachineToken"),
      tunnelConnector: a.tunnel ? { bitwardenKey: tunnelTokenBitwarden(a.tunnel) } : undefined,
      twingate: a.twingate,
      alerting: a.alerting,
      telemetry: a.telemetry,
      ntfyPublisherToken: a.ntfyPublisherToken,
      backup: a.backup,
      runner: a.runner,
      services: { entries: entriesFor(a.stackKind), settings: a.services, reduced: a.stackKind === "dev", catalog, egressProxy: a.egressProxy, generated: a.generated },
    },
    { dependsOn: [a.clusterReady], ...formerNames("platform", a.cluster) },
  );
  const outputs = {
    applications: component.applications,
    releases: component.releases,
    gitopsConnected: component.gitopsConnected,
    services: component.services,
    publicHostnames: component.publicHostnames,
  };
  return { component, outputs, provider };
}
