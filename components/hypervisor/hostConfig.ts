// Pure renderers for the Proxmox host's configuration files and the
// idempotent shell steps that install them. Each step prints CHANGED when it
// altered the host and REBOOT-REQUIRED when the change needs a reboot.
import { homelabMetrics } from "../monitoring/metrics";
import { HypervisorConfig } from "../../config/schema";
import { heredoc, shellQuote as q } from "../shell";

export interface HostStep {
  name: string;
  description: string;
  script: string;
}

const GiB = 1024 ** 3;

export const iommuKernelArgs = (vendor: HypervisorConfig["cpuVendor"]) => [`${vendor}_iommu=on`, "iommu=pt"];

export const zfsModprobeConf = (arcMaxGb: number) => `# Managed by homelab (Pulumi): ZFS ARC ceiling\noptions zfs zfs_arc_max=${arcMaxGb * GiB}\n`;

export function vfioModprobeConf(ids: string[]): string {
  return [
    "# Managed by homelab (Pulumi): hand the GPU to vfio-pci before any host driver",
    `options vfio-pci ids=${ids.join(",")} disable_vga=1`,
    "softdep nouveau pre: vfio-pci",
    "softdep nvidia pre: vfio-pci",
    "softdep snd_hda_intel pre: vfio-pci",
    "",
  ].join("\n");
}

export const gpuBlacklistConf = "# Managed by homelab (Pulumi)\nblacklist nouveau\nblacklist nvidia\nblacklist nvidiafb\n";

export const vfioModules = "# Managed by homelab (Pulumi)\nvfio\nvfio_iommu_type1\nvfio_pci\n";

export const mediaDataset = (pool: string, share: string) => `${pool}/media/${share}`;

export const mediaRoot = (pool: string) => `/${pool}/media`;

/**
 * /etc/exports.d entry: each media dataset, read-write for the cluster
 * networks only, and their parent with crossmnt, so the clusters' nfs-media
 * class reaches every library folder (a claim named `films` mounts films).
 */
export function nfsExports(pool: string, shares: string[], clients: string[]): string {
  const line = (path: string, extra = "") => `${path} ${clients.map((client) => `${client}(rw,sync,no_subtree_check,root_squash${extra})`).join(" ")}`;
  const lines = [line(mediaRoot(pool), ",crossmnt"), ...shares.map((share) => line(`/${mediaDataset(pool, share)}`))];
  return `# Managed by homelab (Pulumi): media library, cluster networks only\n${lines.join("\n")}\n`;
}

/** sanoid.conf: a retention template applied recursively to the whole data pool. */
export function sanoidConf(pool: string, keep: HypervisorConfig["snapshots"]): string {
  return [
    "# Managed by homelab (Pulumi): ZFS snapshots of the data pool",
    `[${pool}]`,
    "\tuse_template = homelab",
    "\trecursive = yes",
    "",
    "[template_homelab]",
    `\thourly = ${keep.hourly}`,
    `\tdaily = ${keep.daily}`,
    `\tweekly = ${keep.weekly}`,
    `\tmonthly = ${keep.monthly}`,
    "\tyearly = 0",
    "\tautosnap = yes",
    "\tautoprune = yes",
    "",
  ].join("\n");
}

/** Writes `content` to `path` only if it differs; prints CHANGED when it wrote. */
export function installFile(path: string, content: string, mode = "0644"): string {
  return [
    `tmp=$(mktemp)`,
    heredoc(`cat > "$tmp"`, content, `file ${path}`),
    `if ! cmp -s "$tmp" ${q(path)}; then install -D -m ${mode} "$tmp" ${q(path)}; echo ${q(`CHANGED ${path}`)}; changed=1; fi`,
    `rm -f "$tmp"`,
  ].join("\n");
}

/** The line zed.rc gets: ZED sources the file as shell, so the address is shell-quoted there too. */
export const zedEmailLine = (email: string) => `ZED_EMAIL_ADDR=${q(email)}`;

