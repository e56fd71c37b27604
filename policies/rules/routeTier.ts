import { ResourceValidationPolicy } from "@pulumi/policy";
import { authTierLabel, authTiers } from "../../contract/labels";
import { types } from "./types";

/** A public route with no tier is a door nobody decided to lock: the edge and SSO read the tier from here. */
export const routeTierPolicy: ResourceValidationPolicy = {
  name: "route-auth-tier",
  description: `Every HTTPRoute carries the label ${authTierLabel} with one of ${authTiers.join(", ")}.`,
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    if (args.type !== types.httpRoute) return;
    const value: unknown = args.props.metadata?.labels?.[authTierLabel];
    if (typeof value === "string" && (authTiers as readonly string[]).includes(value)) return;
    const found = value === undefined ? "has no label" : `has ${JSON.stringify(value)} in label`;
    reportViolation(`HTTPRoute ${args.name} ${found} ${authTierLabel}; expected one of ${authTiers.join(", ")}`);
  },
};
