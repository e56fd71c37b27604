// The media library as the catalog uses it: every folder some service mounts,
// and who writes it. The home NFS server exports each as a dataset of its own
// and makes it its writer's (components/hypervisor/hostConfig.ts).
import { FolderOwner, ServiceEntry } from "./entry";

export interface LibraryFolder {
  folder: string;
  /** The services that mount it. */
  services: string[];
  /** Its writer's user and group, when a service writes it. */
  owner?: Pick<FolderOwner, "uid" | "gid">;
}

/** Every library folder of the entries, sorted; two writers that disagree on the owner are refused. */
export function libraryFolders(entries: readonly ServiceEntry[]): LibraryFolder[] {
  const byFolder = new Map<string, LibraryFolder & { writer?: string }>();
  for (const e of entries) {
    for (const v of e.volumes) {
      if (v.kind !== "library") continue;
      const f = byFolder.get(v.folder) ?? { folder: v.folder, services: [] };
      f.services.push(e.name);
      if (v.access === "rw") {
        if (f.owner && (f.owner.uid !== v.owner.uid || f.owner.gid !== v.owner.gid)) {
          throw new Error(
            `library folder ${v.folder}: ${e.name} writes it as ${v.owner.uid}:${v.owner.gid} but ${f.writer} as ${f.owner.uid}:${f.owner.gid}; expected one owner (make the apps write as the same user)`,
          );
        }
        f.owner = { uid: v.owner.uid, gid: v.owner.gid };
        f.writer = e.name;
      }
      byFolder.set(v.folder, f);
    }
  }
  return [...byFolder.values()].map(({ writer: _, ...f }) => f).sort((a, b) => a.folder.localeCompare(b.folder));
}

/** The folders the services use that the NFS server does not export: an error naming the config key, or undefined. */
export function missingShares(shares: readonly string[], folders: readonly LibraryFolder[]): string | undefined {
  const missing = folders.filter((f) => !shares.includes(f.folder));
  if (missing.length === 0) return undefined;
  return `homelab:hypervisor.nfs.shares: expected every library folder the services mount; missing ${missing.map((f) => `${f.folder} (${f.services.join(", ")})`).join(", ")}`;
}

/**
 * The host's backup classes of the shares (FR-025): a folder a critical
 * service writes (photos, documents, saves) is critical and goes offsite;
 * every other share (films, music...) gets the local copy only. A folder a
 * critical service only reads stays with whoever writes it.
 */
export function backupFolders(entries: readonly ServiceEntry[], shares: readonly string[]): { critical: string[]; local: string[] } {
  const critical = new Set(entries.filter((e) => e.backup === "critical").flatMap((e) => e.volumes.flatMap((v) => (v.kind === "library" && v.access === "rw" ? [v.folder] : []))));
  return { critical: shares.filter((s) => critical.has(s)), local: shares.filter((s) => !critical.has(s)) };
}
