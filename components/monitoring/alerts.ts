// The alert rules (FR-021), each with the unit test that proves it: series
// on which it must fire, and healthy series on which it must stay silent.
// Rendered as the PrometheusRule the prod cluster loads and as the rule and
// test files promtool checks (`npm run verify`). Probe rules come from the
// catalog: every service is probed, and an entry with an availability
// objective (Comet, 99 %) is held to it.
import type { ServiceEntry } from "../../services/entry";
import { hostScrapeJob, homelabMetrics as m, managementVm } from "./metrics";
import { restoreObjectiveSeconds } from "../backup/restic";

export type Severity = "critical" | "warning";
export const severities: readonly Severity[] = ["critical", "warning"];

/** promtool's input series: a selector and its values in expanding notation (`1x10`, `0+1x5`). */
export interface InputSeries {
  series: string;
  values: string;
}

export interface RuleCase {
  series: InputSeries[];
  /** When the rule is evaluated, e.g. `15m`. */
  at: string;
  /** On the firing case: the labels the alert carries (besides severity). */
  labels?: Record<string, string>;
}

export interface AlertRule {
  alert: string;
  expr: string;
  /** How long the condition must hold; `0m` for a fact that needs no confirming (a failed disk). */
  for: string;
  severity: Severity;
  /** One line; `{{ $labels.<name> }}` names a label of the alert. */
  summary: string;
  fires: RuleCase;
  silent: RuleCase;
}

export interface RuleGroup {
  name: string;
  rules: AlertRule[];
}

const day = 86400;

