// The home stacks on the Proxmox node: prod owns the host, the PROD cluster
// and the gaming VM; dev only its cluster.
import * as proxmox from "@muhlba91/pulumi-proxmoxve";
import * as pulumi from "@pulumi/pulumi";
import { secret } from "../config/load";
import { gamingStreamServiceRef, vmMemoryGb, DevConfig, HomeClusterConfig, PlatformConfig, ProdConfig, ProxmoxConfig, ServicesConfig, telemetryAddressOf, workloadNodes } from "../config/schema";
import { GamingVm } from "../components/GamingVm";
import { GamingControl } from "../components/GamingControl";
import { GamingSessions } from "../components/GamingSessions";
import { SessionSpec, sessionsNamespace } from "../components/gaming/kubevirt";
import { ntfyPort, ntfyTopics } from "../components/monitoring/ntfy";
import { devPool } from "../components/gaming/access";
import { NtfyCredentials } from "../components/NtfyCredentials";
import { ntfy as ntfyEntry } from "../services/ntfy";
import { gamingLaunch, gamingLaunchEnv } from "../services/gamingLaunch";
import { HypervisorHost } from "../components/HypervisorHost";
import { mediaDataset } from "../components/hypervisor/hostConfig";
import { catalog } from "../services";
import { backupFolders, libraryFolders, missingShares } from "../services/library";
import { ProxmoxMachinesArgs, TalosCluster } from "../components/TalosCluster";
import { formerNames } from "../components/lifecycle";
import { OmniAccess } from "../components/omni/omnictl";
import { talosRequirements } from "../components/platform/talos";
import { HomeSite, siteOfProd } from "../config/site";
import { PlatformArgs, PlatformOutputs, clusterPlatform } from "./platform";
import { ruleGroups } from "../components/monitoring/alerts";
import { clusterRouting } from "../components/monitoring/alertmanager";
import { hostScrapeJob, nodeExporterPort } from "../components/monitoring/metrics";
import { proxmoxProvider } from "./providers";
import { clusterBackup } from "./backup";
import { BackupStore as Store } from "../components/backup/store";

export interface ClusterOutputs {
  name: string;
  kubeconfig: pulumi.Output<string>;
}

export interface ProdOutputs {
  hypervisor: {
    rebootRequired: pulumi.Output<boolean>;
    changes: pulumi.Output<string[]>;
    zfsPool: string;
    gpuMapping: string;
    nfsExports: { path: string; clients: string[] }[];
  };
  cluster: ClusterOutputs;
  platform: PlatformOutputs;
  gamingVm: { vmId: number; started: boolean };
  /** ntfy's admin password (secret): `pulumi stack output --stack prod --show-secrets ntfyAdminPassword`. */
  ntfyAdminPassword: pulumi.Output<string>;
  /** The gaming control's Proxmox token (secret): PROXMOX_GAMING_TOKEN of `npm run gaming`. */
  gamingControlToken: pulumi.Output<string>;
  /** The Windows account's password (secret), when the program installs Windows. */
  gamingWindowsPassword?: pulumi.Output<string>;
  /** The KubeVirt gaming session (namespace/name), when KubeVirt has the GPU: `virtctl start -n gaming <name>`. */
  gamingSession?: string;
  /** What prod holds on the Proxmox host and the LAN: the dev stack checks itself against it. */
  site: HomeSite;
}

/** Home Assistant's USB radios on the cluster's one workload node (config validation holds it to one). */
function usbPassthrough(cluster: HomeClusterConfig, services: ServicesConfig): Record<string, string[]> | undefined {
  const devices = services.homeAssistant?.usbDevices ?? [];
  const [node] = workloadNodes(cluster.nodes);
  return devices.length && node ? { [node.name]: devices.map((d) => d.usbId) } : undefined;
}

