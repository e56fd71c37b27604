// Resource type tokens the policies look at.
export const types = {
  proxmoxVm: "proxmoxve:index/vmLegacy:VmLegacy",
  ociInstance: "oci:Core/instance:Instance",
  ociSecurityList: "oci:Core/securityList:SecurityList",
  helmRelease: "kubernetes:helm.sh/v3:Release",
  argoApplication: "kubernetes:argoproj.io/v1alpha1:Application",
  service: "kubernetes:core/v1:Service",
  deployment: "kubernetes:apps/v1:Deployment",
  statefulSet: "kubernetes:apps/v1:StatefulSet",
  daemonSet: "kubernetes:apps/v1:DaemonSet",
  job: "kubernetes:batch/v1:Job",
  cronJob: "kubernetes:batch/v1:CronJob",
  pod: "kubernetes:core/v1:Pod",
  persistentVolumeClaim: "kubernetes:core/v1:PersistentVolumeClaim",
  httpRoute: "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute",
  /** A CloudNativePG database: `instances` pods of one postgres container. */
  cnpgCluster: "kubernetes:postgresql.cnpg.io/v1:Cluster",
  tunnelConfig: "cloudflare:index/zeroTrustTunnelCloudflaredConfig:ZeroTrustTunnelCloudflaredConfig",
  dnsRecord: "cloudflare:index/dnsRecord:DnsRecord",
  accessApplication: "cloudflare:index/zeroTrustAccessApplication:ZeroTrustAccessApplication",
  accessPolicy: "cloudflare:index/zeroTrustAccessPolicy:ZeroTrustAccessPolicy",
  secret: "kubernetes:core/v1:Secret",
  veleroSchedule: "kubernetes:velero.io/v1:Schedule",
  veleroStorageLocation: "kubernetes:velero.io/v1:BackupStorageLocation",
  replicationSource: "kubernetes:volsync.backube/v1alpha1:ReplicationSource",
  ociBucket: "oci:ObjectStorage/bucket:Bucket",
  yamlConfigFile: "kubernetes:yaml/v2:ConfigFile",
  yamlConfigGroup: "kubernetes:yaml/v2:ConfigGroup",
} as const;

export const stackNames = ["dev", "prod", "cloud"] as const;

/** The stack a URN belongs to (urn:pulumi:<stack>::<project>::...). */
export const stackOfUrn = (urn: string): string => urn.split("::")[0].replace(/^urn:pulumi:/, "");