/** `zfs list <dataset>` or create it, printing CHANGED when created. */
const ensureDataset = (dataset: string, createOptions = "") =>
  `zfs list ${q(dataset)} >/dev/null 2>&1 || { zfs create ${createOptions}${q(dataset)}; echo ${q(`CHANGED ${dataset}`)}; }`;

export const header = "set -eu\nchanged=0";

/** Where node_exporter's textfile collector reads (Debian's prometheus-node-exporter default). */
export const textfileDir = "/var/lib/prometheus/node-exporter";
export const zpoolMetricsScriptPath = "/etc/homelab/zpool-metrics.sh";

/**
 * A pool's error counts (read, write, checksum: summed over its rows, as
 * `zpool status -p` prints them) and its last scrub (errors, when), written
 * atomically for the textfile collector under the names the alert rules read.
 */
export function zpoolMetricsScript(pool: string, dir = textfileDir): string {
  const m = homelabMetrics;
  return [
    "#!/bin/sh",
    `# Managed by homelab (Pulumi): pool ${pool}'s error counts and last scrub, for node_exporter's textfile collector.`,
    "set -eu",
    `pool=${q(pool)}`,
    `dir=${q(dir)}`,
    `status=$(zpool status -p "$pool")`,
    `counts=$(printf '%s\\n' "$status" | awk '/^[[:space:]]*NAME[[:space:]]+STATE[[:space:]]+READ/ { t = 1; next } t && NF == 0 { t = 0 } t && $3 ~ /^[0-9]+$/ && $4 ~ /^[0-9]+$/ && $5 ~ /^[0-9]+$/ { r += $3; w += $4; c += $5 } END { printf "%d %d %d", r, w, c }')`,
    `set -- $counts`,
    `scan=$(printf '%s\\n' "$status" | sed -n 's/^[[:space:]]*scan: scrub repaired .* with \\([0-9][0-9]*\\) errors on \\(.*\\)$/\\1|\\2/p' | head -n 1)`,
    `tmp=$(mktemp "$dir/.homelab_zpool.XXXXXX")`,
    "{",
    `  echo '# TYPE ${m.zpoolErrors} gauge'`,
    `  printf '${m.zpoolErrors}{pool="%s",kind="read"} %s\\n' "$pool" "$1"`,
    `  printf '${m.zpoolErrors}{pool="%s",kind="write"} %s\\n' "$pool" "$2"`,
    `  printf '${m.zpoolErrors}{pool="%s",kind="checksum"} %s\\n' "$pool" "$3"`,
    `  if [ -n "$scan" ]; then`,
    `    echo '# TYPE ${m.zpoolScrubErrors} gauge'`,
    `    printf '${m.zpoolScrubErrors}{pool="%s"} %s\\n' "$pool" "\${scan%%|*}"`,
    `    echo '# TYPE ${m.zpoolLastScrub} gauge'`,
    `    printf '${m.zpoolLastScrub}{pool="%s"} %s\\n' "$pool" "$(date -d "\${scan#*|}" +%s)"`,
    "  fi",
    `} > "$tmp"`,
    `chmod 0644 "$tmp"`,
    `mv "$tmp" "$dir/homelab_zpool.prom"`,
    "",
  ].join("\n");
}

const zpoolMetricsUnits = {
  service: `# Managed by homelab (Pulumi)\n[Unit]\nDescription=ZFS pool errors and last scrub for Prometheus (homelab)\n\n[Service]\nType=oneshot\nExecStart=/bin/sh ${zpoolMetricsScriptPath}\n`,
  timer: "# Managed by homelab (Pulumi)\n[Unit]\nDescription=ZFS pool errors and last scrub for Prometheus, every 5 minutes (homelab)\n\n[Timer]\nOnBootSec=2min\nOnUnitActiveSec=5min\n\n[Install]\nWantedBy=timers.target\n",
};

