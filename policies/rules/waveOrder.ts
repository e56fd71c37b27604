import { PolicyConfigSchema, PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { SyncWavesConfig, WaveDeclaration, regenerateCommand } from "../../contract/policyConfig";
import { sameData, valueAt } from "./kubernetesInputs";
import { stackOfUrn, types } from "./types";

export const waveAnnotation = "argocd.argoproj.io/sync-wave";

const isWaved = (type: string) => type === types.argoApplication || type === types.helmRelease;

/**
 * An Application's wave and destination, or a release's (wave 0 on the
 * stack's cluster), read from its inputs; a problem when they are missing.
 */
export function waveDeclaration(r: { type: string; name: string; props: Record<string, unknown> }, stackCluster: string): { declaration: WaveDeclaration } | { problem: string } {
  if (r.type === types.helmRelease) return { declaration: { cluster: stackCluster, wave: 0, kind: "release" } };
  const annotation = valueAt(r.props, `metadata.annotations`) as Record<string, unknown> | undefined;
  const raw = annotation?.[waveAnnotation];
  const wave = typeof raw === "string" && /^-?\d+$/.test(raw) ? Number(raw) : undefined;
  const cluster = valueAt(r.props, "spec.destination.name");
  if (wave === undefined || typeof cluster !== "string" || cluster === "") {
    return { problem: `Application ${r.name}: expected the ${waveAnnotation} annotation (a whole number) and spec.destination.name` };
  }
  return { declaration: { cluster, wave, kind: "application" } };
}

const configSchema: PolicyConfigSchema = {
  properties: {
    stackCluster: { type: "string", default: "" },
    resources: {
      type: "object",
      default: {},
      additionalProperties: {
        type: "object",
        required: ["cluster", "wave", "kind"],
        properties: { cluster: { type: "string" }, wave: { type: "integer" }, kind: { enum: ["application", "release"] } },
      },
    },
  },
};

const shown = (d: WaveDeclaration) => (d.kind === "release" ? `a release on cluster ${d.cluster} (wave 0)` : `wave ${d.wave} on cluster ${d.cluster}`);

/**
 * Every Application and Helm release is declared in the sync-waves config
 * with the wave and cluster its inputs give. A stack policy sees only
 * outputs, empty for Kubernetes resources in a cluster's first preview;
 * inputs are always there, so the facts are checked here and the order is
 * judged by `sync-waves-ordered`.
 */
export const waveDeclaredPolicy: ResourceValidationPolicy = {
  name: "sync-waves-declared",
  description: "Every Argo CD Application carries a whole-number sync-wave annotation and a destination, and every Application and Helm release is declared in the sync-waves config as its inputs say.",
  enforcementLevel: "mandatory",
  configSchema,
  validateResource: (args, reportViolation) => {
    if (!isWaved(args.type)) return;
    const config = args.getConfig<SyncWavesConfig>();
    const reading = waveDeclaration(args, config.stackCluster);
    if ("problem" in reading) return reportViolation(reading.problem);
    const declared = Object.hasOwn(config.resources, args.urn) ? config.resources[args.urn] : undefined;
    const fix = `regenerate the policy config with \`${regenerateCommand(stackOfUrn(args.urn))}\``;
    const what = `${args.type === types.helmRelease ? "Release" : "Application"} ${args.name}`;
    if (!declared) return reportViolation(`${what} (${shown(reading.declaration)}) is not declared in the sync-waves config; ${fix}`);
    if (!sameData(declared, reading.declaration)) reportViolation(`${what} is declared as ${shown(declared)}, but its inputs say ${shown(reading.declaration)}; ${fix}`);
  },
};

/** Every URN `r` depends on, directly or through other resources. */
function ancestors(r: PolicyResource): Set<string> {
  const seen = new Set<string>();
  const stack = [...r.dependencies];
  while (stack.length > 0) {
    const d = stack.pop() as PolicyResource;
    if (seen.has(d.urn)) continue;
    seen.add(d.urn);
    stack.push(...d.dependencies);
  }
  return seen;
}

/**
 * Sync waves are an order, not a label: Pulumi creates an Application of
 * wave N only after every Application of wave N-1 on the same cluster is
 * healthy (it waits for their health), and the first wave only after every
 * Helm release the stack installs directly on that cluster (wave 0). So each
 * Application must depend, directly or transitively, on all of those. Waves
 * come from the declarations (checked by sync-waves-declared), the order from
 * the dependency graph, which the analyzer always has.
 */
export const waveOrderPolicy: StackValidationPolicy = {
  name: "sync-waves-ordered",
  description: "Every Argo CD Application of wave N depends on all wave N-1 Applications of its cluster (the lowest wave on every Helm release installed directly on that cluster).",
  enforcementLevel: "mandatory",
  configSchema,
  validateStack: (args, reportViolation) => {
    const config = args.getConfig<SyncWavesConfig>();
    const declared = args.resources
      .filter((r) => isWaved(r.type) && Object.hasOwn(config.resources, r.urn))
      .map((resource) => ({ resource, ...config.resources[resource.urn] }));
    for (const app of declared.filter((d) => d.kind === "application")) {
      const before = ancestors(app.resource);
      const sameCluster = declared.filter((d) => d.kind === "application" && d.cluster === app.cluster);
      const lowerWaves = sameCluster.map((a) => a.wave).filter((w) => w < app.wave);
      const releases = declared.filter((d) => d.kind === "release" && d.cluster === app.cluster);
      const required = lowerWaves.length === 0 ? releases : sameCluster.filter((a) => a.wave === Math.max(...lowerWaves));
      const missing = required.filter((r) => !before.has(r.resource.urn)).map((r) => r.resource.name);
      if (missing.length > 0) {
        const what = lowerWaves.length === 0 ? "directly installed release(s)" : `wave ${Math.max(...lowerWaves)} Application(s)`;
        reportViolation(`Application ${app.resource.name} (wave ${app.wave}, cluster ${app.cluster}) can start before ${what} ${missing.join(", ")}; expected it to depend on them`, app.resource.urn);
      }
    }
  },
};
