// What a cluster's backups cover, class by class (FR-025), for the plan:
// each volume, database and library folder of the entries it runs, where
// its copies go and how long they are kept, and what the offsite copies may
// grow to against the store's free allowance. Pure.
import type { BackupClass } from "../../contract/labels";
import type { ServiceEntry } from "../../services/entry";
import { claimNameOf } from "../service/manifests";
import { Retention, retentionByClass } from "./restic";
import { StoreLocation } from "./store";

export interface CoverageRow {
  class: BackupClass;
  service: string;
  /** volume <claim>, database, or library <folder>. */
  item: string;
  sizeGi: number;
  where: string;
  retention: string;
  /** What the offsite copies of this item may take (their sizes as claimed: an upper bound). */
  offsiteGi: number;
}

export interface Coverage {
  rows: CoverageRow[];
  store: StoreLocation;
  offsiteGi: number;
  /** The store's free allowance, when it has one (OCI Always Free: 20 GB for the tenancy, all stacks together). */
  freeGb?: number;
}

/** OCI's Always Free Object Storage: 20 GB (standard, infrequent and archive together) and 50,000 API requests a month. */
export const ociFreeObjectStorageGb = 20;

const keeps = (r: Retention) => `${r.daily} daily, ${r.weekly} weekly, ${r.monthly} monthly`;

/** The host's library folders (prod): their classes, the second medium, the snapshots sanoid keeps. */
export interface HostCoverage {
  folders: { critical: string[]; local: string[] };
  localMount: string;
  snapshots: { hourly: number; daily: number; weekly: number; monthly: number };
}

/**
 * Rows of one cluster; `site` says where its own disks are (the home host's
 * ZFS, or OCI's boot volumes). On prod, `host` adds the library folders'
 * rows: they live on the host, whichever cluster mounts them.
 */
export function backupCoverage(entries: readonly ServiceEntry[], store: StoreLocation, site: "home" | "oci", host?: HostCoverage, catalog: readonly ServiceEntry[] = entries): Coverage {
  const rows: CoverageRow[] = [];
  const onDisk = site === "home" ? "the worker's disk" : "the node's boot volume";
  for (const e of [...entries].sort((a, b) => a.name.localeCompare(b.name))) {
    if (e.backup === "none") {
      rows.push({ class: "none", service: e.name, item: "everything", sizeGi: 0, where: `not backed up: ${e.backupNote ?? "(no reason given)"}`, retention: "-", offsiteGi: 0 });
      continue;
    }
    const r = retentionByClass[e.backup];
    for (const v of e.volumes) {
      // A library folder lives on the home host, whichever cluster mounts it: the host's rows (prod's plan) say where it goes.
      if (v.kind === "library") continue;
      const claim = claimNameOf(e, v);
      if (e.backup === "critical") {
        rows.push({ class: "critical", service: e.name, item: `volume ${claim}`, sizeGi: v.sizeGi, where: `${onDisk}; offsite twice: VolSync (restic) and Velero (kopia), ${store.bucket}`, retention: keeps(r), offsiteGi: 2 * v.sizeGi });
      } else {
        rows.push({ class: "local", service: e.name, item: `volume ${claim}`, sizeGi: v.sizeGi, where: site === "home" ? `${onDisk} (a zvol of the host: its snapshots)` : `${onDisk} only (rebuilt by the app if lost)`, retention: site === "home" ? "the host's snapshot policy" : "-", offsiteGi: 0 });
      }
    }
    if (e.database) {
      const offsite = e.backup === "critical";
      rows.push({
        class: e.backup,
        service: e.name,
        item: "database",
        sizeGi: e.database.sizeGi,
        where: offsite ? `${onDisk}; offsite: nightly dump with its fingerprint (restic), restored and checked every Sunday, ${store.bucket}` : `${onDisk} only`,
        retention: offsite ? keeps(r) : "-",
        // A dump is smaller than the volume it comes from: the volume's size bounds it.
        offsiteGi: offsite ? e.database.sizeGi : 0,
      });
    }
  }
  if (host) rows.push(...hostRows(host, store, catalog));
  const offsiteGi = rows.reduce((s, row) => s + row.offsiteGi, 0);
  return { rows, store, offsiteGi, ...(store.provider === "oci" ? { freeGb: ociFreeObjectStorageGb } : {}) };
}

/** The size a folder may reach: the largest claim any service makes on it. */
const folderSize = (catalog: readonly ServiceEntry[], folder: string) => Math.max(0, ...catalog.flatMap((e) => e.volumes.flatMap((v) => (v.kind === "library" && v.folder === folder ? [v.sizeGi] : []))));

function hostRows(host: HostCoverage, store: StoreLocation, catalog: readonly ServiceEntry[]): CoverageRow[] {
  const snap = host.snapshots;
  const snapshots = `ZFS snapshots (${snap.hourly} hourly, ${snap.daily} daily, ${snap.weekly} weekly, ${snap.monthly} monthly)`;
  const writers = (folder: string) => catalog.filter((e) => e.volumes.some((v) => v.kind === "library" && v.folder === folder)).map((e) => e.name).join(", ") || "no service";
  return [
    ...host.folders.critical.map((f): CoverageRow => ({
      class: "critical",
      service: writers(f),
      item: `library ${f}`,
      sizeGi: folderSize(catalog, f),
      where: `home host's pool + ${snapshots}; nightly copy to ${host.localMount}; offsite (restic), ${store.bucket}`,
      retention: keeps(retentionByClass.critical),
      offsiteGi: folderSize(catalog, f),
    })),
    ...host.folders.local.map((f): CoverageRow => ({
      class: "local",
      service: writers(f),
      item: `library ${f}`,
      sizeGi: folderSize(catalog, f),
      where: `home host's pool + ${snapshots}; nightly copy to ${host.localMount}`,
      retention: keeps(retentionByClass.local),
      offsiteGi: 0,
    })),
  ];
}
