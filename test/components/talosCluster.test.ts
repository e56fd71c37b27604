import { parse, parseAllDocuments } from "yaml";
import * as proxmox from "@muhlba91/pulumi-proxmoxve";
import * as oci from "@pulumi/oci";
import { TalosCluster, clusterSpec } from "../../components/TalosCluster";
import { ClusterSpec, renderClusterTemplateDocs, renderMachineClasses, renderMachineLabels, roleSelector } from "../../components/omni/templates";
import { recordResources } from "../../plan/mockRuntime";
import { committedRaw } from "../helpers";

const prod = committedRaw("prod").values;
const cloud = committedRaw("cloud").values;
const omni = { endpoint: "https://omni.test:443", serviceAccountKey: "sa-key", caCertPem: "pem" };

const prodSpec: ClusterSpec = clusterSpec({ name: "prod", versions: prod.cluster.versions, machines: { platform: "proxmox", nodes: prod.cluster.nodes } as never });

describe("Omni cluster template (pure)", () => {
  const docs = renderClusterTemplateDocs(prodSpec) as Record<string, any>[]; // eslint-disable-line @typescript-eslint/no-explicit-any

  it("pins Talos and Kubernetes with the v prefix Omni requires", () => {
    expect(docs[0]).toMatchObject({ kind: "Cluster", name: "prod", talos: { version: "v1.13.10" }, kubernetes: { version: "v1.36.3" } });
  });

  it("patches Talos for Cilium: no built-in CNI and no kube-proxy", () => {
    const cilium = docs[0].patches.find((p: { name: string }) => p.name === "cilium-cni");
    expect(cilium.inline).toEqual({ cluster: { network: { cni: { name: "none" } }, proxy: { disabled: true } } });
  });

  it("sizes the control plane and workers from the nodes, through machine classes", () => {
    expect(docs[1]).toEqual({ kind: "ControlPlane", machineClass: { name: "prod-control-plane", size: 1 } });
    expect(docs[2]).toEqual({ kind: "Workers", name: "workers", machineClass: { name: "prod-worker", size: 1 } });
    expect(docs).toHaveLength(3);
  });

  it("lets a single-node cluster schedule on its control plane", () => {
    const dev = committedRaw("dev").values;
    const devDocs = renderClusterTemplateDocs(clusterSpec({ name: "dev", versions: dev.cluster.versions, machines: { platform: "proxmox", nodes: dev.cluster.nodes } as never })) as Record<string, any>[]; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(devDocs[0].patches.map((p: { name: string }) => p.name)).toEqual(["cilium-cni", "schedulable-control-plane"]);
    expect(devDocs.filter((d) => d.kind === "Workers")).toHaveLength(0);
  });

  it("selects Proxmox machines by the cluster and role labels it puts on their UUIDs", () => {
    expect(renderMachineClasses(prodSpec)).toEqual([
      { metadata: { namespace: "default", type: "MachineClasses.omni.sidero.dev", id: "prod-control-plane" }, spec: { matchlabels: ["homelab.io/cluster = prod, homelab.io/role = controlplane"] } },
      { metadata: { namespace: "default", type: "MachineClasses.omni.sidero.dev", id: "prod-worker" }, spec: { matchlabels: ["homelab.io/cluster = prod, homelab.io/role = worker"] } },
    ]);
    expect(renderMachineLabels(prodSpec).map((d) => (d as { metadata: { id: string; labels: object } }).metadata)).toEqual(
      prod.cluster.nodes.map((n: { machineUuid: string; role: string }) => ({
        namespace: "default",
        type: "MachineLabels.omni.sidero.dev",
        id: n.machineUuid,
        labels: { "homelab.io/cluster": "prod", "homelab.io/role": n.role },
      })),
    );
  });

  it("selects OCI machines by core count, and refuses a role with mixed counts", () => {
    const spec = clusterSpec({ name: "cloud", versions: cloud.cluster.versions, machines: { platform: "oci", nodes: cloud.cluster.nodes } as never });
    expect(roleSelector(spec, "controlplane")).toBe("homelab.io/cluster = cloud, omni.sidero.dev/cores = 2");
    expect(roleSelector(spec, "worker")).toBe("homelab.io/cluster = cloud, omni.sidero.dev/cores = 1");
    expect(renderMachineLabels(spec)).toEqual([]);
    const mixed = { ...spec, machines: [...spec.machines, { role: "worker" as const, cores: 3, hostname: "x" }] };
    expect(() => roleSelector(mixed, "worker")).toThrow("role worker machines must share one core count");
  });
});