/** Rules that hold for any cluster and host. */
export const baseGroups: RuleGroup[] = [
  {
    name: "disks",
    rules: [
      {
        alert: "DiskSmartFailed",
        // Debian's smartmon collector (prometheus-node-exporter-collectors), installed on the host by HypervisorHost.
        expr: "smartmon_device_smart_healthy != 1",
        for: "0m",
        severity: "critical",
        summary: "Disk {{ $labels.disk }} on {{ $labels.instance }} fails its SMART self-assessment: replace it",
        fires: { series: [{ series: 'smartmon_device_smart_healthy{instance="pve",disk="/dev/sda",type="sat"}', values: "1 1 0 0" }], at: "3m", labels: { instance: "pve", disk: "/dev/sda", type: "sat" } },
        silent: { series: [{ series: 'smartmon_device_smart_healthy{instance="pve",disk="/dev/sda",type="sat"}', values: "1x10" }], at: "10m" },
      },
      {
        alert: "DiskSectorsReallocated",
        expr: "increase(smartmon_reallocated_sector_ct_raw_value[1d]) > 0",
        for: "0m",
        severity: "warning",
        summary: "Disk {{ $labels.disk }} on {{ $labels.instance }} reallocated sectors today: it is wearing out",
        fires: {
          series: [{ series: 'smartmon_reallocated_sector_ct_raw_value{instance="pve",disk="/dev/sdb",type="sat",smart_id="5"}', values: "0x30 8x30" }],
          at: "50m",
          labels: { instance: "pve", disk: "/dev/sdb", type: "sat", smart_id: "5" },
        },
        silent: { series: [{ series: 'smartmon_reallocated_sector_ct_raw_value{instance="pve",disk="/dev/sdb",type="sat",smart_id="5"}', values: "8x60" }], at: "50m" },
      },
      {
        alert: "ZfsPoolDegraded",
        expr: 'node_zfs_zpool_state{state!="online"} > 0',
        for: "1m",
        severity: "critical",
        summary: "ZFS pool {{ $labels.zpool }} on {{ $labels.instance }} is {{ $labels.state }}: a disk is missing or failing",
        fires: { series: [{ series: 'node_zfs_zpool_state{instance="pve",zpool="tank",state="degraded"}', values: "0 0 1x10" }], at: "5m", labels: { instance: "pve", zpool: "tank", state: "degraded" } },
        silent: {
          series: [
            { series: 'node_zfs_zpool_state{instance="pve",zpool="tank",state="online"}', values: "1x10" },
            { series: 'node_zfs_zpool_state{instance="pve",zpool="tank",state="degraded"}', values: "0x10" },
          ],
          at: "5m",
        },
      },
      {
        alert: "ZfsChecksumErrors",
        expr: `increase(${m.zpoolErrors}[1h]) > 0`,
        for: "0m",
        severity: "critical",
        summary: "ZFS pool {{ $labels.pool }} on {{ $labels.instance }} counted new {{ $labels.kind }} errors: run zpool status",
        fires: { series: [{ series: `${m.zpoolErrors}{instance="pve",pool="tank",kind="checksum"}`, values: "0x10 3x10" }], at: "15m", labels: { instance: "pve", pool: "tank", kind: "checksum" } },
        silent: { series: [{ series: `${m.zpoolErrors}{instance="pve",pool="tank",kind="checksum"}`, values: "2x20" }], at: "15m" },
      },
      {
        alert: "ZfsScrubFoundErrors",
        expr: `${m.zpoolScrubErrors} > 0`,
        for: "0m",
        severity: "critical",
        summary: "The last scrub of ZFS pool {{ $labels.pool }} on {{ $labels.instance }} found errors",
        fires: { series: [{ series: `${m.zpoolScrubErrors}{instance="pve",pool="tank"}`, values: "0 0 4x5" }], at: "3m", labels: { instance: "pve", pool: "tank" } },
        silent: { series: [{ series: `${m.zpoolScrubErrors}{instance="pve",pool="tank"}`, values: "0x10" }], at: "5m" },
      },
      {
        alert: "ZfsScrubOverdue",
        expr: `time() - ${m.zpoolLastScrub} > ${35 * day}`,
        for: "1h",
        severity: "warning",
        summary: "ZFS pool {{ $labels.pool }} on {{ $labels.instance }} has not finished a scrub in 35 days",
        fires: { series: [{ series: `${m.zpoolLastScrub}{instance="pve",pool="tank"}`, values: "-3100000x120" }], at: "90m", labels: { instance: "pve", pool: "tank" } },
        silent: { series: [{ series: `${m.zpoolLastScrub}{instance="pve",pool="tank"}`, values: "-86400x120" }], at: "90m" },
      },
    ],
  },
  {
    name: "filesystems",
    rules: [
      {
        alert: "FilesystemAlmostFull",
        expr: 'node_filesystem_avail_bytes{fstype!~"tmpfs|overlay|squashfs"} / node_filesystem_size_bytes < 0.10',
        for: "30m",
        severity: "warning",
        summary: "{{ $labels.mountpoint }} on {{ $labels.instance }} has less than 10 % free",
        fires: {
          series: [
            { series: 'node_filesystem_avail_bytes{instance="pve",mountpoint="/",fstype="ext4"}', values: "5x60" },
            { series: 'node_filesystem_size_bytes{instance="pve",mountpoint="/",fstype="ext4"}', values: "100x60" },
          ],
          at: "45m",
          labels: { instance: "pve", mountpoint: "/", fstype: "ext4" },
        },
        silent: {
          series: [
            { series: 'node_filesystem_avail_bytes{instance="pve",mountpoint="/",fstype="ext4"}', values: "40x60" },
            { series: 'node_filesystem_size_bytes{instance="pve",mountpoint="/",fstype="ext4"}', values: "100x60" },
            { series: 'node_filesystem_avail_bytes{instance="pve",mountpoint="/run",fstype="tmpfs"}', values: "1x60" },
            { series: 'node_filesystem_size_bytes{instance="pve",mountpoint="/run",fstype="tmpfs"}', values: "100x60" },
          ],
          at: "45m",
        },
      },
      {
        alert: "FilesystemFull",
        expr: 'node_filesystem_avail_bytes{fstype!~"tmpfs|overlay|squashfs"} / node_filesystem_size_bytes < 0.03',
        for: "5m",
        severity: "critical",
        summary: "{{ $labels.mountpoint }} on {{ $labels.instance }} is full (less than 3 % free)",
        fires: {
          series: [
            { series: 'node_filesystem_avail_bytes{instance="pve",mountpoint="/tank",fstype="zfs"}', values: "2x20" },
            { series: 'node_filesystem_size_bytes{instance="pve",mountpoint="/tank",fstype="zfs"}', values: "100x20" },
          ],
          at: "10m",
          labels: { instance: "pve", mountpoint: "/tank", fstype: "zfs" },
        },
        silent: {
          series: [
            { series: 'node_filesystem_avail_bytes{instance="pve",mountpoint="/tank",fstype="zfs"}', values: "5x20" },
            { series: 'node_filesystem_size_bytes{instance="pve",mountpoint="/tank",fstype="zfs"}', values: "100x20" },
          ],
          at: "10m",
        },
      },
    ],
  },
  {
    name: "machines",
    rules: [
      {
        alert: "MachineDown",
        expr: `up{job=~"node-exporter|${hostScrapeJob}|${managementVm.job}"} == 0`,
        for: "5m",
        severity: "critical",
        summary: "{{ $labels.instance }} ({{ $labels.job }}) does not answer",
        fires: { series: [{ series: 'up{job="proxmox-host",instance="pve"}', values: "1 1 0x10" }], at: "10m", labels: { job: "proxmox-host", instance: "pve" } },
        silent: { series: [{ series: 'up{job="proxmox-host",instance="pve"}', values: "1 1 0 0 1x10" }], at: "10m" },
      },
      {
        // Dev's and the cloud's nodes, whose kubelets their Alloy scrapes through the API server (telemetry.ts); prod's are KubernetesNodeNotReady's.
        alert: "ClusterNodeUnreachable",
        expr: 'up{job="kubelet",stack!=""} == 0',
        for: "5m",
        severity: "critical",
        summary: "Node {{ $labels.node }} of cluster {{ $labels.cluster }} does not answer through its API server",
        fires: {
          series: [{ series: 'up{job="kubelet",stack="cloud",cluster="cloud",node="cloud-worker-1"}', values: "1 1 0x10" }],
          at: "10m",
          labels: { job: "kubelet", stack: "cloud", cluster: "cloud", node: "cloud-worker-1" },
        },
        // Prod's own kubelet scrape has no stack label: it never counts here.
        silent: {
          series: [
            { series: 'up{job="kubelet",stack="cloud",cluster="cloud",node="cloud-worker-1"}', values: "1 1 0 0 1x10" },
            { series: 'up{job="kubelet",instance="192.168.68.62:10250",node="prod-worker-1"}', values: "0x12" },
          ],
          at: "10m",
        },
      },
      {
        // What the other sites push stops arriving: the sender's machine, its Alloy or the path to prod (Twingate, the LAN) is down.
        // Dev's silence (it is stopped for gaming) reaches the digest only, through its stack label.
        alert: "TelemetryMissing",
        expr: [
          `label_replace(absent_over_time(up{job="${managementVm.job}"}[10m]), "source", "the management VM", "", "")`,
          'label_replace(absent_over_time(up{job="kubelet",stack="cloud"}[10m]), "source", "the cloud cluster", "", "")',
          'label_replace(absent_over_time(up{job="kubelet",stack="dev"}[10m]), "source", "the dev cluster", "", "")',
        ].join(" or "),
        for: "5m",
        severity: "critical",
        summary: "Nothing has arrived from {{ $labels.source }} for 15 minutes: it, its Alloy or its path to prod is down",
        fires: {
          series: [
            { series: `up{job="${managementVm.job}",instance="management-vm",host="management-vm",stack="cloud"}`, values: "1x30" },
            { series: 'up{job="kubelet",stack="dev",cluster="dev",node="dev-1"}', values: "1x30" },
          ],
          at: "30m",
          labels: { job: "kubelet", stack: "cloud", source: "the cloud cluster" },
        },
        silent: {
          series: [
            { series: `up{job="${managementVm.job}",instance="management-vm",host="management-vm",stack="cloud"}`, values: "1x30" },
            { series: 'up{job="kubelet",stack="cloud",cluster="cloud",node="cloud-worker-1"}', values: "1 1 _x10 1x20" },
            { series: 'up{job="kubelet",stack="dev",cluster="dev",node="dev-1"}', values: "1x30" },
          ],
          at: "30m",
        },
      },
      {
        // The host's gaming idle watcher (components/gaming/idleWatch.ts) writes its file every minute; a stale one means it
        // fails (its token refused, the API down) and an idle gaming VM would run on, holding the memory DEV needs.
        alert: "GamingIdleWatcherStopped",
        expr: `time() - ${m.gamingIdleWatchLastRun} > 900`,
        for: "5m",
        severity: "warning",
        summary: "The gaming VM's idle watcher on {{ $labels.instance }} has not run for 15 minutes: an idle gaming VM would not stop",
        fires: { series: [{ series: `${m.gamingIdleWatchLastRun}{instance="pve"}`, values: "-1000x30" }], at: "20m", labels: { instance: "pve" } },
        silent: { series: [{ series: `${m.gamingIdleWatchLastRun}{instance="pve"}`, values: "0+60x30" }], at: "20m" },
      },
      {
        alert: "GamingVmIdleTooLong",
        expr: `${m.gamingIdleMinutes} > ${m.gamingIdleLimitMinutes} + 10`,
        for: "5m",
        severity: "warning",
        summary: "The gaming VM on {{ $labels.instance }} has stayed up idle 10 minutes past its limit: its shutdown does not work",
        fires: {
          series: [
            { series: `${m.gamingIdleMinutes}{instance="pve"}`, values: "30+1x40" },
            { series: `${m.gamingIdleLimitMinutes}{instance="pve"}`, values: "30x40" },
          ],
          at: "30m",
          labels: { instance: "pve" },
        },
        // Idle up to the limit, then shut down (0): never past it.
        silent: {
          series: [
            { series: `${m.gamingIdleMinutes}{instance="pve"}`, values: "0+1x30 0x10" },
            { series: `${m.gamingIdleLimitMinutes}{instance="pve"}`, values: "30x40" },
          ],
          at: "40m",
        },
      },
      {
        alert: "KubernetesNodeNotReady",
        expr: 'kube_node_status_condition{condition="Ready",status="true"} == 0',
        for: "10m",
        severity: "critical",
        summary: "Node {{ $labels.node }} has not been Ready for 10 minutes",
        fires: { series: [{ series: 'kube_node_status_condition{node="prod-worker-1",condition="Ready",status="true"}', values: "1 0x20" }], at: "15m", labels: { node: "prod-worker-1", condition: "Ready", status: "true" } },
        silent: { series: [{ series: 'kube_node_status_condition{node="prod-worker-1",condition="Ready",status="true"}', values: "1x20" }], at: "15m" },
      },
    ],
  },
  {
    name: "certificates",
    rules: [
      {
        alert: "CertificateExpiresSoon",
        expr: `certmanager_certificate_expiration_timestamp_seconds - time() < ${14 * day}`,
        for: "1h",
        severity: "warning",
        summary: "Certificate {{ $labels.namespace }}/{{ $labels.name }} expires in less than 14 days: cert-manager has not renewed it",
        fires: { series: [{ series: 'certmanager_certificate_expiration_timestamp_seconds{namespace="adguard",name="dns"}', values: "864000x120" }], at: "90m", labels: { namespace: "adguard", name: "dns" } },
        silent: { series: [{ series: 'certmanager_certificate_expiration_timestamp_seconds{namespace="adguard",name="dns"}', values: "5184000x120" }], at: "90m" },
      },
      {
        alert: "CertificateExpired",
        expr: "probe_ssl_earliest_cert_expiry - time() < 0",
        for: "0m",
        severity: "critical",
        summary: "{{ $labels.instance }} serves an expired certificate",
        fires: { series: [{ series: 'probe_ssl_earliest_cert_expiry{instance="https://dns.homelab.example"}', values: "-10x5" }], at: "2m", labels: { instance: "https://dns.homelab.example" } },
        silent: { series: [{ series: 'probe_ssl_earliest_cert_expiry{instance="https://dns.homelab.example"}', values: "86400x5" }], at: "2m" },
      },
    ],
  },
  {
    name: "delivery",
    rules: [
      {
        alert: "ArgoApplicationDegraded",
        expr: 'argocd_app_info{health_status=~"Degraded|Missing"} == 1',
        for: "15m",
        severity: "warning",
        summary: "Argo CD application {{ $labels.name }} is {{ $labels.health_status }}",
        fires: { series: [{ series: 'argocd_app_info{name="prod-vaultwarden",health_status="Degraded",sync_status="Synced"}', values: "1x30" }], at: "20m", labels: { name: "prod-vaultwarden", health_status: "Degraded", sync_status: "Synced" } },
        silent: { series: [{ series: 'argocd_app_info{name="prod-vaultwarden",health_status="Healthy",sync_status="Synced"}', values: "1x30" }], at: "20m" },
      },
      {
        alert: "ArgoApplicationOutOfSync",
        expr: 'argocd_app_info{sync_status="OutOfSync"} == 1',
        for: "1h",
        severity: "warning",
        summary: "Argo CD application {{ $labels.name }} has been out of sync for an hour",
        fires: { series: [{ series: 'argocd_app_info{name="cloud-immich",health_status="Healthy",sync_status="OutOfSync"}', values: "1x90" }], at: "75m", labels: { name: "cloud-immich", health_status: "Healthy", sync_status: "OutOfSync" } },
        silent: { series: [{ series: 'argocd_app_info{name="cloud-immich",health_status="Healthy",sync_status="OutOfSync"}', values: "1x30" }], at: "30m" },
      },
    ],
  },
  {
    name: "backups",
    rules: [
      {
        alert: "BackupFailed",
        // The last run's result holds until the next run (Loki records it for an hour; the host's textfile keeps it).
        expr: `max by (backup, class) (last_over_time(${m.backupLastRunFailed}[2d])) == 1`,
        for: "0m",
        severity: "critical",
        summary: "Backup {{ $labels.backup }} ({{ $labels.class }}) failed its last run",
        fires: { series: [{ series: `${m.backupLastRunFailed}{backup="vaultwarden",class="critical"}`, values: "0 0 1 _x5" }], at: "5m", labels: { backup: "vaultwarden", class: "critical" } },
        silent: { series: [{ series: `${m.backupLastRunFailed}{backup="vaultwarden",class="critical"}`, values: "1 0 _x5" }], at: "5m" },
      },
      {
        alert: "BackupStale",
        expr: `time() - max by (backup, class) (max_over_time(${m.backupLastSuccess}[30d])) > ${36 * 3600}`,
        for: "0m",
        severity: "critical",
        summary: "Backup {{ $labels.backup }} ({{ $labels.class }}) has not succeeded in 36 hours",
        fires: { series: [{ series: `${m.backupLastSuccess}{backup="vaultwarden",class="critical"}`, values: "-130000x5" }], at: "3m", labels: { backup: "vaultwarden", class: "critical" } },
        silent: { series: [{ series: `${m.backupLastSuccess}{backup="vaultwarden",class="critical"}`, values: "-3600 _x5" }], at: "5m" },
      },
      {
        alert: "RestoreDrillFailed",
        expr: `max by (cluster, backup) (last_over_time(${m.restoreDrillLastRunFailed}[8d])) == 1`,
        for: "0m",
        severity: "critical",
        summary: "The restore drill of {{ $labels.backup }} on {{ $labels.cluster }} failed: the backup may not restore (docs/runbooks/restore.md)",
        fires: { series: [{ series: `${m.restoreDrillLastRunFailed}{cluster="cloud",backup="cloud-vaultwarden-database"}`, values: "1 _x5" }], at: "5m", labels: { cluster: "cloud", backup: "cloud-vaultwarden-database" } },
        silent: { series: [{ series: `${m.restoreDrillLastRunFailed}{cluster="cloud",backup="cloud-vaultwarden-database"}`, values: "1 0 _x5" }], at: "5m" },
      },
      {
        alert: "RestoreDrillStale",
        // Weekly drills: two missed in a row.
        expr: `time() - max by (cluster) (max_over_time(${m.restoreDrillLastSuccess}[30d])) > ${15 * day}`,
        for: "0m",
        severity: "warning",
        summary: "Cluster {{ $labels.cluster }} has not passed a restore drill in 15 days",
        fires: { series: [{ series: `${m.restoreDrillLastSuccess}{cluster="prod",backup="prod-romm-database"}`, values: "-1300000x5" }], at: "3m", labels: { cluster: "prod" } },
        silent: { series: [{ series: `${m.restoreDrillLastSuccess}{cluster="prod",backup="prod-romm-database"}`, values: "-86400 _x5" }], at: "5m" },
      },
      {
        alert: "RestoreDrillSlow",
        expr: `max by (cluster, backup) (last_over_time(${m.restoreDrillDuration}[8d])) > ${restoreObjectiveSeconds / 2}`,
        for: "0m",
        severity: "warning",
        summary: "The restore drill of {{ $labels.backup }} on {{ $labels.cluster }} took over 2 hours: half of the 4-hour recovery objective for one app",
        fires: { series: [{ series: `${m.restoreDrillDuration}{cluster="cloud",backup="cloud-nextcloud-database"}`, values: "9000 _x5" }], at: "5m", labels: { cluster: "cloud", backup: "cloud-nextcloud-database" } },
        silent: { series: [{ series: `${m.restoreDrillDuration}{cluster="cloud",backup="cloud-nextcloud-database"}`, values: "120 _x5" }], at: "5m" },
      },
    ],
  },
  {
    name: "cloud",
    rules: [
      {
        alert: "OciBeyondAlwaysFree",
        expr: `${m.ociAlwaysFreeRatio} > 1`,
        for: "0m",
        severity: "critical",
        summary: "OCI {{ $labels.resource }} is beyond the Always Free allowance: this costs money",
        fires: { series: [{ series: `${m.ociAlwaysFreeRatio}{resource="ocpus"}`, values: "1 1 1.25x5" }], at: "3m", labels: { resource: "ocpus" } },
        silent: { series: [{ series: `${m.ociAlwaysFreeRatio}{resource="ocpus"}`, values: "1x5" }], at: "3m" },
      },
      {
        // The management VM's usage job (components/monitoring/ociUsage.ts) runs hourly; three missed runs mean OciBeyondAlwaysFree is blind.
        alert: "OciUsageUnknown",
        expr: `time() - ${m.ociUsageCollected} > ${3 * 3600}`,
        for: "0m",
        severity: "warning",
        summary: "OCI's Always Free usage has not been read for 3 hours: the management VM's oci-usage job fails (its log says why)",
        fires: { series: [{ series: `${m.ociUsageCollected}{host="management-vm"}`, values: "0x250" }], at: "4h", labels: { host: "management-vm" } },
        silent: { series: [{ series: `${m.ociUsageCollected}{host="management-vm"}`, values: "0+60x250" }], at: "4h" },
      },
    ],
  },
];

