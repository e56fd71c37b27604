// The Proxmox node at home: its bridge, the ZFS data pool on the HDDs, GPU
// passthrough, NFS exports of the media library and ZFS snapshots. Host
// configuration goes over SSH, idempotently; reboots are reported, never done.
import * as proxmox from "@muhlba91/pulumi-proxmoxve";
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { HypervisorConfig } from "../config/schema";
import { ShareOwners, hostSteps, mediaDataset } from "./hypervisor/hostConfig";
import { HostBackupPlan, hostBackupStdin, hostBackupStep } from "./hypervisor/hostBackup";
import type { BackupKeys } from "./backup/kubernetes";
import { formerNames, ignoreLegacyTriggers } from "./lifecycle";

/** The provider's ID of a Linux bridge (bpg/proxmox: `<node name>:<iface>`), also its import ID. */
export const bridgeImportId = (nodeName: string, bridge: string) => `${nodeName}:${bridge}`;

export interface HypervisorHostArgs {
  provider: proxmox.Provider;
  nodeName: string;
  /** Address and SSH user of the node; the private key is secret config. */
  address: string;
  sshUser: string;
  sshPrivateKey: pulumi.Input<string>;
  config: HypervisorConfig;
  /** Library shares that an app writes, and as whom (the services' catalog says): the host makes each its writer's. */
  shareOwners?: ShareOwners;
  /** The library folders' nightly copies (second medium, offsite for the critical ones) and the keys they write with (secret). */
  backup?: { plan: HostBackupPlan; keys: pulumi.Input<BackupKeys> };
}

export class HypervisorHost extends pulumi.ComponentResource {
  readonly bridge: string;
  readonly zfsPool: string;
  readonly gpuMapping: string;
  readonly nfsExports: { path: string; clients: string[] }[];
  /** True when a step changed boot settings (IOMMU, vfio) and the host must be rebooted by hand. */
  readonly rebootRequired: pulumi.Output<boolean>;
  readonly changes: pulumi.Output<string[]>;

  constructor(name: string, args: HypervisorHostArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:index:HypervisorHost", name, {}, opts);
    const { config } = args;
    const childOpts = { parent: this, provider: args.provider };

    // vmbr0 exists after a Proxmox install: import it once (see docs/runbooks/first-deploy.md).
    const bridge = new proxmox.network.linux.Bridge(
      `${name}-bridge`,
      {
        nodeName: args.nodeName,
        name: config.network.bridge,
        address: `${args.address}/${config.network.cidr.split("/")[1]}`,
        gateway: config.network.gateway,
        ports: [config.network.port],
        autostart: true,
        vlanAware: true,
        comment: "LAN bridge for VMs (managed by homelab)",
      },
      // The Proxmox installer creates this bridge, so the first deploy adopts it (`import`) instead
      // of creating it: the engine imports only while the ID in state differs, and the provider's ID
      // is `<node>:<iface>`, this same string, so later runs are plain updates. It carries the host's
      // own address: deleting it would cut the host off the LAN, so it is protected; a replacement
      // (same interface name) must remove the old one first.
      // Earlier releases named it after config.network.bridge.
      {
        ...childOpts,
        import: bridgeImportId(args.nodeName, config.network.bridge),
        protect: true,
        deleteBeforeReplace: true,
        ...formerNames(`${name}-bridge`, config.network.bridge),
      },
    );

    const pool = new proxmox.node.disk.Zfs(
      `${name}-zfs-pool`,
      {
        nodeName: args.nodeName,
        name: config.zfs.pool,
        raidlevel: config.zfs.layout === "mirror" ? "mirror" : "single",
        devices: config.zfs.disks,
        ashift: 12,
        compression: "lz4",
        addStorage: true,
      },
      // The pool holds the family's media and every dataset snapshot: no diff may ever destroy it.
      // A replacement would recreate it under the same name, so the old one must go first.
      { ...childOpts, protect: true, deleteBeforeReplace: true, ...formerNames(`${name}-zfs-pool`, config.zfs.pool) },
    );

    const gpu = new proxmox.hardware.mapping.Pci(
      `${name}-gpu-mapping`,
      {
        name: config.gpu.mappingName,
        comment: "NVIDIA GPU for the gaming VM (vfio-pci)",
        maps: [{ node: args.nodeName, path: config.gpu.pciAddress, id: config.gpu.vendorDeviceIds[0], iommuGroup: config.gpu.iommuGroup }],
      },
      // Mapping names are unique on the cluster: a replacement must remove the old one first.
      { ...childOpts, deleteBeforeReplace: true, ...formerNames(`${name}-gpu-mapping`, config.gpu.mappingName) },
    );

    const connection = { host: args.address, user: args.sshUser, privateKey: pulumi.secret(args.sshPrivateKey) };
    let previous: pulumi.Resource = pool;
    const outputs: pulumi.Output<string>[] = [];
    for (const step of hostSteps(config, args.shareOwners)) {
      // Steps are idempotent: a changed script is an update that runs it again. They have no delete.
      const cmd: command.remote.Command = new command.remote.Command(
        `${name}-${step.name}`,
        { connection, create: step.script, update: step.script },
        { parent: this, dependsOn: [previous], ...ignoreLegacyTriggers },
      );
      outputs.push(cmd.stdout);
      previous = cmd;
    }

    if (args.backup) {
      const step = hostBackupStep(args.backup.plan);
      // The secrets travel on standard input only; a new key is an update that runs the step again.
      const stdin = pulumi.secret(pulumi.output(args.backup.keys).apply(hostBackupStdin));
      const cmd = new command.remote.Command(`${name}-${step.name}`, { connection, create: step.script, update: step.script, stdin }, { parent: this, dependsOn: [previous] });
      outputs.push(cmd.stdout);
      previous = cmd;
    }

    this.bridge = config.network.bridge;
    this.zfsPool = config.zfs.pool;
    this.gpuMapping = config.gpu.mappingName;
    this.nfsExports = config.nfs.shares.map((share) => ({ path: `/${mediaDataset(config.zfs.pool, share)}`, clients: config.nfs.clients }));
    const all = pulumi.all(outputs);
    this.changes = all.apply((out) => out.flatMap((o) => o.split("\n")).filter((line) => line.startsWith("CHANGED")));
    this.rebootRequired = all.apply((out) => out.some((o) => o.includes("REBOOT-REQUIRED")));

    // Keep the bridge and mapping in the dependency graph of everything that follows.
    this.registerOutputs({ bridge: bridge.name, zfsPool: pool.name, gpuMapping: gpu.name, nfsExports: this.nfsExports, rebootRequired: this.rebootRequired });
  }
}