/** Debian packages the metrics step needs, each with a file that says it is installed. */
const metricsPackages: [string, string][] = [
  ["prometheus-node-exporter", "/usr/bin/prometheus-node-exporter"],
  ["prometheus-node-exporter-collectors", "/usr/share/prometheus-node-exporter-collectors/smartmon.sh"],
  ["smartmontools", "/usr/sbin/smartctl"],
  // sponge, which Debian's smartmon service writes through.
  ["moreutils", "/usr/bin/sponge"],
];

/** Every step that configures the host, in the order they run. */
/** The owner a library folder's writer needs (root is squashed over NFS): uid and gid by share name. */
export type ShareOwners = Record<string, { uid: number; gid: number }>;

/** Gives a share's dataset to its writer, once; a later change of owner in the catalog hands it over. */
const ensureOwner = (path: string, owner: { uid: number; gid: number }) => {
  const ids = `${owner.uid}:${owner.gid}`;
  return `[ "$(stat -c %u:%g ${q(path)})" = ${q(ids)} ] || { chown ${q(ids)} ${q(path)}; echo ${q(`CHANGED owner of ${path} to ${ids}`)}; }`;
};

export function hostSteps(config: HypervisorConfig, shareOwners: ShareOwners = {}): HostStep[] {
  const { zfs, gpu, nfs, snapshots, cpuVendor } = config;
  const unknown = Object.keys(shareOwners).filter((share) => !nfs.shares.includes(share));
  if (unknown.length) throw new Error(`hypervisor.nfs.shares: owners given for ${unknown.join(", ")}, which are not shares; expected one of ${nfs.shares.join(", ")}`);
  const owned = nfs.shares.filter((share) => shareOwners[share] !== undefined);
  const kernelArgs = iommuKernelArgs(cpuVendor);
  return [
    {
      name: "zfs-arc",
      description: `Limit the ZFS ARC to ${zfs.arcMaxGb} GB (now and across reboots)`,
      script: [
        header,
        installFile("/etc/modprobe.d/zfs.conf", zfsModprobeConf(zfs.arcMaxGb)),
        `echo ${q(zfs.arcMaxGb * GiB)} > /sys/module/zfs/parameters/zfs_arc_max`,
        `if [ "$changed" = 1 ]; then update-initramfs -u -k all >/dev/null; fi`,
      ].join("\n"),
    },
    {
      name: "zfs-scrub",
      description: `Scrub pool ${zfs.pool} ${zfs.scrubSchedule}`,
      script: [header, `systemctl enable --now ${q(`zfs-scrub-${zfs.scrubSchedule}@${zfs.pool}.timer`)}`].join("\n"),
    },
    {
      name: "zfs-alerts",
      description: `Mail ZFS events to ${zfs.alertEmail}`,
      script: [
        header,
        `line=${q(zedEmailLine(zfs.alertEmail))}`,
        `if ! grep -qxF -- "$line" /etc/zfs/zed.d/zed.rc; then`,
        `  sed -i '/^#\\?ZED_EMAIL_ADDR=/d; /^#\\?ZED_NOTIFY_VERBOSE=/d' /etc/zfs/zed.d/zed.rc`,
        `  printf '%s\\n' "$line" 'ZED_NOTIFY_VERBOSE=1' >> /etc/zfs/zed.d/zed.rc`,
        `  systemctl restart zfs-zed; echo CHANGED zed.rc`,
        "fi",
      ].join("\n"),
    },
    {
      name: "gpu-passthrough",
      description: `IOMMU (${kernelArgs.join(" ")}), vfio-pci for ${gpu.vendorDeviceIds.join(", ")}, host GPU drivers blacklisted`,
      script: [
        header,
        installFile("/etc/modprobe.d/vfio.conf", vfioModprobeConf(gpu.vendorDeviceIds)),
        installFile("/etc/modprobe.d/blacklist-gpu.conf", gpuBlacklistConf),
        installFile("/etc/modules-load.d/vfio.conf", vfioModules),
        // systemd-boot hosts (ZFS root) read /etc/kernel/cmdline; GRUB hosts /etc/default/grub.
        `for arg in ${kernelArgs.map(q).join(" ")}; do`,
        `  if [ -f /etc/kernel/cmdline ]; then`,
        `    grep -qw -- "$arg" /etc/kernel/cmdline || { sed -i "s/$/ $arg/" /etc/kernel/cmdline; changed=1; }`,
        `  else`,
        `    grep -q -- "$arg" /etc/default/grub || { sed -i "s/^GRUB_CMDLINE_LINUX_DEFAULT=\\"/&$arg /" /etc/default/grub; changed=1; }`,
        `  fi`,
        `done`,
        `if [ "$changed" = 1 ]; then`,
        `  update-initramfs -u -k all >/dev/null`,
        `  if [ -f /etc/kernel/cmdline ]; then proxmox-boot-tool refresh >/dev/null; else update-grub >/dev/null 2>&1; fi`,
        `  echo REBOOT-REQUIRED`,
        `fi`,
      ].join("\n"),
    },
    {
      name: "nfs-exports",
      description:
        `Datasets ${nfs.shares.map((s) => mediaDataset(zfs.pool, s)).join(", ")} exported to ${nfs.clients.join(", ")}` +
        (owned.length ? `; owned by their writers: ${owned.map((s) => `${s} ${shareOwners[s].uid}:${shareOwners[s].gid}`).join(", ")}` : ""),
      script: [
        header,
        `command -v exportfs >/dev/null || { DEBIAN_FRONTEND=noninteractive apt-get install -y nfs-kernel-server >/dev/null; echo CHANGED nfs-kernel-server; }`,
        ensureDataset(`${zfs.pool}/media`, "-o compression=lz4 -o atime=off "),
        ...nfs.shares.map((share) => ensureDataset(mediaDataset(zfs.pool, share))),
        ...owned.map((share) => ensureOwner(`/${mediaDataset(zfs.pool, share)}`, shareOwners[share])),
        installFile("/etc/exports.d/homelab.exports", nfsExports(zfs.pool, nfs.shares, nfs.clients)),
        `systemctl enable --now nfs-server >/dev/null`,
        `exportfs -ra`,
      ].join("\n"),
    },
    {
      name: "metrics",
      description: `Prometheus' node exporter (ZFS collector included), Debian's SMART collector every 15 minutes, and pool ${zfs.pool}'s error counts and last scrub every 5 minutes`,
      script: [
        header,
        ...metricsPackages.map(([pkg, file]) => `[ -e ${q(file)} ] || { DEBIAN_FRONTEND=noninteractive apt-get install -y ${q(pkg)} >/dev/null; echo ${q(`CHANGED ${pkg}`)}; }`),
        installFile(zpoolMetricsScriptPath, zpoolMetricsScript(zfs.pool)),
        installFile("/etc/systemd/system/homelab-zpool-metrics.service", zpoolMetricsUnits.service),
        installFile("/etc/systemd/system/homelab-zpool-metrics.timer", zpoolMetricsUnits.timer),
        `if [ "$changed" = 1 ]; then systemctl daemon-reload; fi`,
        `systemctl enable --now prometheus-node-exporter.service prometheus-node-exporter-smartmon.timer homelab-zpool-metrics.timer >/dev/null`,
      ].join("\n"),
    },
    {
      name: "sanoid",
      description: `Snapshots of ${zfs.pool}: ${snapshots.hourly} hourly, ${snapshots.daily} daily, ${snapshots.weekly} weekly, ${snapshots.monthly} monthly`,
      script: [
        header,
        `command -v sanoid >/dev/null || { DEBIAN_FRONTEND=noninteractive apt-get install -y sanoid >/dev/null; echo CHANGED sanoid; }`,
        installFile("/etc/sanoid/sanoid.conf", sanoidConf(zfs.pool, snapshots)),
        `systemctl enable --now sanoid.timer >/dev/null`,
      ].join("\n"),
    },
  ];
}