function homeCluster(
  stack: string,
  provider: proxmox.Provider,
  host: ProxmoxConfig,
  cluster: HomeClusterConfig,
  platform: PlatformConfig,
  omni: OmniAccess,
  opts: { dependsOn?: pulumi.Resource[]; protectMachines: boolean; stackKind: "prod" | "dev"; services: ServicesConfig; alerting?: PlatformArgs["alerting"]; telemetry: PlatformArgs["telemetry"]; ntfyPublisherToken?: PlatformArgs["ntfyPublisherToken"]; generated?: PlatformArgs["generated"]; backup: PlatformArgs["backup"]; runner?: PlatformArgs["runner"]; pool?: string; gpu?: ProxmoxMachinesArgs["gpu"] },
) {
  const talos = new TalosCluster(
    "cluster",
    {
      stack,
      name: cluster.name,
      versions: cluster.versions,
      omni,
      protectMachines: opts.protectMachines,
      machines: {
        platform: "proxmox",
        provider,
        nodeName: host.nodeName,
        vmDatastore: host.vmDatastore,
        isoDatastore: host.isoDatastore,
        bridge: cluster.network.bridge,
        vlanId: cluster.network.vlanId,
        nodes: cluster.nodes,
        usbDevices: usbPassthrough(cluster, opts.services),
        pool: opts.pool,
        gpu: opts.gpu,
      },
      talos: talosRequirements(platform),
    },
    // Earlier releases named the component after the cluster.
    { dependsOn: opts.dependsOn, ...formerNames("cluster", cluster.name) },
  );
  const platformParts = clusterPlatform({ cluster: cluster.name, site: "home", nodes: cluster.nodes, platform, kubeconfig: talos.kubeconfig, omni, clusterReady: talos, stackKind: opts.stackKind, services: opts.services, tunnel: opts.stackKind === "prod" ? "prod" : undefined, twingate: opts.stackKind === "prod" ? { role: "connectors" } : undefined, alerting: opts.alerting, telemetry: opts.telemetry, ntfyPublisherToken: opts.ntfyPublisherToken, generated: opts.generated, backup: opts.backup, runner: opts.runner });
  return { talos, platform: platformParts.outputs, platformComponent: platformParts.component, provider: platformParts.provider };
}