/** The recording's history an address must be missing from to count as new. */
const newAddressWindow = "30d";
/** Sign-ins from an address the user has not signed in from for 30 days (the recording rule's labels: user_username, client_ip). */
const newAddress = (selector: string) =>
  `${m.authentikSignIns}{${selector}} > 0 unless on (user_username, client_ip) max_over_time(${m.authentikSignIns}[${newAddressWindow}] offset 15m)`;
const signIn = (user: string, ip: string) => `${m.authentikSignIns}{user_username="${user}",client_ip="${ip}"}`;

/**
 * Security (FR-021): who signs in from where, from Authentik's events in Loki
 * (its ruler records each sign-in; logRules.ts). Authentik's log names the
 * user and the address, not the user's groups or country (no GeoIP database
 * is configured): akadmin, the superuser, is the admin the logs can name.
 */
export const securityGroup: RuleGroup = {
  name: "security",
  rules: [
    {
      alert: "AdminSignInFromNewAddress",
      expr: newAddress('user_username="akadmin"'),
      for: "0m",
      severity: "critical",
      summary: "akadmin signed in to Authentik from {{ $labels.client_ip }}, an address not seen for it in 30 days",
      fires: { series: [{ series: signIn("akadmin", "198.51.100.7"), values: "_x60 1x5" }], at: "62m", labels: { user_username: "akadmin", client_ip: "198.51.100.7" } },
      silent: {
        series: [
          { series: signIn("akadmin", "198.51.100.7"), values: "1x3 _x56 1x5" },
          { series: signIn("alice", "203.0.113.9"), values: "_x60 1x5" },
        ],
        at: "62m",
      },
    },
    {
      alert: "SignInFromNewAddress",
      expr: newAddress('user_username!="akadmin"'),
      for: "0m",
      severity: "warning",
      summary: "{{ $labels.user_username }} signed in to Authentik from {{ $labels.client_ip }}, an address not seen for them in 30 days",
      fires: { series: [{ series: signIn("alice", "203.0.113.9"), values: "_x60 1x5" }], at: "62m", labels: { user_username: "alice", client_ip: "203.0.113.9" } },
      silent: {
        series: [
          { series: signIn("alice", "203.0.113.9"), values: "1x3 _x56 1x5" },
          { series: signIn("akadmin", "198.51.100.7"), values: "_x60 1x5" },
        ],
        at: "62m",
      },
    },
  ],
};

