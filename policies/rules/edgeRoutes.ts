import { StackValidationPolicy } from "@pulumi/policy";
import { EdgeConfig } from "../../contract/policyConfig";
import { types } from "./types";

type Props = Record<string, unknown>;
const list = (v: unknown): Props[] => (Array.isArray(v) ? (v as Props[]) : []);
/** Both policies read the same config (contract/policyConfig.ts EdgeConfig). */
const edgeConfigSchema = { properties: { hostnames: { type: "array" as const, items: { type: "string" as const } }, adminTargets: { type: "array" as const, items: { type: "string" as const } }, group: { type: "string" as const } } };
const count = (names: string[]) => names.reduce((m, n) => m.set(n, (m.get(n) ?? 0) + 1), new Map<string, number>());

/**
 * Every public hostname is carried once (FR-008): exactly one tunnel route and
 * one DNS record each, no record without a route or route without a record,
 * and every tunnel ends in a catch-all so an unknown hostname reaches nothing.
 * The hostnames come from the policy config (the catalog's, as the plan reads it).
 */
export const edgeRoutesPolicy: StackValidationPolicy = {
  name: "public-hostnames-routed-once",
  description: "Every public hostname has exactly one tunnel route and one DNS record, every route has its record and every record its route, and each tunnel's ingress ends in a catch-all.",
  enforcementLevel: "mandatory",
  configSchema: edgeConfigSchema,
  validateStack: (args, reportViolation) => {
    const config = args.getConfig<EdgeConfig>();
    const configs = args.resources.filter((r) => r.type === types.tunnelConfig);
    const routes = configs.flatMap((r) => list((r.props.config as Props | undefined)?.ingresses).flatMap((i) => (typeof i.hostname === "string" ? [i.hostname] : [])));
    const records = args.resources.filter((r) => r.type === types.dnsRecord && r.props.type === "CNAME").map((r) => String(r.props.name));
    const routeCount = count(routes);
    const recordCount = count(records);
    for (const h of config.hostnames ?? []) {
      if ((routeCount.get(h) ?? 0) !== 1) reportViolation(`${h} has ${routeCount.get(h) ?? 0} tunnel routes; expected exactly one`);
      if ((recordCount.get(h) ?? 0) !== 1) reportViolation(`${h} has ${recordCount.get(h) ?? 0} DNS records; expected exactly one`);
    }
    for (const [h, n] of routeCount) {
      if (!config.hostnames?.includes(h) && n > 1) reportViolation(`${h} has ${n} tunnel routes; expected exactly one`);
      if (!recordCount.has(h)) reportViolation(`${h} is routed by a tunnel but has no DNS record; expected a proxied CNAME to its tunnel`);
    }
    for (const [h, n] of recordCount) {
      if (!config.hostnames?.includes(h) && n > 1) reportViolation(`${h} has ${n} DNS records; expected exactly one`);
      if (!routeCount.has(h)) reportViolation(`${h} has a DNS record but no tunnel route; expected a route for it, or no record`);
    }
    for (const r of configs) {
      const ingress = list((r.props.config as Props | undefined)?.ingresses);
      const last = ingress[ingress.length - 1];
      if (!last || last.hostname !== undefined || last.path !== undefined) reportViolation(`tunnel config ${r.name} does not end in a catch-all; expected a last rule without hostname or path (http_status:404)`);
    }
  },
};

/**
 * Every admin hostname and admin path sits behind Cloudflare Access (FR-010):
 * an application whose destination is exactly it, with at least one policy,
 * and every Access policy of the stack admits only the groups claim holding
 * the admin group (no `everyone`, no other rule).
 */
export const adminAccessPolicy: StackValidationPolicy = {
  name: "admin-hostnames-behind-access",
  description: "Every admin hostname and admin path has a Cloudflare Access application with a policy, and every Access policy admits only the groups claim holding the admin group.",
  enforcementLevel: "mandatory",
  configSchema: edgeConfigSchema,
  validateStack: (args, reportViolation) => {
    const config = args.getConfig<EdgeConfig>();
    const apps = args.resources.filter((r) => r.type === types.accessApplication);
    for (const target of config.adminTargets ?? []) {
      const app = apps.find((a) => list(a.props.destinations).some((d) => d.uri === target));
      if (!app) reportViolation(`${target} is an admin hostname or path without a Cloudflare Access application; expected one whose destination is ${target}`);
      else if (list(app.props.policies).length === 0) reportViolation(`Access application ${app.name} for ${target} has no policy; expected the admins' policy`);
    }
    for (const p of args.resources.filter((r) => r.type === types.accessPolicy)) {
      const includes = list(p.props.includes);
      const onlyAdmins = includes.length > 0 && includes.every((i) => Object.keys(i).length === 1 && (i.oidc as Props | undefined)?.claimName === "groups" && (i.oidc as Props).claimValue === config.group);
      if (p.props.decision !== "allow" || !onlyAdmins) {
        reportViolation(`Access policy ${p.name} admits ${JSON.stringify(p.props.includes ?? [])} (${String(p.props.decision)}); expected allow for the groups claim ${config.group} alone`);
      }
    }
  },
};
