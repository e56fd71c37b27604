import { ResourceValidationPolicy } from "@pulumi/policy";
import { accessGroups, authTierLabel } from "../../contract/labels";
import { SsoRoutesConfig } from "../../contract/policyConfig";
import { valueAt } from "./kubernetesInputs";
import { types } from "./types";

const familyGroups: readonly string[] = [accessGroups.family, accessGroups.admin];

/**
 * A route of tier `sso` or `admin` sends every request to an SSO gate
 * (oauth2-proxy), never straight to the app (FR-007, FR-010): an admin
 * route's gates admit group admin only; an sso route's catch-all gate admits
 * the family's groups (its path rules may be stricter). The gates and what
 * they admit come from the stack's gate ConfigMaps (the plan reads them).
 */
export const ssoRoutesPolicy: ResourceValidationPolicy = {
  name: "sso-routes-gated",
  description: "Every HTTPRoute of tier sso or admin sends all its traffic to SSO gates of the stack; an admin route's gates admit group admin only, an sso route's catch-all gate admits only the family's groups.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      gates: {
        type: "array",
        items: {
          type: "object",
          properties: { namespace: { type: "string" }, name: { type: "string" }, admits: { type: "array", items: { type: "string" } } },
          required: ["namespace", "name", "admits"],
        },
      },
    },
  },
  validateResource: (args, reportViolation) => {
    if (args.type !== types.httpRoute) return;
    const tier = valueAt(args.props, "metadata.labels")?.[authTierLabel as never];
    if (tier !== "sso" && tier !== "admin") return;
    const gates = args.getConfig<SsoRoutesConfig>().gates ?? [];
    const routeNamespace = String(valueAt(args.props, "metadata.namespace") ?? "default");
    const rules = valueAt(args.props, "spec.rules");
    const label = `HTTPRoute ${args.name} (tier ${tier})`;
    const list = (groups: string[]) => (groups.length ? groups.join(", ") : "nobody");
    let backends = 0;
    for (const rule of Array.isArray(rules) ? rules : []) {
      const matches = valueAt(rule, "matches");
      const catchAll = !Array.isArray(matches) || matches.length === 0;
      const refs = valueAt(rule, "backendRefs");
      for (const ref of Array.isArray(refs) ? refs : []) {
        backends++;
        const name = String(valueAt(ref, "name"));
        const namespace = String(valueAt(ref, "namespace") ?? routeNamespace);
        const gate = gates.find((g) => g.name === name && g.namespace === namespace);
        if (!gate) {
          reportViolation(`${label} sends to ${namespace}/${name}, which is not an SSO gate of this stack; expected every backend to be a gate (oauth2-proxy) so only signed-in members get through`);
          continue;
        }
        const admitsOnlyAdmin = gate.admits.length === 1 && gate.admits[0] === accessGroups.admin;
        if (tier === "admin" && !admitsOnlyAdmin) {
          reportViolation(`${label} sends to gate ${namespace}/${name}, which admits ${list(gate.admits)}; expected group ${accessGroups.admin} only`);
        } else if (tier === "sso" && catchAll && (gate.admits.length === 0 || gate.admits.some((g) => !familyGroups.includes(g)))) {
          reportViolation(`${label} sends everything else to gate ${namespace}/${name}, which admits ${list(gate.admits)}; expected some of ${familyGroups.join(", ")} and nothing more`);
        }
      }
    }
    if (backends === 0) reportViolation(`${label} has no backend; expected its SSO gate`);
  },
};