/** How long a service may fail its probe before anyone hears of it (entries with an objective: less). */
const probeFor = { normal: "10m", objective: "2m" } as const;

/** Probe rules from the catalog: one for every service, and the objective of the entries that have one. */
export function probeGroup(entries: readonly ServiceEntry[]): RuleGroup {
  const strict = entries.filter((e) => e.objective !== undefined);
  const strictNames = strict.map((e) => e.name).sort();
  const others = strictNames.length ? `,service!~"${strictNames.join("|")}"` : "";
  const example = entries.find((e) => e.objective === undefined)?.name ?? "glance";
  const rules: AlertRule[] = [
    {
      alert: "ServiceDown",
      expr: `probe_success{job="services"${others}} == 0`,
      for: probeFor.normal,
      severity: "warning",
      summary: "{{ $labels.service }} has failed its health probe for 10 minutes",
      fires: { series: [{ series: `probe_success{job="services",service="${example}"}`, values: "1 0x20" }], at: "15m", labels: { job: "services", service: example } },
      silent: { series: [{ series: `probe_success{job="services",service="${example}"}`, values: "1 0 0 0 1x20" }], at: "15m" },
    },
  ];
  for (const e of [...strict].sort((a, b) => a.name.localeCompare(b.name))) {
    const objective = e.objective?.availability as number;
    const budget = Number((1 - objective).toFixed(6));
    rules.push({
      alert: "ServiceDownObjective",
      expr: `probe_success{job="services",service="${e.name}"} == 0`,
      for: probeFor.objective,
      severity: "critical",
      summary: `{{ $labels.service }} is down; its objective is ${(objective * 100).toFixed(2).replace(/\.?0+$/, "")} % uptime`,
      fires: { series: [{ series: `probe_success{job="services",service="${e.name}"}`, values: "1 0x10" }], at: "4m", labels: { job: "services", service: e.name } },
      silent: { series: [{ series: `probe_success{job="services",service="${e.name}"}`, values: "1 0 1x10" }], at: "4m" },
    });
    rules.push({
      alert: "ServiceObjectiveAtRisk",
      // A day's failures above the month's error budget: at that pace the month's objective is lost.
      expr: `1 - avg_over_time(probe_success{job="services",service="${e.name}"}[1d]) > ${budget}`,
      for: "0m",
      severity: "warning",
      summary: `{{ $labels.service }} failed more than ${(budget * 100).toFixed(2).replace(/\.?0+$/, "")} % of its probes over the last day`,
      fires: { series: [{ series: `probe_success{job="services",service="${e.name}"}`, values: "1x90 0x10" }], at: "100m", labels: { job: "services", service: e.name } },
      silent: { series: [{ series: `probe_success{job="services",service="${e.name}"}`, values: "1x99 0" }], at: "100m" },
    });
  }
  return { name: "services", rules };
}