export function prodStack(stack: string, config: ProdConfig, omni: OmniAccess, backupStore: Store): ProdOutputs {
  const provider = proxmoxProvider(config.proxmox, secret("proxmoxApiToken"), secret("proxmoxSshPrivateKey"));
  const backup = clusterBackup(backupStore);
  // The home NFS server holds every library folder of the catalog, the cloud services' too.
  const folders = libraryFolders(catalog);
  const missing = missingShares(config.hypervisor.nfs.shares, folders);
  if (missing) throw new Error(missing);
  const host = new HypervisorHost("hypervisor", {
    provider,
    nodeName: config.proxmox.nodeName,
    address: config.proxmox.address,
    sshUser: config.proxmox.sshUser,
    sshPrivateKey: secret("proxmoxSshPrivateKey"),
    config: config.hypervisor,
    shareOwners: Object.fromEntries(folders.flatMap((f) => (f.owner ? [[f.folder, f.owner]] : []))),
    backup: config.backup.host && {
      plan: { pool: config.hypervisor.zfs.pool, folders: backupFolders(catalog, config.hypervisor.nfs.shares), localMount: config.backup.host.localMount, store: backup.store },
      keys: backup.keys,
    },
  });
  // ntfy's users: the admin's password is a stack output, Alertmanager publishes with a generated token.
  const ntfy = new NtfyCredentials("ntfy");
  // One GPU, one consumer (config/schema.ts holds the choice to exactly one; the gpu-one-consumer policy checks the plan).
  const kubevirt = config.hypervisor.gpu.consumer === "kubevirt";
  // The gaming pieces reach the host over SSH as HypervisorHost does.
  const hostSsh = { host: config.proxmox.address, user: config.proxmox.sshUser, privateKey: secret("proxmoxSshPrivateKey") };
  const gaming = new GamingVm(
    "gaming",
    {
      stack,
      provider,
      nodeName: config.proxmox.nodeName,
      datastore: config.hypervisor.zfs.pool,
      efiDatastore: config.proxmox.vmDatastore,
      gpuMapping: kubevirt ? undefined : host.gpuMapping,
      bridge: host.bridge,
      isoDatastore: config.proxmox.isoDatastore,
      connection: hostSsh,
      config: config.gamingVm,
      library: config.gamingVm.install?.libraryShare ? { host: config.proxmox.address, exportPath: `/${mediaDataset(config.hypervisor.zfs.pool, config.gamingVm.install.libraryShare)}` } : undefined,
    },
    { dependsOn: [host] },
  );
  const ntfyPublic = ntfyEntry.exposure.kind === "tunnel" ? `https://${ntfyEntry.exposure.subdomain}.${config.services.domain}` : undefined;
  if (!ntfyPublic) throw new Error("services/ntfy.ts: expected ntfy on the tunnel, where the host's idle watcher publishes");
  const gamingControl = new GamingControl(
    "gaming-control",
    {
      provider,
      nodeName: config.proxmox.nodeName,
      vmId: gaming.vmId,
      idle: config.gamingVm.idleShutdown,
      apiPort: proxmoxApiPort(config.proxmox),
      connection: hostSsh,
      ntfy: { url: `${ntfyPublic}/${ntfyTopics.gaming}`, token: ntfy.publisherToken },
    },
    { dependsOn: [gaming] },
  );
  // PROD's Longhorn volumes (the family's data) live on the worker's disk.
  const { talos, platform, platformComponent, provider: kubernetes } = homeCluster(stack, provider, config.proxmox, config.cluster, config.platform, omni, {
    // With KubeVirt, the gaming VM lets go of the GPU before the gpu-worker takes it.
    dependsOn: kubevirt ? [host, gaming] : [host],
    protectMachines: true,
    gpu: kubevirt ? { mapping: host.gpuMapping, vendorDeviceIds: config.hypervisor.gpu.vendorDeviceIds } : undefined,
    stackKind: "prod",
    services: config.services,
    // The config rules require the fixed address (config/schema.ts).
    telemetry: { receiveAt: telemetryAddressOf(config.platform) },
    ntfyPublisherToken: ntfy.publisherToken,
    generated: {
      [ntfyEntry.name]: ntfy.env,
      [gamingLaunch.name]: pulumi.secret(
        pulumi.all([gamingControl.controlToken, ntfy.publisherToken]).apply(([token, ntfyToken]) =>
          gamingLaunchSettings(config, gaming.vmId, { token, ntfyUrl: `http://${ntfyEntry.name}.${ntfyEntry.name}.svc.cluster.local:${ntfyPort}`, ntfyToken }),
        ),
      ),
    },
    backup,
    // The workflows' `homelab` runner, beside Argo CD and Prometheus (docs/delivery.md).
    runner: config.delivery.runner ? { ...config.delivery.runner, proxmox: { host: config.proxmox.address, apiPort: proxmoxApiPort(config.proxmox) } } : undefined,
    // Prod watches every site: its Prometheus and Alertmanager carry the rules and the routing.
    alerting: {
      groups: ruleGroups(catalog),
      routing: clusterRouting(config.monitoring.telegramChatId),
      // The host's node exporter (HypervisorHost's metrics step) on its LAN address.
      scrape: [{ job: hostScrapeJob, targets: [`${config.proxmox.address}:${nodeExporterPort}`] }],
    },
  });
  const sessions = kubevirt
    ? new GamingSessions(
        "gaming-sessions",
        {
          provider: kubernetes,
          session: gamingSessionSpec(config),
          launchNamespace: gamingLaunch.name,
        },
        // After the platform: the disks are volumes of its storage, the Service an address of its pool.
        { dependsOn: [platformComponent] },
      )
    : undefined;
  return {
    hypervisor: { rebootRequired: host.rebootRequired, changes: host.changes, zfsPool: host.zfsPool, gpuMapping: host.gpuMapping, nfsExports: host.nfsExports },
    cluster: { name: config.cluster.name, kubeconfig: talos.kubeconfig },
    platform,
    gamingVm: { vmId: gaming.vmId, started: gaming.started },
    site: siteOfProd(config),
    ntfyAdminPassword: ntfy.adminPassword,
    gamingControlToken: gamingControl.controlToken,
    ...(gaming.windowsPassword ? { gamingWindowsPassword: gaming.windowsPassword } : {}),
    ...(sessions ? { gamingSession: sessions.session } : {}),
  };
}

