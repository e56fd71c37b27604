import { ResourceValidationPolicy } from "@pulumi/policy";
import { backupClasses, backupLabel } from "../../contract/labels";
import { types } from "./types";

/** Backups select volumes by label: a volume without a class would be silently left out (FR-025). */
export const volumeBackupClassPolicy: ResourceValidationPolicy = {
  name: "volume-backup-class",
  description: `Every PersistentVolumeClaim and every database carries the label ${backupLabel} with one of ${backupClasses.join(", ")}.`,
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    if (args.type !== types.persistentVolumeClaim && args.type !== types.cnpgCluster) return;
    const value: unknown = args.props.metadata?.labels?.[backupLabel];
    if (typeof value === "string" && (backupClasses as readonly string[]).includes(value)) return;
    const what = args.type === types.cnpgCluster ? "database" : "PersistentVolumeClaim";
    const found = value === undefined ? "has no label" : `has ${JSON.stringify(value)} in label`;
    reportViolation(`${what} ${args.name} ${found} ${backupLabel}; expected one of ${backupClasses.join(", ")}`);
  },
};
