// Metric names the program's own producers write and its alert rules read:
// the host's ZFS textfile (HypervisorHost), the backup jobs and restore
// drills, the cloud's Always Free usage. One place, so a rule never waits on a
// series nobody writes under that name.

/** Where every cluster's monitoring runs: Prometheus and Alertmanager (prod), the probers, Alloy. */
export const monitoringNamespace = "monitoring";
/** prod's Prometheus from inside the prod cluster (Grafana, remote writes, the promotion gate on the cluster's runner). */
export const prometheusInClusterUrl = `http://kube-prometheus-stack-prometheus.${monitoringNamespace}.svc.cluster.local:9090`;

/** The Prometheus job that scrapes the Proxmox host (the MachineDown rule names it), and Debian's node exporter port. */
export const hostScrapeJob = "proxmox-host";
export const nodeExporterPort = 9100;

/** The management VM's series (components/monitoring/vmTelemetry.ts): its host, the jobs its Alloy scrapes. */
export const managementVm = { host: "management-vm", job: "management-vm", containersJob: "management-vm-containers", omniJob: "omni" } as const;

export const homelabMetrics = {
  /** ZFS pool errors by kind (read, write, checksum) since the pool was imported: `zpool status -p`. */
  zpoolErrors: "homelab_zpool_errors",
  /** Errors the last scrub repaired or could not (`zpool status`'s scan line). */
  zpoolScrubErrors: "homelab_zpool_scrub_errors",
  /** When the last scrub finished (seconds since the epoch). */
  zpoolLastScrub: "homelab_zpool_last_scrub_timestamp_seconds",
  /** A backup job's last successful run (seconds since the epoch), by backup (the job's name) and class. */
  backupLastSuccess: "homelab_backup_last_success_timestamp_seconds",
  /** 1 when a backup job's last run failed, else 0. */
  backupLastRunFailed: "homelab_backup_last_run_failed",
  /** A cluster's last successful restore drill (seconds since the epoch), by cluster and backup. */
  restoreDrillLastSuccess: "homelab_restore_drill_last_success_timestamp_seconds",
  /** 1 when a restore drill's last run failed (or lost anything), else 0. */
  restoreDrillLastRunFailed: "homelab_restore_drill_last_run_failed",
  /** How long the last restore drill took, restore and check (seconds). */
  restoreDrillDuration: "homelab_restore_drill_duration_seconds",
  /** Used / Always Free allowance per OCI resource kind (ocpus, memory, storage). */
  ociAlwaysFreeRatio: "homelab_oci_always_free_usage_ratio",
  /** Successful Authentik sign-ins in the last 5 minutes, by username and client address: Loki's recording rule (logRules.ts). */
  authentikSignIns: "homelab:authentik_signins:count5m",
  /** When the management VM last read the usage from OCI (seconds since the epoch). */
  ociUsageCollected: "homelab_oci_usage_collected_timestamp_seconds",
  /** When the host's gaming idle watcher last looked at the VM (seconds since the epoch): components/gaming/idleWatch.ts. */
  gamingIdleWatchLastRun: "homelab_gaming_idle_watch_last_run_timestamp_seconds",
  /** Minutes the running gaming VM has been idle (no stream, GPU idle); 0 while in use or stopped. */
  gamingIdleMinutes: "homelab_gaming_idle_minutes",
  /** The idle minutes after which the watcher shuts it down (gamingVm.idleShutdown.minutes). */
  gamingIdleLimitMinutes: "homelab_gaming_idle_limit_minutes",
} as const;