export function devStack(stack: string, config: DevConfig, omni: OmniAccess, backupStore: Store): { cluster: ClusterOutputs; platform: PlatformOutputs } {
  const provider = proxmoxProvider(config.proxmox, secret("proxmoxApiToken"), secret("proxmoxSshPrivateKey"));
  // DEV is rebuilt from code at will: nothing on it is the only copy.
  const { talos, platform } = homeCluster(stack, provider, config.proxmox, config.cluster, config.platform, omni, {
    protectMachines: false,
    stackKind: "dev",
    services: config.services,
    telemetry: { sendTo: config.monitoring.telemetryAddress, stack: "dev" },
    backup: clusterBackup(backupStore),
    // Prod's gaming control may shut DEV's VMs down for gaming mode (the pool is prod's).
    pool: devPool,
  });
  return { cluster: { name: config.cluster.name, kubeconfig: talos.kubeconfig }, platform };
}

/** The KubeVirt gaming session of prod's config (hypervisor.gpu.consumer kubevirt): the gaming VM's sizes, on the gpu-worker. */
export function gamingSessionSpec(config: ProdConfig): SessionSpec {
  const stream = gamingStreamServiceRef(config.gamingVm.name);
  return {
    name: config.gamingVm.name,
    cores: config.gamingVm.cores,
    memoryGb: config.gamingVm.memoryGb,
    diskGb: config.gamingVm.diskGb,
    gamesDiskGb: config.gamingVm.gamesDiskGb,
    deviceIds: config.hypervisor.gpu.vendorDeviceIds,
    storageClass: config.platform.storage.defaultClass,
    stream: { service: stream, address: config.platform.lanLoadBalancer?.addresses?.[stream] },
  };
}

/** The port of the node's API (the endpoint's, 443 when it names none). */
const proxmoxApiPort = (p: ProxmoxConfig) => Number(new URL(p.endpoint).port || 443);

/** The launch page's environment (services/gamingLaunch.ts): where the host and the VM are, and the tokens it uses. */
export function gamingLaunchSettings(config: ProdConfig, vmId: number, t: { token: string; ntfyUrl: string; ntfyToken: string }): Record<(typeof gamingLaunchEnv)[number], string> {
  // With KubeVirt, the page starts the session in the cluster; the Proxmox settings stay for a switch back.
  const kubevirt = config.hypervisor.gpu.consumer === "kubevirt";
  const session = gamingSessionSpec(config);
  return {
    GAMING_BACKEND: kubevirt ? "kubevirt" : "proxmox",
    PROXMOX_ENDPOINT: config.proxmox.endpoint,
    PROXMOX_NODE: config.proxmox.nodeName,
    PROXMOX_INSECURE: String(config.proxmox.insecure),
    PROXMOX_GAMING_TOKEN: t.token,
    GAMING_VMID: String(vmId),
    GAMING_USABLE_MIB: String(vmMemoryGb(config.proxmox) * 1024),
    GAMING_SESSION: `${sessionsNamespace}/${session.name}`,
    GAMING_STREAM_SERVICE: session.stream.service.split("/")[1],
    NTFY_URL: t.ntfyUrl,
    NTFY_TOPIC: ntfyTopics.gaming,
    NTFY_TOKEN: t.ntfyToken,
  };
}
