import { ResourceValidationPolicy } from "@pulumi/policy";
import { stackNames, types } from "./types";

/** Every VM and instance says which stack and which cluster (or standalone) it belongs to. */
export const machineTagsPolicy: ResourceValidationPolicy = {
  name: "machines-tagged",
  description: "Every Proxmox VM and OCI instance is tagged with its stack and its cluster (or 'standalone').",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    if (args.type === types.proxmoxVm) {
      const tags: string[] = args.props.tags ?? [];
      if (!tags.some((t) => (stackNames as readonly string[]).includes(t))) reportViolation(`VM ${args.name} has no stack tag (one of ${stackNames.join(", ")}); tags: [${tags.join(", ")}]`);
      if (!tags.some((t) => t.startsWith("cluster-") || t === "standalone")) reportViolation(`VM ${args.name} has no cluster tag (cluster-<name> or standalone); tags: [${tags.join(", ")}]`);
    }
    if (args.type === types.ociInstance) {
      const tags: Record<string, string> = args.props.freeformTags ?? {};
      if (!(stackNames as readonly string[]).includes(tags.stack)) reportViolation(`instance ${args.name} has no freeform tag stack=<${stackNames.join("|")}>`);
      if (!tags.cluster) reportViolation(`instance ${args.name} has no freeform tag cluster=<name|standalone>`);
    }
  },
};