/** Every rule group the prod cluster's Prometheus loads. */
export function ruleGroups(entries: readonly ServiceEntry[]): RuleGroup[] {
  return [...baseGroups, securityGroup, probeGroup(entries)];
}

/** Fills `{{ $labels.<name> }}` from an alert's labels; any other template syntax is refused (the unit test expects exact text). */
export function expandSummary(summary: string, labels: Record<string, string>): string {
  return summary.replace(/\{\{\s*([^}]*?)\s*\}\}/g, (_, inner: string) => {
    const label = /^\$labels\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(inner);
    if (!label) throw new Error(`alert summary ${JSON.stringify(summary)}: expected only {{ $labels.<name> }} templates, got {{ ${inner} }}`);
    if (!(label[1] in labels)) throw new Error(`alert summary ${JSON.stringify(summary)}: the alert has no label ${label[1]}`);
    return labels[label[1]];
  });
}

/** The rule file promtool reads, and the spec of the PrometheusRule. */
export function rulesDocument(groups: readonly RuleGroup[]): { groups: Record<string, unknown>[] } {
  return {
    groups: groups.map((g) => ({
      name: g.name,
      rules: g.rules.map((r) => ({ alert: r.alert, expr: r.expr, for: r.for, labels: { severity: r.severity }, annotations: { summary: r.summary } })),
    })),
  };
}

