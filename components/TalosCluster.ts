// A Talos Kubernetes cluster managed by Omni: its machines (Proxmox VMs or
// OCI A1 instances booting a Talos image that joins Omni), the Omni
// MachineClasses and cluster template, and a kubeconfig from a service account.
import * as proxmox from "@muhlba91/pulumi-proxmoxve";
import * as command from "@pulumi/command";
import * as oci from "@pulumi/oci";
import * as pulumi from "@pulumi/pulumi";
import { ClusterVersions, OciNodeConfig, ProxmoxNodeConfig } from "../config/schema";
import { formerNames, ignoreLegacyTriggers } from "./lifecycle";
import { OmniAccess, omniKubeconfig, omnictlEnvironment, omnictlPrologue, omnictlWithFile, waitForClusterReady } from "./omni/omnictl";
import { shellQuote } from "./shell";
import { ClusterSpec, renderClusterTemplateDocs, renderMachineClasses, renderMachineLabels, toYamlDocuments } from "./omni/templates";
import { TalosRequirements } from "./platform/talos";
import { machineTags, ociMachineTags } from "./tags";

export interface ProxmoxMachinesArgs {
  platform: "proxmox";
  provider: proxmox.Provider;
  nodeName: string;
  vmDatastore: string;
  isoDatastore: string;
  bridge: string;
  vlanId?: number;
  nodes: ProxmoxNodeConfig[];
  /** Host USB devices (vendor:product) passed through to a node's VM, by node name (Home Assistant's radios). */
  usbDevices?: Record<string, string[]>;
  /** A Proxmox pool the VMs join (DEV's, whose members the gaming control may shut down). */
  pool?: string;
  /**
   * The host's GPU, for the gpu-worker node when KubeVirt has it (hypervisor.gpu.consumer):
   * its Proxmox mapping, and the vendor:device ids Talos hands to vfio-pci.
   */
  gpu?: { mapping: string; vendorDeviceIds: string[] };
}

export interface OciMachinesArgs {
  platform: "oci";
  provider: oci.Provider;
  compartmentId: string;
  availabilityDomain: string;
  subnetId: pulumi.Input<string>;
  /** Talos custom image that joins Omni (imported from Omni's download for "oracle", arm64). */
  imageId: string;
  nodes: OciNodeConfig[];
}

export interface TalosClusterArgs {
  stack: string;
  name: string;
  versions: ClusterVersions;
  omni: OmniAccess;
  machines: ProxmoxMachinesArgs | OciMachinesArgs;
  /** System extensions and patches the cluster's platform needs (storage mounts...). */
  talos?: TalosRequirements;
  /**
   * Protect the machines: true where their disks hold the only copy of volume
   * data (Longhorn or local-path volumes of services), so no diff can delete them.
   */
  protectMachines: boolean;
}

/** Where generated boot media lands on the deploying machine (git-ignored). */
export const bootMediaDir = ".omni";

export class TalosCluster extends pulumi.ComponentResource {
  /** Omni documents applied for this cluster, as YAML (no secrets in them). */
  readonly machineClassesYaml: string;
  readonly clusterTemplateYaml: string;
  readonly spec: ClusterSpec;
  readonly kubeconfig: pulumi.Output<string>;
  readonly machineNames: string[];

  constructor(name: string, args: TalosClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:index:TalosCluster", name, {}, opts);
    const m = args.machines;
    this.spec = clusterSpec(args);
    this.machineNames = m.nodes.map((n) => n.name);
    // Children are named after this component and their role; earlier releases used the cluster name.
    const was = (role: string) => `${args.name}-${role}`;

    this.machineClassesYaml = toYamlDocuments([...renderMachineClasses(this.spec), ...renderMachineLabels(this.spec)]);
    const classes = omnictlWithFile(
      `${name}-machine-classes`,
      { access: args.omni, subcommand: "apply", yamlText: this.machineClassesYaml },
      { parent: this, ...formerNames(`${name}-machine-classes`, was("machine-classes")) },
    );

    const machines = m.platform === "proxmox" ? this.proxmoxMachines(name, args, m, classes) : this.ociMachines(name, args, m);

    // A version bump or a new node changes the template: the command's update syncs it again. There is no
    // delete: removing the cluster is docs/runbooks/decommission-a-cluster.md, never a side effect of a diff.
    this.clusterTemplateYaml = toYamlDocuments(renderClusterTemplateDocs(this.spec));
    const template = omnictlWithFile(
      `${name}-template`,
      {
        access: args.omni,
        subcommand: "cluster template sync",
        yamlText: this.clusterTemplateYaml,
        // Wait until Omni reports the cluster ready, so what follows can use it.
        after: waitForClusterReady("30m"),
      },
      // omnictlWithFile ignores the earlier content-hash trigger: here it matters most, as the earlier
      // template command's delete removed the cluster.
      { parent: this, dependsOn: [classes, ...machines], ...formerNames(`${name}-template`, was("cluster-template")) },
    );

    this.kubeconfig = omniKubeconfig(
      `${name}-kubeconfig`,
      { access: args.omni, cluster: args.name, user: `pulumi-${args.name}` },
      { parent: this, dependsOn: [template], ...formerNames(`${name}-kubeconfig`, was("kubeconfig")) },
    );

    this.registerOutputs({ kubeconfig: this.kubeconfig, machineNames: this.machineNames, clusterTemplateYaml: this.clusterTemplateYaml });
  }

