// The host steps HypervisorHost runs over SSH, run here for real: each
// generated script under sh, with its absolute paths moved into a scratch root
// and the host's commands (systemctl, zfs, update-initramfs...) replaced by
// stubs that log their arguments. Checks what each step changes, that a second
// run changes nothing, and that config values survive shell quoting whatever
// they hold.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { HypervisorConfig } from "../../config/schema";
import { ShareOwners, hostSteps, sanoidConf, vfioModprobeConf, zedEmailLine, zpoolMetricsScript, zpoolMetricsScriptPath } from "../../components/hypervisor/hostConfig";
import { committedRaw } from "../helpers";

const base = committedRaw("prod").values.hypervisor as HypervisorConfig;
const stubs = ["systemctl", "update-initramfs", "proxmox-boot-tool", "update-grub", "exportfs", "apt-get"];

interface Host {
  root: string;
  /** Runs one step; returns its stdout lines and the stub calls it made. */
  run(step: string): { out: string[]; calls: string[] };
  file(p: string): string;
}

function scratchHost(config: HypervisorConfig, setup: (root: string) => void = () => undefined, owners: ShareOwners = {}): Host {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "host-"));
  const bin = path.join(root, "bin");
  fs.mkdirSync(bin);
  const calls = path.join(root, "calls");
  for (const name of stubs) fs.writeFileSync(path.join(bin, name), `#!/bin/sh\necho "${name} $*" >> '${calls}'\n`, { mode: 0o755 });
  // zfs: `list` fails for datasets not created yet; `create` records them.
  fs.writeFileSync(path.join(bin, "zfs"), `#!/bin/sh\necho "zfs $*" >> '${calls}'\nif [ "$1" = list ]; then grep -qxF -- "$2" '${root}/datasets' 2>/dev/null; exit $?; fi\nif [ "$1" = create ]; then eval "last=\\$$#"; echo "$last" >> '${root}/datasets'; fi\n`, { mode: 0o755 });
  for (const dir of ["etc/zfs/zed.d", "etc/modprobe.d", "etc/modules-load.d", "etc/kernel", "etc/default", "sys/module/zfs/parameters"]) fs.mkdirSync(path.join(root, dir), { recursive: true });
  fs.writeFileSync(path.join(root, "etc/zfs/zed.d/zed.rc"), '#ZED_EMAIL_ADDR="root"\nZED_NOTIFY_INTERVAL_SECS=3600\n');
  fs.writeFileSync(path.join(root, "sys/module/zfs/parameters/zfs_arc_max"), "0\n");
  // stat -c %u:%g and chown: owners kept in <root>/owners/<path with slashes as _>, 0:0 until chowned.
  fs.mkdirSync(path.join(root, "owners"));
  const ownerFile = `'${root}/owners/'$(echo "$last" | tr / _)`;
  fs.writeFileSync(path.join(bin, "stat"), `#!/bin/sh\necho "stat $*" >> '${calls}'\neval "last=\\$$#"\ncat ${ownerFile} 2>/dev/null || echo 0:0\n`, { mode: 0o755 });
  fs.writeFileSync(path.join(bin, "chown"), `#!/bin/sh\necho "chown $*" >> '${calls}'\neval "last=\\$$#"\necho "$1" > ${ownerFile}\n`, { mode: 0o755 });
  setup(root);
  const steps = hostSteps(config, owners);
  return {
    root,
    run(name) {
      const step = steps.find((s) => s.name === name);
      if (!step) throw new Error(`no step ${name}`);
      fs.writeFileSync(calls, "");
      // The scripts use absolute paths; here they live under the scratch root. `command -v` finds the stubs.
      const script = step.script.replace(/(['" =>(])\/(etc|sys)\//g, `$1${root}/$2/`).replace(/ \/(etc|sys)\//g, ` ${root}/$1/`);
      const result = spawnSync("sh", ["-c", script], { env: { PATH: `${bin}:/usr/bin:/bin` }, encoding: "utf8" });
      if (result.status !== 0) throw new Error(`step ${name} failed (${result.status}): ${result.stderr}`);
      return { out: result.stdout.split("\n").filter(Boolean), calls: fs.readFileSync(calls, "utf8").split("\n").map((l) => l.trim()).filter(Boolean) };
    },
    file: (p) => fs.readFileSync(path.join(root, p), "utf8"),
  };
}

describe("every host step", () => {
  test.each(hostSteps(base).map((s) => s.name))("%s is valid sh", (name) => {
    const script = hostSteps(base).find((s) => s.name === name)!.script;
    expect(spawnSync("sh", ["-n", "-c", script]).status).toBe(0);
  });
});

describe("zfs-alerts", () => {
  const hostile = { ...base, zfs: { ...base.zfs, alertEmail: "o'brien+zfs@homelab.example" } };

  test("writes the address ZED reads, whatever quotes it holds, once", () => {
    const host = scratchHost(hostile);
    const first = host.run("zfs-alerts");
    expect(first.out).toEqual(["CHANGED zed.rc"]);
    expect(first.calls).toEqual(["systemctl restart zfs-zed"]);
    const rc = host.file("etc/zfs/zed.d/zed.rc");
    expect(rc).toBe(`ZED_NOTIFY_INTERVAL_SECS=3600\n${zedEmailLine("o'brien+zfs@homelab.example")}\nZED_NOTIFY_VERBOSE=1\n`);
    // ZED sources zed.rc as shell: the address comes back exactly.
    const sourced = spawnSync("sh", ["-c", `. '${path.join(host.root, "etc/zfs/zed.d/zed.rc")}'; printf '%s' "$ZED_EMAIL_ADDR"`], { encoding: "utf8" });
    expect(sourced.stdout).toBe("o'brien+zfs@homelab.example");
    expect(host.run("zfs-alerts")).toEqual({ out: [], calls: [] });
  });

  test("a changed address replaces the old line, it does not add a second one", () => {
    const host = scratchHost(hostile);
    host.run("zfs-alerts");
    const other = scratchHost({ ...base, zfs: { ...base.zfs, alertEmail: "admin@homelab.example" } }, (root) => fs.writeFileSync(path.join(root, "etc/zfs/zed.d/zed.rc"), host.file("etc/zfs/zed.d/zed.rc")));
    expect(other.run("zfs-alerts").out).toEqual(["CHANGED zed.rc"]);
    expect(other.file("etc/zfs/zed.d/zed.rc").match(/ZED_EMAIL_ADDR=/g)).toHaveLength(1);
    expect(other.file("etc/zfs/zed.d/zed.rc")).toContain("ZED_EMAIL_ADDR='admin@homelab.example'");
  });
});

describe("zfs-arc", () => {
  test("caps the ARC now and at boot, rebuilding the initramfs only when the file changed", () => {
    const host = scratchHost(base);
    const first = host.run("zfs-arc");
    expect(first.out).toEqual([`CHANGED ${path.join(host.root, "etc/modprobe.d/zfs.conf")}`]);
    expect(first.calls).toEqual(["update-initramfs -u -k all"]);
    expect(host.file("etc/modprobe.d/zfs.conf")).toContain(`options zfs zfs_arc_max=${8 * 1024 ** 3}`);
    expect(host.file("sys/module/zfs/parameters/zfs_arc_max")).toBe(`${8 * 1024 ** 3}\n`);
    expect(host.run("zfs-arc")).toEqual({ out: [], calls: [] });
  });
});

describe("gpu-passthrough", () => {
  test("on a systemd-boot host: IOMMU arguments once, vfio files, a reboot reported, never done", () => {
    const host = scratchHost(base, (root) => fs.writeFileSync(path.join(root, "etc/kernel/cmdline"), "root=ZFS=rpool/ROOT/pve-1 boot=zfs\n"));
    const first = host.run("gpu-passthrough");
    expect(first.out.filter((l) => !l.startsWith("CHANGED"))).toEqual(["REBOOT-REQUIRED"]);
    expect(first.calls).toEqual(["update-initramfs -u -k all", "proxmox-boot-tool refresh"]);
    expect(host.file("etc/kernel/cmdline")).toBe("root=ZFS=rpool/ROOT/pve-1 boot=zfs amd_iommu=on iommu=pt\n");
    expect(host.file("etc/modprobe.d/vfio.conf")).toContain("options vfio-pci ids=10de:2684,10de:22ba disable_vga=1");
    expect(host.file("etc/modules-load.d/vfio.conf")).toContain("vfio_pci");
    expect(host.run("gpu-passthrough")).toEqual({ out: [], calls: [] });
  });

  test("on a GRUB host: the arguments go into GRUB_CMDLINE_LINUX_DEFAULT", () => {
    const host = scratchHost({ ...base, cpuVendor: "intel" }, (root) => fs.writeFileSync(path.join(root, "etc/default/grub"), 'GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX_DEFAULT="quiet"\n'));
    const first = host.run("gpu-passthrough");
    expect(first.out).toContain("REBOOT-REQUIRED");
    expect(first.calls).toEqual(["update-initramfs -u -k all", "update-grub"]);
    expect(host.file("etc/default/grub")).toContain('GRUB_CMDLINE_LINUX_DEFAULT="iommu=pt intel_iommu=on quiet"');
    expect(host.run("gpu-passthrough").out).toEqual([]);
  });
});

describe("nfs-exports", () => {
  test("creates the media datasets once and exports them to the cluster networks only", () => {
    const host = scratchHost(base);
    const first = host.run("nfs-exports");
    expect(first.out.filter((l) => l.startsWith("CHANGED tank/"))).toEqual(["CHANGED tank/media", ...base.nfs.shares.map((s) => `CHANGED tank/media/${s}`)]);
    expect(first.calls).toContain("zfs create -o compression=lz4 -o atime=off tank/media");
    expect(first.calls).toContain("systemctl enable --now nfs-server");
    expect(first.calls).toContain("exportfs -ra");
    expect(host.file("etc/exports.d/homelab.exports")).toContain("/tank/media 192.168.68.0/22(rw,sync,no_subtree_check,root_squash,crossmnt)");
    const second = host.run("nfs-exports");
    expect(second.out).toEqual([]);
    expect(second.calls.filter((c) => c.startsWith("zfs create"))).toEqual([]);
  });

  test("gives each written share to its writer once, and hands it over when the writer changes", () => {
    const owners = { files: { uid: 33, gid: 33 }, photos: { uid: 1000, gid: 1000 } };
    const host = scratchHost(base, undefined, owners);
    const first = host.run("nfs-exports");
    expect(first.out.filter((l) => l.startsWith("CHANGED owner"))).toEqual(["CHANGED owner of /tank/media/photos to 1000:1000", "CHANGED owner of /tank/media/files to 33:33"]);
    expect(first.calls.filter((c) => c.startsWith("chown"))).toEqual(["chown 1000:1000 /tank/media/photos", "chown 33:33 /tank/media/files"]);
    // Shares nobody writes keep whatever owner they have.
    expect(first.calls.filter((c) => c.startsWith("stat"))).toEqual(["stat -c %u:%g /tank/media/photos", "stat -c %u:%g /tank/media/files"]);
    expect(host.run("nfs-exports").out).toEqual([]);
    const handedOver = scratchHost(base, (root) => fs.writeFileSync(path.join(root, "owners", "_tank_media_files"), "1000:1000\n"), owners);
    expect(handedOver.run("nfs-exports").calls.filter((c) => c.startsWith("chown"))).toEqual(["chown 1000:1000 /tank/media/photos", "chown 33:33 /tank/media/files"]);
  });

  test("refuses an owner for a folder that is not a share, naming the shares", () => {
    expect(() => hostSteps(base, { scans: { uid: 1000, gid: 1000 } })).toThrow(`hypervisor.nfs.shares: owners given for scans, which are not shares; expected one of ${base.nfs.shares.join(", ")}`);
  });
});

describe("sanoid and scrub", () => {
  test("install sanoid (the package when missing), its retention, and enable the timers", () => {
    const host = scratchHost(base);
    const sanoid = host.run("sanoid");
    expect(sanoid.calls).toEqual(["apt-get install -y sanoid", "systemctl enable --now sanoid.timer"]);
    expect(host.file("etc/sanoid/sanoid.conf")).toContain("[template_homelab]\n\thourly = 24\n\tdaily = 30\n\tweekly = 8\n\tmonthly = 12");
    expect(host.run("zfs-scrub").calls).toEqual(["systemctl enable --now zfs-scrub-weekly@tank.timer"]);
  });
});

describe("the files and what each step says it does, exactly", () => {
  const config = () => committedRaw("prod").values.hypervisor as HypervisorConfig;

  test("vfio hands the GPU to vfio-pci before any host driver (softdeps for nouveau, nvidia and the GPU's audio)", () => {
    expect(vfioModprobeConf(["10de:2204", "10de:1aef"])).toBe(
      [
        "# Managed by homelab (Pulumi): hand the GPU to vfio-pci before any host driver",
        "options vfio-pci ids=10de:2204,10de:1aef disable_vga=1",
        "softdep nouveau pre: vfio-pci",
        "softdep nvidia pre: vfio-pci",
        "softdep snd_hda_intel pre: vfio-pci",
        "",
      ].join("\n"),
    );
  });

  test("sanoid keeps what the config says, never a yearly, and snapshots and prunes by itself", () => {
    expect(sanoidConf("tank", { hourly: 24, daily: 30, weekly: 8, monthly: 12 })).toBe(
      [
        "# Managed by homelab (Pulumi): ZFS snapshots of the data pool",
        "[tank]",
        "\tuse_template = homelab",
        "\trecursive = yes",
        "",
        "[template_homelab]",
        "\thourly = 24",
        "\tdaily = 30",
        "\tweekly = 8",
        "\tmonthly = 12",
        "\tyearly = 0",
        "\tautosnap = yes",
        "\tautoprune = yes",
        "",
      ].join("\n"),
    );
  });

  test("each step's description names what it changes, with the config's values", () => {
    const c = config();
    const byName = Object.fromEntries(hostSteps(c).map((s) => [s.name, s.description]));
    expect(byName["zfs-arc"]).toBe(`Limit the ZFS ARC to ${c.zfs.arcMaxGb} GB (now and across reboots)`);
    expect(byName["zfs-scrub"]).toBe(`Scrub pool ${c.zfs.pool} ${c.zfs.scrubSchedule}`);
    expect(byName["zfs-alerts"]).toBe(`Mail ZFS events to ${c.zfs.alertEmail}`);
    expect(byName["gpu-passthrough"]).toMatch(new RegExp(`^IOMMU \\(${c.cpuVendor}_iommu=on iommu=pt\\), vfio-pci for ${c.gpu.vendorDeviceIds.join(", ")}, host `));
    expect(byName["nfs-exports"]).toBe(`Datasets ${c.nfs.shares.map((s: string) => `${c.zfs.pool}/media/${s}`).join(", ")} exported to ${c.nfs.clients.join(", ")}`);
    const owned = Object.fromEntries(hostSteps(c, { music: { uid: 1000, gid: 1001 }, files: { uid: 33, gid: 33 } }).map((s) => [s.name, s.description]));
    expect(owned["nfs-exports"]).toBe(`${byName["nfs-exports"]}; owned by their writers: music 1000:1001, files 33:33`);
    expect(byName.sanoid).toMatch(new RegExp(`^Snapshots of ${c.zfs.pool}: ${c.snapshots.hourly} hourly, ${c.snapshots.daily} daily, `));
  });

  test("a file is written through a temporary copy that is removed, and only replaced when it differs", () => {
    const step = hostSteps(config()).find((s) => s.name === "zfs-arc") as { script: string };
    expect(step.script).toMatch(/tmp=\$\(mktemp\)\ncat > "\$tmp" <<'HOMELAB_EOF'\n/);
    expect(step.script).toContain(`if ! cmp -s "$tmp" '/etc/modprobe.d/zfs.conf'; then install -D -m 0644 "$tmp" '/etc/modprobe.d/zfs.conf'`);
    expect(step.script).toContain('rm -f "$tmp"');
  });
});

describe("metrics", () => {
  const status = (scan: string) =>
    [
      "  pool: tank",
      " state: ONLINE",
      `  scan: ${scan}`,
      "config:",
      "",
      "\tNAME                        STATE     READ WRITE CKSUM",
      "\ttank                        ONLINE       0     0     0",
      "\t  mirror-0                  ONLINE       0     0     0",
      "\t    ata-WDC_1               ONLINE       0     0     3",
      "\t    ata-WDC_2               ONLINE       1     0     0",
      "",
      "errors: No known data errors",
    ].join("\n");

  /** Runs the rendered script with a zpool that prints `text`; returns the metrics file it wrote. */
  function scrape(text: string, pool = "tank"): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "textfile-"));
    const bin = path.join(dir, "bin");
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(dir, "status"), text);
    fs.writeFileSync(path.join(bin, "zpool"), `#!/bin/sh\n[ "$1 $2 $3" = ${JSON.stringify(`status -p ${pool}`)} ] || exit 9\ncat '${dir}/status'\n`, { mode: 0o755 });
    const r = spawnSync("sh", ["-c", zpoolMetricsScript(pool, dir)], { env: { PATH: `${bin}:/usr/bin:/bin`, TZ: "UTC" }, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`zpool metrics failed: ${r.stderr}`);
    expect(fs.readdirSync(dir).filter((f) => f.startsWith(".homelab_zpool"))).toEqual([]);
    return fs.readFileSync(path.join(dir, "homelab_zpool.prom"), "utf8");
  }

  test("the pool's read, write and checksum errors and its last scrub, under the names the alert rules read", () => {
    expect(scrape(status("scrub repaired 0 in 00:10:12 with 2 errors on Sun Nov  9 00:34:13 2026"))).toBe(
      [
        "# TYPE homelab_zpool_errors gauge",
        'homelab_zpool_errors{pool="tank",kind="read"} 1',
        'homelab_zpool_errors{pool="tank",kind="write"} 0',
        'homelab_zpool_errors{pool="tank",kind="checksum"} 3',
        "# TYPE homelab_zpool_scrub_errors gauge",
        'homelab_zpool_scrub_errors{pool="tank"} 2',
        "# TYPE homelab_zpool_last_scrub_timestamp_seconds gauge",
        `homelab_zpool_last_scrub_timestamp_seconds{pool="tank"} ${Date.UTC(2026, 10, 9, 0, 34, 13) / 1000}`,
        "",
      ].join("\n"),
    );
  });

  test("no scrub metrics while a scrub runs or before the first one; a quoted pool name stays one word", () => {
    for (const scan of ["scrub in progress since Sun Nov  9 00:24:01 2026", "none requested"]) {
      const text = scrape(status(scan));
      expect(text).toContain('homelab_zpool_errors{pool="tank",kind="checksum"} 3');
      expect(text).not.toContain("scrub");
    }
    expect(scrape(status("none requested").replace(/tank/g, "my pool"), "my pool")).toContain('homelab_zpool_errors{pool="my pool",kind="read"} 1');
  });

  test("installs the exporters when missing, the script and its timer, and enables them", () => {
    const host = scratchHost(base);
    const first = host.run("metrics");
    expect(first.calls).toEqual([
      "apt-get install -y prometheus-node-exporter",
      "apt-get install -y prometheus-node-exporter-collectors",
      "apt-get install -y smartmontools",
      "apt-get install -y moreutils",
      "systemctl daemon-reload",
      "systemctl enable --now prometheus-node-exporter.service prometheus-node-exporter-smartmon.timer homelab-zpool-metrics.timer",
    ]);
    expect(host.file("etc/homelab/zpool-metrics.sh")).toBe(zpoolMetricsScript("tank"));
    // (here the unit's path sits under the scratch root, like every /etc path of the step)
    expect(host.file("etc/systemd/system/homelab-zpool-metrics.service")).toMatch(new RegExp(`^ExecStart=/bin/sh \\S*${zpoolMetricsScriptPath}$`, "m"));
    expect(host.file("etc/systemd/system/homelab-zpool-metrics.timer")).toContain("OnUnitActiveSec=5min");
    // Files in place: the second run only makes sure the units are on.
    const second = host.run("metrics");
    expect(second.out.filter((l) => l.includes("/etc/"))).toEqual([]);
    expect(second.calls.filter((c) => c.startsWith("systemctl"))).toEqual(["systemctl enable --now prometheus-node-exporter.service prometheus-node-exporter-smartmon.timer homelab-zpool-metrics.timer"]);
  });
});