/** promtool's unit tests: for every rule, its firing case and its silent case. */
export function ruleTestsDocument(groups: readonly RuleGroup[], rulesFile: string): Record<string, unknown> {
  const tests = groups.flatMap((g) =>
    g.rules.flatMap((r) => {
      const labels = { ...(r.fires.labels ?? {}), severity: r.severity };
      return [
        {
          name: `${r.alert} fires`,
          interval: "1m",
          input_series: r.fires.series,
          alert_rule_test: [{ eval_time: r.fires.at, alertname: r.alert, exp_alerts: [{ exp_labels: labels, exp_annotations: { summary: expandSummary(r.summary, labels) } }] }],
        },
        { name: `${r.alert} stays silent`, interval: "1m", input_series: r.silent.series, alert_rule_test: [{ eval_time: r.silent.at, alertname: r.alert, exp_alerts: [] }] },
      ];
    }),
  );
  return { rule_files: [rulesFile], evaluation_interval: "1m", tests };
}

/** The plan's alert table: each rule with its severity and where it goes. */
export function alertTable(groups: readonly RuleGroup[], receiverOf: (s: Severity) => string): { alert: string; group: string; severity: Severity; for: string; receiver: string }[] {
  return groups.flatMap((g) => g.rules.map((r) => ({ alert: r.alert, group: g.name, severity: r.severity, for: r.for, receiver: receiverOf(r.severity) })));
}
