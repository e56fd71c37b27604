import * as proxmox from "@muhlba91/pulumi-proxmoxve";
import { GamingVm } from "../../components/GamingVm";
import { answerMediumScript } from "../../components/gaming/installMedia";
import { GamingVmConfig } from "../../config/schema";
import { gamingGuest } from "../../config/versions";
import { recordResources } from "../../plan/mockRuntime";
import { committedRaw } from "../helpers";

const committed = committedRaw("prod").values.gamingVm as GamingVmConfig;

async function record(config: GamingVmConfig) {
  let password: string | undefined;
  const run = await recordResources({ stack: "prod", config: {}, secretKeys: [] }, () => {
    const provider = new proxmox.Provider("proxmox", {});
    const vm = new GamingVm("gaming", {
      stack: "prod",
      provider,
      nodeName: "pve",
      datastore: "tank",
      efiDatastore: "local-lvm",
      gpuMapping: "nvidia-gpu",
      bridge: "vmbr0",
      isoDatastore: "local",
      connection: { host: "192.168.68.51", user: "root", privateKey: "key" },
      config,
    });
    vm.windowsPassword?.apply((p) => (password = p));
  });
  const ofType = (type: string) => run.resources.filter((r) => r.type === type);
  return { run, ofType, password: () => password };
}

describe("GamingVm (mocks)", () => {
  it("has the system disk and the games disk on the pool, the guest agent on, and stays off", async () => {
    const { ofType } = await record(committed);
    const [vm] = ofType("proxmoxve:index/vmLegacy:VmLegacy");
    expect((vm.inputs.disks as { interface: string; size: number; datastoreId: string }[]).map((d) => [d.interface, d.size, d.datastoreId])).toEqual([
      ["scsi0", committed.diskGb, "tank"],
      ["scsi1", committed.gamesDiskGb, "tank"],
    ]);
    expect(vm.inputs.agent).toEqual({ enabled: true, type: "virtio" });
    expect(vm.inputs.started).toBe(false);
  });

  it("with install: the Windows ISO in the drive, virtio-win downloaded, the answer medium built with the answer on standard input", async () => {
    const { ofType, password } = await record(committed);
    const [vm] = ofType("proxmoxve:index/vmLegacy:VmLegacy");
    expect(vm.inputs.cdrom).toEqual({ fileId: `local:iso/${committed.install!.windowsIso}`, interface: "ide2" });
    expect(vm.inputs.bootOrders).toEqual(["scsi0", "ide2"]);
    const [virtio] = ofType("proxmoxve:download/file:File");
    expect(virtio.inputs).toMatchObject({ url: gamingGuest.virtioWin.url, datastoreId: "local", contentType: "iso", fileName: `virtio-win-${gamingGuest.virtioWin.version}.iso` });
    const [medium] = ofType("command:remote:Command");
    expect(medium.name).toBe("gaming-answer-medium");
    expect(medium.inputs.create).toBe(answerMediumScript({ vmId: committed.vmId, virtioIso: `local:iso/virtio-win-${gamingGuest.virtioWin.version}.iso`, output: "local:iso/homelab-gaming-answer.iso" }));
    expect(medium.inputs.stdin).toBe("[secret]");
    expect(medium.inputs.delete).toBeUndefined();
    expect(medium.dependencies).toEqual(expect.arrayContaining([vm.urn, virtio.urn]));
    const [generated] = ofType("random:index/randomPassword:RandomPassword");
    expect(generated.inputs).toMatchObject({ length: 20, minUpper: 2, minLower: 2, minNumeric: 2, minSpecial: 1 });
    expect(password()).toBe("mock-random-password");
  });

  it("without install: no ISO, no medium, no password", async () => {
    const { ofType, password } = await record({ ...committed, install: undefined });
    const [vm] = ofType("proxmoxve:index/vmLegacy:VmLegacy");
    expect(vm.inputs.cdrom).toBeUndefined();
    expect(ofType("command:remote:Command")).toEqual([]);
    expect(ofType("proxmoxve:download/file:File")).toEqual([]);
    expect(password()).toBeUndefined();
  });
});
