// What every add-on's pure renderer knows about the cluster it is rendered for.
import { PlatformConfig } from "../../config/schema";
import type { RuleGroup } from "../monitoring/alerts";
import type { AlertRouting } from "../monitoring/alertmanager";
import type { TelemetryRole } from "../monitoring/telemetry";
import type { RunnerSettings } from "./actionsRunner";

/** Machines outside the cluster Prometheus scrapes by address (the Proxmox host's exporters). */
export interface StaticScrape {
  job: string;
  targets: string[];
}

export interface PlatformContext {
  cluster: string;
  /** Home (Proxmox VMs on the LAN) or OCI. */
  site: "home" | "oci";
  /** Nodes that run workloads (replica counts never exceed it). */
  workloadNodes: number;
  /** A tainted gpu-worker runs KubeVirt's gaming session here: the node agents of the storage must tolerate it. */
  gpuWorker?: boolean;
  platform: PlatformConfig;
  /** Whether any service here has its own database (then the CloudNativePG operator runs here). */
  databases?: boolean;
  /** Whether the cluster backs up offsite (Velero runs here), and whether a critical data volume does too (VolSync). */
  backups?: boolean;
  criticalVolumes?: boolean;
  /** On the cluster that runs Prometheus and Alertmanager (prod): the rules and where alerts go. */
  alerting?: { groups: RuleGroup[]; routing: AlertRouting; scrape: StaticScrape[] };
  /** The GitHub Actions runner scale set, on the cluster that has one (prod). */
  runner?: RunnerSettings;
  /** Where the cluster's logs, metrics and probes go (components/monitoring/telemetry.ts). */
  telemetry: TelemetryRole;
}

/** The pod security context of the program's own connectors: a fixed non-root user, the runtime's default seccomp profile. */
export const nonRootPodSecurity = { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: "RuntimeDefault" } } as const;

/** A Kubernetes object the program applies directly (not through a chart). */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

export const podSecurityLabels = (level: "privileged" | "baseline" | "restricted") => ({
  "pod-security.kubernetes.io/enforce": level,
  "pod-security.kubernetes.io/audit": level,
  "pod-security.kubernetes.io/warn": level,
});

export const namespace = (name: string, podSecurity?: "privileged" | "baseline" | "restricted"): Manifest => ({
  apiVersion: "v1",
  kind: "Namespace",
  metadata: { name, ...(podSecurity ? { labels: podSecurityLabels(podSecurity) } : {}) },
});
