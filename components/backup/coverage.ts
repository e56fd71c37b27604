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

/** Rows of one cluster; `site` says where its own disks are (the home host's ZFS, or OCI's boot volumes). */
export function backupCoverage(entries: readonly ServiceEntry[], store: StoreLocation, site: "home" | "oci"): Coverage {
  const rows: CoverageRow[] = [];
  const onDisk = site === "home" ? "the worker's disk" : "the node's boot volume";
  for (const e of [...entries].sort((a, b) => a.name.localeCompare(b.name))) {
    if (e.backup === "none") {
      rows.push({ class: "none", service: e.name, item: "everything", sizeGi: 0, where: `not backed up: ${e.backupNote ?? "(no reason given)"}`, retention: "-", offsiteGi: 0 });
      continue;
    }
    const r = retentionByClass[e.backup];
    for (const v of e.volumes) {
      if (v.kind === "library") {
        // The library lives on the home host's ZFS pool, whichever cluster mounts it.
        rows.push({ class: e.backup, service: e.name, item: `library ${v.folder}`, sizeGi: v.sizeGi, where: "home host's ZFS pool: sanoid snapshots", retention: "the host's snapshot policy", offsiteGi: 0 });
        continue;
      }
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
  const offsiteGi = rows.reduce((s, row) => s + row.offsiteGi, 0);
  return { rows, store, offsiteGi, ...(store.provider === "oci" ? { freeGb: ociFreeObjectStorageGb } : {}) };
}
