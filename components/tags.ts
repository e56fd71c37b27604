// Tags every machine carries, so the Proxmox UI, the OCI console and the
// policy pack can tell which stack and cluster a machine belongs to and
// what its backup decision is.

/** What protects a machine's data: rebuilt from code, ZFS snapshots, Proxmox backups, or OCI volume backups. */
export type BackupDecision = "none" | "zfs-snapshots" | "vzdump" | "volume-backup";

export interface MachineTagArgs {
  stack: string;
  /** The Kubernetes cluster the machine belongs to, or undefined for a standalone VM. */
  cluster?: string;
  backup: BackupDecision;
  extra?: string[];
}

/** Proxmox tags: lowercase words; `cluster-<name>` / `standalone`, `backup-<decision>`. */
export function machineTags(args: MachineTagArgs): string[] {
  const tags = [...(args.extra ?? []), args.stack, args.cluster ? `cluster-${args.cluster}` : "standalone", `backup-${args.backup}`];
  return [...new Set(tags)];
}

/** OCI freeform tags carrying the same facts as key/value pairs. */
export function ociMachineTags(args: MachineTagArgs & { role: string }): Record<string, string> {
  return {
    stack: args.stack,
    cluster: args.cluster ?? "standalone",
    role: args.role,
    backup: args.backup,
    "managed-by": "pulumi",
  };
}
