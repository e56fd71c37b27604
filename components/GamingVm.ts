// The Windows gaming VM: GPU passed through by its Proxmox mapping, off
// by default and started on demand; its disk lives on the ZFS data pool so
// sanoid snapshots cover it.
import * as proxmox from "@muhlba91/pulumi-proxmoxve";
import * as pulumi from "@pulumi/pulumi";
import { GamingVmConfig } from "../config/schema";
import { formerNames } from "./lifecycle";
import { machineTags } from "./tags";

export interface GamingVmArgs {
  stack: string;
  provider: proxmox.Provider;
  nodeName: string;
  /** Proxmox storage backed by the ZFS data pool. */
  datastore: string;
  efiDatastore: string;
  gpuMapping: string;
  bridge: string;
  config: GamingVmConfig;
}

export class GamingVm extends pulumi.ComponentResource {
  readonly vmId: number;
  readonly started: boolean;

  constructor(name: string, args: GamingVmArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:index:GamingVm", name, {}, opts);
    const c = args.config;
    new proxmox.VmLegacy(
      `${name}-vm`,
      {
        nodeName: args.nodeName,
        name: c.name,
        vmId: c.vmId,
        description: "Windows gaming VM with the NVIDIA GPU; start it on demand (Proxmox UI or API).",
        tags: machineTags({ stack: args.stack, backup: "zfs-snapshots", extra: ["gaming", "windows"] }),
        bios: "ovmf",
        machine: "q35",
        cpu: { cores: c.cores, sockets: 1, type: "host" },
        memory: { dedicated: c.memoryGb * 1024 },
        efiDisk: { datastoreId: args.efiDatastore, type: "4m", preEnrolledKeys: true },
        tpmState: { datastoreId: args.efiDatastore, version: "v2.0" },
        scsiHardware: "virtio-scsi-single",
        disks: [{ interface: "scsi0", datastoreId: args.datastore, size: c.diskGb, iothread: true, discard: "on", ssd: true, backup: false }],
        hostpcis: [{ device: "hostpci0", mapping: args.gpuMapping, pcie: true, rombar: true, xvga: true }],
        networkDevices: [{ bridge: args.bridge, model: "virtio" }],
        // The guest agent (installed with Windows) tells the control when Windows is up and the
        // idle watcher the GPU's load; it also makes Proxmox's shutdown a clean Windows shutdown.
        agent: { enabled: true, type: "virtio" },
        operatingSystem: { type: "win11" },
        onBoot: false,
        started: c.started,
      },
      {
        parent: this,
        provider: args.provider,
        // A replacement reuses the VM ID, which Proxmox refuses while the old VM exists.
        deleteBeforeReplace: true,
        // Earlier releases named it after gamingVm.name.
        ...formerNames(`${name}-vm`, c.name),
      },
    );
    this.vmId = c.vmId;
    this.started = c.started;
    this.registerOutputs({ vmId: this.vmId, started: this.started });
  }
}
