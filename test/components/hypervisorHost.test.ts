import * as proxmox from "@muhlba91/pulumi-proxmoxve";
import { HypervisorHost } from "../../components/HypervisorHost";
import { hostSteps, iommuKernelArgs, nfsExports, sanoidConf, zfsModprobeConf } from "../../components/hypervisor/hostConfig";
import { HypervisorConfig } from "../../config/schema";
import { recordResources } from "../../plan/mockRuntime";
import { committedRaw } from "../helpers";

const config = committedRaw("prod").values.hypervisor as HypervisorConfig;

describe("host configuration files (pure)", () => {
  it("caps the ZFS ARC at the configured GB, in bytes", () => {
    expect(zfsModprobeConf(8)).toContain("options zfs zfs_arc_max=8589934592");
  });

  it("turns on the IOMMU for the CPU vendor", () => {
    expect(iommuKernelArgs("amd")).toEqual(["amd_iommu=on", "iommu=pt"]);
    expect(iommuKernelArgs("intel")).toEqual(["intel_iommu=on", "iommu=pt"]);
  });

  it("exports each media dataset, and their parent for the nfs-media class, to the cluster networks only", () => {
    const exports = nfsExports("tank", ["films", "music"], ["192.168.68.0/22", "10.0.1.0/24"]);
    expect(exports.split("\n").filter((l) => l.startsWith("/"))).toEqual([
      "/tank/media 192.168.68.0/22(rw,sync,no_subtree_check,root_squash,crossmnt) 10.0.1.0/24(rw,sync,no_subtree_check,root_squash,crossmnt)",
      "/tank/media/films 192.168.68.0/22(rw,sync,no_subtree_check,root_squash) 10.0.1.0/24(rw,sync,no_subtree_check,root_squash)",
      "/tank/media/music 192.168.68.0/22(rw,sync,no_subtree_check,root_squash) 10.0.1.0/24(rw,sync,no_subtree_check,root_squash)",
    ]);
    expect(exports).not.toContain("*(");
  });

  it("keeps hourly, daily, weekly and monthly snapshots of the whole pool", () => {
    const conf = sanoidConf("tank", { hourly: 24, daily: 30, weekly: 8, monthly: 12 });
    expect(conf).toContain("[tank]\n\tuse_template = homelab\n\trecursive = yes");
    for (const line of ["hourly = 24", "daily = 30", "weekly = 8", "monthly = 12", "autosnap = yes", "autoprune = yes"]) expect(conf).toContain(`\t${line}`);
  });

  it("has one idempotent step per concern, each failing fast", () => {
    const steps = hostSteps(config);
    expect(steps.map((s) => s.name)).toEqual(["zfs-arc", "zfs-scrub", "zfs-alerts", "gpu-passthrough", "nfs-exports", "metrics", "sanoid"]);
    for (const step of steps) expect(step.script.startsWith("set -eu")).toBe(true);
    const gpu = steps.find((s) => s.name === "gpu-passthrough")!.script;
    expect(gpu).toContain("options vfio-pci ids=10de:2684,10de:22ba");
    expect(gpu).toContain("blacklist nouveau");
    expect(gpu).toContain("echo REBOOT-REQUIRED");
    // A reboot is reported, never performed.
    expect(gpu).not.toMatch(/systemctl reboot|\nreboot|shutdown -r/);
    expect(steps.find((s) => s.name === "zfs-scrub")!.script).toContain("systemctl enable --now 'zfs-scrub-weekly@tank.timer'");
    const nfs = steps.find((s) => s.name === "nfs-exports")!.script;
    for (const share of config.nfs.shares) expect(nfs).toContain(`zfs create 'tank/media/${share}'`);
  });
});

describe("HypervisorHost (mocks)", () => {
  let run: Awaited<ReturnType<typeof recordResources>>;
  beforeAll(async () => {
    run = await recordResources({ stack: "prod", config: {}, secretKeys: [] }, () => {
      const provider = new proxmox.Provider("proxmox", {});
      new HypervisorHost("hypervisor", { provider, nodeName: "pve", address: "192.168.68.51", sshUser: "root", sshPrivateKey: "key", config });
    });
  });
  const one = (type: string) => {
    const found = run.resources.filter((r) => r.type === type);
    expect(found).toHaveLength(1);
    return found[0];
  };

  it("mirrors the two HDDs into the ZFS pool and adds it as storage", () => {
    expect(one("proxmoxve:node/disk/zfs:Zfs").inputs).toMatchObject({ name: "tank", raidlevel: "mirror", devices: config.zfs.disks, ashift: 12, compression: "lz4", addStorage: true });
  });

  it("manages vmbr0 on the physical NIC with the host address", () => {
    expect(one("proxmoxve:network/linux/bridge:Bridge").inputs).toMatchObject({ name: "vmbr0", address: "192.168.68.51/22", gateway: "192.168.68.1", ports: ["enp1s0"] });
  });

  it("maps the GPU for passthrough", () => {
    expect(one("proxmoxve:hardware/mapping/pci:Pci").inputs).toMatchObject({ name: "nvidia-gpu", maps: [{ node: "pve", path: "0000:01:00.0", id: "10de:2684", iommuGroup: 12 }] });
  });

  it("runs the host steps over SSH in order, after the pool exists, with the key kept secret", () => {
    const byName = new Map(run.resources.map((r) => [r.name, r]));
    const commands = hostSteps(config).map((s) => byName.get(`hypervisor-${s.name}`)!);
    expect(commands.every((c) => c?.type === "command:remote:Command")).toBe(true);
    expect(run.resources.filter((r) => r.type === "command:remote:Command")).toHaveLength(commands.length);
    const pool = one("proxmoxve:node/disk/zfs:Zfs");
    expect(commands[0].dependencies).toContain(pool.urn);
    commands.slice(1).forEach((c, i) => expect(c.dependencies).toContain(commands[i].urn));
    for (const c of commands) expect(c.inputs.connection).toBe("[secret]");
  });
});