describe("TalosCluster on Proxmox (mocks)", () => {
  let run: Awaited<ReturnType<typeof recordResources>>;
  beforeAll(async () => {
    run = await recordResources({ stack: "prod", config: {}, secretKeys: [] }, () => {
      const provider = new proxmox.Provider("proxmox", {});
      new TalosCluster("cluster", {
        stack: "prod",
        name: "prod",
        protectMachines: true,
        versions: prod.cluster.versions,
        omni,
        machines: {
          platform: "proxmox",
          provider,
          nodeName: "pve",
          vmDatastore: "local-zfs",
          isoDatastore: "local",
          bridge: "vmbr0",
          nodes: prod.cluster.nodes,
          usbDevices: { "prod-worker-1": ["10c4:ea60"] },
        },
      });
    });
  });
  const vms = () => run.resources.filter((r) => r.type === "proxmoxve:index/vmLegacy:VmLegacy");

  it("passes a host USB device through to the node it is given to, and none to the others", () => {
    const usbs = vms().map((vm) => [vm.name, (vm.inputs as Record<string, unknown>).usbs]);
    expect(usbs).toEqual([
      ["cluster-prod-cp-1", undefined],
      ["cluster-prod-worker-1", [{ host: "10c4:ea60", usb3: true }]],
    ]);
  });

  it("creates one VM per node with the PRD sizes", () => {
    const sizes = vms().map((vm) => {
      const i = vm.inputs as any; // eslint-disable-line @typescript-eslint/no-explicit-any
      return [vm.name, i.cpu.cores, i.memory.dedicated, i.disks[0].size];
    });
    expect(sizes).toEqual([
      ["cluster-prod-cp-1", 2, 4096, 50],
      ["cluster-prod-worker-1", 6, 12288, 200],
    ]);
  });

  it("gives each VM its fixed SMBIOS UUID, the Omni ISO, vmbr0 and the talos/kubernetes/<stack> tags", () => {
    for (const [vm, node] of vms().map((vm, i) => [vm, prod.cluster.nodes[i]] as const)) {
      const i = vm.inputs as any; // eslint-disable-line @typescript-eslint/no-explicit-any
      expect(i.smbios.uuid).toBe(node.machineUuid);
      expect(i.networkDevices[0].bridge).toBe("vmbr0");
      expect(i.cdrom.fileId).toBe("cluster-talos-iso-id");
      expect(i.tags).toEqual(["talos", "kubernetes", "prod", "cluster-prod", "backup-none"]);
      expect(i.started).toBe(true);
    }
  });

  it("applies machine classes, then syncs the template after the VMs exist, then reads the kubeconfig", () => {
    const byName = (n: string) => run.resources.find((r) => r.name === n)!;
    const classes = byName("cluster-machine-classes");
    const template = byName("cluster-template");
    const kubeconfig = byName("cluster-kubeconfig");
    expect(classes.inputs.create).toContain("omnictl apply -f");
    expect(parseAllDocuments(classes.inputs.stdin as string)).toHaveLength(4);
    expect(template.inputs.create).toContain("omnictl cluster template sync -f");
    expect(template.inputs.create).toContain("omnictl cluster template status");
    expect(parseAllDocuments(template.inputs.stdin as string).map((d) => d.toJS().kind)).toEqual(["Cluster", "ControlPlane", "Workers"]);
    expect(template.dependencies).toEqual(expect.arrayContaining([classes.urn, ...vms().map((v) => v.urn)]));
    expect(kubeconfig.dependencies).toContain(template.urn);
    expect(kubeconfig.inputs.create).toContain("omnictl kubeconfig --cluster 'prod' --service-account --user 'pulumi-prod'");
  });

  it("passes the Omni service-account key only as a secret", () => {
    for (const cmd of run.resources.filter((r) => r.type === "command:local:Command")) {
      // The key is secret, even though the caller passed it in plain text.
      expect((cmd.inputs.environment as Record<string, unknown>).OMNI_SERVICE_ACCOUNT_KEY).toBe("[secret]");
      expect(JSON.stringify(cmd.inputs)).not.toContain("sa-key");
    }
  });

  it("renders the same template it applies", () => {
    const template = run.resources.find((r) => r.name === "cluster-template")!;
    expect(parseAllDocuments(template.inputs.stdin as string).map((d) => d.toJS())).toEqual(renderClusterTemplateDocs(prodSpec));
    expect(parse(String(template.inputs.stdin).split("---\n")[0]).name).toBe("prod");
  });
});

describe("TalosCluster on OCI (mocks)", () => {
  it("creates A1.Flex instances with the PRD shapes and boot volumes", async () => {
    const run = await recordResources({ stack: "cloud", config: {}, secretKeys: [] }, () => {
      const provider = new oci.Provider("oci", {});
      new TalosCluster("cluster", {
        stack: "cloud",
        name: "cloud",
        protectMachines: false,
        versions: cloud.cluster.versions,
        omni,
        machines: { platform: "oci", provider, compartmentId: "c", availabilityDomain: "AD-1", subnetId: "s", imageId: "img", nodes: cloud.cluster.nodes },
      });
    });
    const instances = run.resources.filter((r) => r.type === "oci:Core/instance:Instance");
    expect(instances.map((r) => [r.name, r.inputs.shape, r.inputs.shapeConfig, (r.inputs.sourceDetails as { bootVolumeSizeInGbs: string }).bootVolumeSizeInGbs])).toEqual([
      ["cluster-oci-node-1", "VM.Standard.A1.Flex", { ocpus: 2, memoryInGbs: 12 }, "64"],
      ["cluster-oci-node-2", "VM.Standard.A1.Flex", { ocpus: 1, memoryInGbs: 6 }, "75"],
    ]);
    expect(instances[0].inputs.freeformTags).toEqual({ stack: "cloud", cluster: "cloud", role: "controlplane", backup: "none", "managed-by": "pulumi" });
    expect(run.resources.some((r) => r.type === "proxmoxve:index/fileLegacy:FileLegacy")).toBe(false);
  });
});
