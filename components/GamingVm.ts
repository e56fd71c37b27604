// The Windows gaming VM: GPU passed through by its Proxmox mapping, off
// by default and started on demand; its system and games disks live on the
// ZFS data pool so sanoid snapshots cover them. With `install` configured it
// boots the Windows ISO with an answer medium beside it (components/gaming/
// unattend.ts, installMedia.ts): Windows installs itself, the account's
// password generated.
import * as proxmox from "@muhlba91/pulumi-proxmoxve";
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { GamingVmConfig } from "../config/schema";
import { gamingGuest, guestPackages } from "../config/versions";
import { answerMediumScript, answerMediumVolume } from "./gaming/installMedia";
import { autounattendXml } from "./gaming/unattend";
import { formerNames } from "./lifecycle";
import { machineTags } from "./tags";

export interface GamingVmArgs {
  stack: string;
  provider: proxmox.Provider;
  nodeName: string;
  /** Proxmox storage backed by the ZFS data pool. */
  datastore: string;
  efiDatastore: string;
  /**
   * The GPU's Proxmox mapping; left out when KubeVirt has the GPU
   * (hypervisor.gpu.consumer): the VM then keeps its disks, without the GPU.
   */
  gpuMapping?: string;
  bridge: string;
  /** Proxmox storage for ISO images (the Windows ISO, virtio-win, the answer medium). */
  isoDatastore: string;
  /** SSH to the host, which builds the answer medium. */
  connection: { host: string; user: string; privateKey: pulumi.Input<string> };
  config: GamingVmConfig;
  /** The game library Windows mounts (gamingVm.install.libraryShare): the host's address and the share's export. */
  library?: { host: string; exportPath: string };
}

export class GamingVm extends pulumi.ComponentResource {
  readonly vmId: number;
  readonly started: boolean;
  /** The Windows account's password (secret), when the program installs Windows. */
  readonly windowsPassword?: pulumi.Output<string>;

  constructor(name: string, args: GamingVmArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:index:GamingVm", name, {}, opts);
    const c = args.config;
    const install = c.install;
    const windowsIso = install && `${args.isoDatastore}:iso/${install.windowsIso}`;
    const vm = new proxmox.VmLegacy(
      `${name}-vm`,
      {
        nodeName: args.nodeName,
        name: c.name,
        vmId: c.vmId,
        description: args.gpuMapping
          ? "Windows gaming VM with the NVIDIA GPU; start it on demand (Proxmox UI or API)."
          : "Windows gaming VM without the GPU, which KubeVirt has (hypervisor.gpu.consumer); its disks are kept for a switch back.",
        tags: machineTags({ stack: args.stack, backup: "zfs-snapshots", extra: ["gaming", "windows"] }),
        bios: "ovmf",
        machine: "q35",
        cpu: { cores: c.cores, sockets: 1, type: "host" },
        memory: { dedicated: c.memoryGb * 1024 },
        efiDisk: { datastoreId: args.efiDatastore, type: "4m", preEnrolledKeys: true },
        tpmState: { datastoreId: args.efiDatastore, version: "v2.0" },
        scsiHardware: "virtio-scsi-single",
        disks: [
          { interface: "scsi0", datastoreId: args.datastore, size: c.diskGb, iothread: true, discard: "on", ssd: true, backup: false },
          { interface: "scsi1", datastoreId: args.datastore, size: c.gamesDiskGb, iothread: true, discard: "on", ssd: true, backup: false },
        ],
        // The Windows ISO in the provider's drive; the answer medium goes beside it (ide0).
        ...(windowsIso ? { cdrom: { fileId: windowsIso, interface: "ide2" }, bootOrders: ["scsi0", "ide2"] } : {}),
        ...(args.gpuMapping ? { hostpcis: [{ device: "hostpci0", mapping: args.gpuMapping, pcie: true, rombar: true, xvga: true }] } : {}),
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
    if (install) {
      const virtio = new proxmox.download.File(
        `${name}-virtio-win`,
        { nodeName: args.nodeName, datastoreId: args.isoDatastore, contentType: "iso", url: gamingGuest.virtioWin.url, fileName: `virtio-win-${gamingGuest.virtioWin.version}.iso` },
        { parent: this, provider: args.provider },
      );
      // Windows asks for three kinds of character; only ones that need no quoting in any of Windows' dialogs.
      const password = new random.RandomPassword(
        `${name}-windows-password`,
        { length: 20, special: true, overrideSpecial: "!#%+-.:=?@_", minUpper: 2, minLower: 2, minNumeric: 2, minSpecial: 1 },
        { parent: this },
      );
      this.windowsPassword = pulumi.secret(password.result);
      const answer = pulumi.secret(password.result.apply((p) => autounattendXml({ ...install, computerName: c.name, library: args.library }, p, guestPackages)));
      const script = answerMediumScript({ vmId: c.vmId, virtioIso: `${args.isoDatastore}:iso/virtio-win-${gamingGuest.virtioWin.version}.iso`, output: answerMediumVolume(args.isoDatastore) });
      // Rebuilt when the answer file or the script changes (an update runs it again); no delete: the
      // medium is a file on the ISO storage, harmless once Windows is installed.
      new command.remote.Command(
        `${name}-answer-medium`,
        { connection: { ...args.connection, privateKey: pulumi.secret(args.connection.privateKey) }, create: script, update: script, stdin: answer },
        { parent: this, dependsOn: [vm, virtio] },
      );
    }
    this.vmId = c.vmId;
    this.started = c.started;
    this.registerOutputs({ vmId: this.vmId, started: this.started });
  }
}
