import { ResourceValidationPolicy } from "@pulumi/policy";
import { types } from "./types";

const decisions = ["none", "zfs-snapshots", "vzdump", "volume-backup"];

/** No machine exists without a recorded decision on how its data is protected. */
export const backupDecisionPolicy: ResourceValidationPolicy = {
  name: "backup-decision-recorded",
  description: `Every VM carries a backup-<decision> tag and every instance a backup freeform tag, with decision one of ${decisions.join(", ")}.`,
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    if (args.type === types.proxmoxVm) {
      const tags: string[] = args.props.tags ?? [];
      const decision = tags.find((t) => t.startsWith("backup-"))?.slice("backup-".length);
      if (!decision || !decisions.includes(decision)) reportViolation(`VM ${args.name} has no backup decision tag (backup-<${decisions.join("|")}>)`);
    }
    if (args.type === types.ociInstance) {
      const decision = args.props.freeformTags?.backup;
      if (!decisions.includes(decision)) reportViolation(`instance ${args.name} has no backup freeform tag (${decisions.join("|")})`);
    }
  },
};