  private proxmoxMachines(name: string, args: TalosClusterArgs, m: ProxmoxMachinesArgs, classes: pulumi.Resource): pulumi.Resource[] {
    // One ISO per cluster and Talos version, produced by Omni with its join config baked in. A new
    // version changes the command (its update downloads the new ISO) and the file's name, so Proxmox
    // gets the new ISO, the VMs' CD-ROM moves to it, and only then is the old file removed.
    const isoName = `${args.name}-talos-v${args.versions.talos}-amd64.iso`;
    const isoPath = `${bootMediaDir}/${isoName}`;
    const was = (role: string) => `${args.name}-${role}`;
    const download = new command.local.Command(
      `${name}-talos-iso`,
      {
        create: `${omnictlPrologue} mkdir -p ${shellQuote(bootMediaDir)}; omnictl download iso --arch amd64 --talos-version ${shellQuote(args.versions.talos)} --output ${shellQuote(isoPath)}`,
        environment: omnictlEnvironment(args.omni),
      },
      { parent: this, dependsOn: [classes], ...ignoreLegacyTriggers, ...formerNames(`${name}-talos-iso`, was("talos-iso")) },
    );
    const iso = new proxmox.FileLegacy(
      `${name}-talos-iso`,
      { nodeName: m.nodeName, datastoreId: m.isoDatastore, contentType: "iso", sourceFile: { path: isoPath, fileName: isoName } },
      { parent: this, provider: m.provider, dependsOn: [download], ...formerNames(`${name}-talos-iso`, was("talos-iso")) },
    );
    const gpuNodes = m.nodes.filter((n) => n.role === "gpu-worker");
    if (gpuNodes.length > 0 && (!m.gpu || gpuNodes.length > 1)) {
      throw new Error(`TalosCluster ${args.name}: expected one gpu-worker node and the host's GPU for it (hypervisor.gpu.consumer kubevirt); got ${gpuNodes.length} node(s)${m.gpu ? "" : " and no GPU"}`);
    }
    return m.nodes.map((node) => {
      // The gpu-worker passes the GPU on to KubeVirt's guest: QEMU's emulated Intel IOMMU gives Talos
      // (whose kernel turns the Intel IOMMU on by default) the IOMMU groups vfio-pci needs.
      const gpu = node.role === "gpu-worker" && m.gpu ? m.gpu : undefined;
      const vm = new proxmox.VmLegacy(
        // A node's identity is its name (the schema says so): reordering the list changes nothing.
        `${name}-${node.name}`,
        {
          nodeName: m.nodeName,
          name: node.name,
          vmId: node.vmId,
          description: `Talos ${node.role} of cluster ${args.name}, managed by Omni. Rebuildable: no backup, etcd is backed up by Omni.`,
          tags: machineTags({ stack: args.stack, cluster: args.name, backup: "none", extra: ["talos", "kubernetes"] }),
          smbios: { uuid: node.machineUuid },
          cpu: { cores: node.cores, sockets: 1, type: "host" },
          memory: { dedicated: node.memoryGb * 1024 },
          bios: "ovmf",
          machine: gpu ? "q35,viommu=intel" : "q35",
          efiDisk: { datastoreId: m.vmDatastore, type: "4m", preEnrolledKeys: false },
          ...(gpu ? { hostpcis: [{ device: "hostpci0", mapping: gpu.mapping, pcie: true, rombar: true }] } : {}),
          scsiHardware: "virtio-scsi-single",
          disks: [{ interface: "scsi0", datastoreId: m.vmDatastore, size: node.diskGb, fileFormat: "raw", iothread: true, discard: "on", ssd: true, backup: false }],
          cdrom: { fileId: iso.id, interface: "ide2" },
          bootOrders: ["scsi0", "ide2"],
          networkDevices: [{ bridge: m.bridge, model: "virtio", vlanId: m.vlanId, firewall: false }],
          // A radio keeps its identity across ports and reboots by vendor:product; a change is an update (the VM restarts).
          ...(m.usbDevices?.[node.name]?.length ? { usbs: m.usbDevices[node.name].map((host) => ({ host, usb3: true })) } : {}),
          operatingSystem: { type: "l26" },
          agent: { enabled: true, trim: true },
          onBoot: true,
          started: true,
          stopOnDestroy: true,
        },
        {
          parent: this,
          provider: m.provider,
          // A replacement reuses the VM ID, which Proxmox refuses while the old VM exists.
          deleteBeforeReplace: true,
          // Volumes of services live on these disks where protectMachines says so.
          protect: args.protectMachines,
          ...formerNames(`${name}-${node.name}`, node.name),
        },
      );
      if (m.pool) new proxmox.pool.Membership(`${name}-${node.name}-pool`, { poolId: m.pool, vmId: node.vmId }, { parent: this, provider: m.provider, dependsOn: [vm] });
      return vm;
    });
  }

