import { ResourceValidationPolicy } from "@pulumi/policy";
import { authTierLabel } from "../../contract/labels";
import { AdminRoutesConfig } from "../../contract/policyConfig";
import { valueAt } from "./kubernetesInputs";
import { types } from "./types";

/**
 * An admin app is for group `admin` only (FR-010): its public route must go
 * through the SSO proxy that checks the group, never straight to the app.
 * Without a proxy in the config, no admin route may exist at all.
 */
export const adminRoutesPolicy: ResourceValidationPolicy = {
  name: "admin-routes-guarded",
  description: "Every HTTPRoute of tier admin sends all its traffic to the SSO proxy that admits group admin only; without one configured, admin apps have no route.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      ssoProxy: { type: "object", properties: { namespace: { type: "string" }, name: { type: "string" } }, required: ["namespace", "name"] },
    },
  },
  validateResource: (args, reportViolation) => {
    if (args.type !== types.httpRoute || valueAt(args.props, `metadata.labels`)?.[authTierLabel as never] !== "admin") return;
    const { ssoProxy } = args.getConfig<AdminRoutesConfig>();
    const routeNamespace = String(valueAt(args.props, "metadata.namespace") ?? "default");
    const rules = valueAt(args.props, "spec.rules");
    const backends = (Array.isArray(rules) ? rules : []).flatMap((r) => {
      const refs = valueAt(r, "backendRefs");
      return Array.isArray(refs) ? refs : [];
    });
    const label = `HTTPRoute ${args.name} (tier admin)`;
    if (!ssoProxy) return reportViolation(`${label} exists, but no SSO proxy is configured; expected no route for an admin app until the proxy that admits group admin fronts it`);
    if (backends.length === 0) return reportViolation(`${label} has no backend; expected the SSO proxy ${ssoProxy.namespace}/${ssoProxy.name}`);
    for (const b of backends) {
      const name = String(valueAt(b, "name"));
      const namespace = String(valueAt(b, "namespace") ?? routeNamespace);
      if (name !== ssoProxy.name || namespace !== ssoProxy.namespace) {
        reportViolation(`${label} sends to ${namespace}/${name}; expected the SSO proxy ${ssoProxy.namespace}/${ssoProxy.name}, so only group admin gets through`);
      }
    }
  },
};
