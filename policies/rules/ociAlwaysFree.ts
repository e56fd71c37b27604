import { StackValidationPolicy } from "@pulumi/policy";
import { ociAlwaysFree } from "../../contract/policyConfig";
import { types } from "./types";

/** All A1 instances together stay inside Oracle's Always Free allowance. */
export const ociAlwaysFreePolicy: StackValidationPolicy = {
  name: "oci-always-free",
  description: `OCI A1 instances use at most ${ociAlwaysFree.ocpus} OCPUs, ${ociAlwaysFree.memoryGb} GB RAM and ${ociAlwaysFree.blockStorageGb} GB of boot volumes in total.`,
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    const instances = args.resources.filter((r) => r.type === types.ociInstance);
    const total = { ocpus: 0, memoryGb: 0, blockStorageGb: 0 };
    for (const r of instances) {
      total.ocpus += Number(r.props.shapeConfig?.ocpus ?? 0);
      total.memoryGb += Number(r.props.shapeConfig?.memoryInGbs ?? 0);
      total.blockStorageGb += Number(r.props.sourceDetails?.bootVolumeSizeInGbs ?? 50);
    }
    if (total.ocpus > ociAlwaysFree.ocpus) reportViolation(`${total.ocpus} OCPUs requested, the Always Free limit is ${ociAlwaysFree.ocpus}`);
    if (total.memoryGb > ociAlwaysFree.memoryGb) reportViolation(`${total.memoryGb} GB RAM requested, the Always Free limit is ${ociAlwaysFree.memoryGb} GB`);
    if (total.blockStorageGb > ociAlwaysFree.blockStorageGb) reportViolation(`${total.blockStorageGb} GB of boot volumes requested, the Always Free limit is ${ociAlwaysFree.blockStorageGb} GB`);
  },
};