  private ociMachines(name: string, args: TalosClusterArgs, m: OciMachinesArgs): pulumi.Resource[] {
    return m.nodes.map(
      (node) =>
        new oci.core.Instance(
          `${name}-${node.name}`,
          {
            compartmentId: m.compartmentId,
            availabilityDomain: m.availabilityDomain,
            displayName: node.name,
            shape: "VM.Standard.A1.Flex",
            shapeConfig: { ocpus: node.ocpus, memoryInGbs: node.memoryGb },
            sourceDetails: { sourceType: "image", sourceId: m.imageId, bootVolumeSizeInGbs: String(node.bootVolumeGb) },
            createVnicDetails: { subnetId: m.subnetId, privateIp: node.privateIp, assignPublicIp: "true", hostnameLabel: node.name, displayName: `${node.name}-vnic` },
            freeformTags: ociMachineTags({ stack: args.stack, cluster: args.name, backup: "none", role: node.role }),
            preserveBootVolume: false,
          },
          {
            parent: this,
            provider: m.provider,
            // The image only seeds the first boot; Omni upgrades Talos in place. A newer image in config
            // is for nodes created later, not a reason to rebuild running ones.
            ignoreChanges: ["sourceDetails.sourceId"],
            // A replacement keeps the node's private IP, which OCI refuses while the old instance holds it.
            deleteBeforeReplace: true,
            // Volumes of services live on these boot volumes where protectMachines says so.
            protect: args.protectMachines,
            ...formerNames(`${name}-${node.name}`, node.name),
          },
        ),
    );
  }
}

/** The pure description of the cluster that the Omni documents are rendered from. */
export function clusterSpec(args: Pick<TalosClusterArgs, "name" | "versions" | "machines" | "talos">): ClusterSpec {
  const m = args.machines;
  const systemExtensions = args.talos?.systemExtensions ?? [];
  const extraPatches = args.talos?.patches ?? [];
  if (m.platform === "proxmox") {
    return {
      name: args.name,
      versions: args.versions,
      selectBy: "labels",
      systemExtensions,
      extraPatches,
      schedulableControlPlane: m.nodes.some((n) => n.role === "controlplane" && n.schedulable === true),
      machines: m.nodes.map((n) => ({ uuid: n.machineUuid, role: n.role, cores: n.cores, hostname: n.name })),
      ...(m.gpu ? { gpuDeviceIds: m.gpu.vendorDeviceIds } : {}),
    };
  }
  return {
    name: args.name,
    versions: args.versions,
    selectBy: "cores",
    systemExtensions,
    extraPatches,
    schedulableControlPlane: m.nodes.some((n) => n.role === "controlplane" && n.schedulable === true),
    machines: m.nodes.map((n) => ({ role: n.role, cores: n.ocpus, hostname: n.name })),
  };
}
