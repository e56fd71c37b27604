// Runs the pack's policies in-process over recorded resources: what the
// offline plan and the tests use instead of the CLI's analyzer.
import { Policies, PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";

export interface ResourceUnderPolicy {
  type: string;
  name: string;
  urn: string;
  inputs: Record<string, unknown>;
  /** URNs this resource depends on (explicit dependsOn and inputs). */
  dependencies?: string[];
}

export interface Violation {
  policy: string;
  resource: string | null;
  message: string;
  level: "mandatory" | "advisory";
}

/** Per-policy configuration, by policy name (the shape of --policy-pack-config). */
export type PolicyConfig = Record<string, Record<string, unknown>>;

function configFor(policy: ResourceValidationPolicy | StackValidationPolicy, config: PolicyConfig): Record<string, unknown> {
  const defaults = Object.fromEntries(
    Object.entries(policy.configSchema?.properties ?? {}).flatMap(([k, schema]) => ("default" in (schema as object) ? [[k, (schema as { default: unknown }).default]] : [])),
  );
  return { ...defaults, ...(config[policy.name] ?? {}) };
}

const level = (policy: { enforcementLevel?: string }): Violation["level"] => (policy.enforcementLevel === "advisory" ? "advisory" : "mandatory");

export async function runPolicies(policies: Policies, resources: ResourceUnderPolicy[], config: PolicyConfig = {}): Promise<Violation[]> {
  const violations: Violation[] = [];
  const asPolicyResources: PolicyResource[] = resources.map((r) => ({
    type: r.type,
    name: r.name,
    urn: r.urn,
    props: r.inputs,
    opts: {} as PolicyResource["opts"],
    dependencies: [] as PolicyResource[],
    propertyDependencies: {},
    isType: () => false,
    asType: () => undefined,
  })) as unknown as PolicyResource[];
  // Link dependencies the way the analyzer hands them to stack policies: as resources.
  const byUrn = new Map(asPolicyResources.map((r) => [r.urn, r]));
  resources.forEach((r, i) => {
    (asPolicyResources[i] as { dependencies: PolicyResource[] }).dependencies = (r.dependencies ?? []).flatMap((urn) => byUrn.get(urn) ?? []);
  });
  for (const policy of policies) {
    if (policy.enforcementLevel === "disabled") continue;
    const policyConfig = configFor(policy, config);
    if ("validateResource" in policy) {
      const validators = (Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource]).filter((v) => v !== undefined);
      for (const r of asPolicyResources) {
        const args = { ...r, stackTags: new Map(), getConfig: () => policyConfig, notApplicable: () => undefined };
        for (const validate of validators) {
          await validate(args as never, (message: string) => violations.push({ policy: policy.name, resource: r.name, message, level: level(policy) }));
        }
      }
    } else if ("validateStack" in policy) {
      const validateStack = policy.validateStack;
      if (!validateStack) continue;
      const args = { resources: asPolicyResources, stackTags: new Map(), getConfig: () => policyConfig, notApplicable: () => undefined };
      await validateStack(args as never, (message: string, urn?: string) =>
        violations.push({ policy: policy.name, resource: urn ? (resources.find((r) => r.urn === urn)?.name ?? urn) : null, message, level: level(policy) }),
      );
    }
  }
  return violations;
}
