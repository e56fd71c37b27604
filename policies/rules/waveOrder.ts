import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { types } from "./types";

const waveAnnotation = "argocd.argoproj.io/sync-wave";

interface AppInfo {
  resource: PolicyResource;
  cluster: string;
  wave: number;
}

function appInfo(r: PolicyResource): AppInfo | undefined {
  const wave = Number(r.props.metadata?.annotations?.[waveAnnotation]);
  const cluster = r.props.spec?.destination?.name;
  if (!Number.isInteger(wave) || typeof cluster !== "string") return undefined;
  return { resource: r, cluster, wave };
}

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
 * Helm release the stack installs directly (wave 0). So each Application must
 * depend, directly or transitively, on all of those.
 */
export const waveOrderPolicy: StackValidationPolicy = {
  name: "sync-waves-ordered",
  description: "Every Argo CD Application of wave N depends on all wave N-1 Applications of its cluster (the lowest wave on every directly installed Helm release), and carries the sync-wave annotation.",
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    const releases = args.resources.filter((r) => r.type === types.helmRelease);
    const apps: AppInfo[] = [];
    for (const r of args.resources.filter((x) => x.type === types.argoApplication)) {
      const info = appInfo(r);
      if (info) apps.push(info);
      else reportViolation(`Application ${r.name}: expected the ${waveAnnotation} annotation (a whole number) and spec.destination.name`, r.urn);
    }
    for (const app of apps) {
      const before = ancestors(app.resource);
      const sameCluster = apps.filter((a) => a.cluster === app.cluster);
      const lowerWaves = sameCluster.map((a) => a.wave).filter((w) => w < app.wave);
      const required = lowerWaves.length === 0 ? releases : sameCluster.filter((a) => a.wave === Math.max(...lowerWaves)).map((a) => a.resource);
      const missing = required.filter((r) => !before.has(r.urn)).map((r) => r.name);
      if (missing.length > 0) {
        const what = lowerWaves.length === 0 ? "directly installed release(s)" : `wave ${Math.max(...lowerWaves)} Application(s)`;
        reportViolation(`Application ${app.resource.name} (wave ${app.wave}, cluster ${app.cluster}) can start before ${what} ${missing.join(", ")}; expected it to depend on them`, app.resource.urn);
      }
    }
  },
};
