// What `pulumi up --target` does on a stack that has no state yet (a first
// deploy in steps), as the engine's step generator decides it:
//  - a target is a URN, or a glob where `**` matches anything (every other
//    character is literal, `*` included);
//  - providers (explicit and default) and the root stack are always part of
//    the run; reads (StackReference) always run;
//  - every other resource the targets do not match is a "skipped create":
//    it is not created, and nothing that runs may depend on it (as parent,
//    dependency, property dependency, deletedWith or provider), or the
//    engine stops with error 2013.
// This lets a runbook's targeted command be checked offline against the
// program it will run.
import { ProgramRun, RecordedResource } from "./mockRuntime";

/** The engine's matcher for one `--target` value: `**` is ".*", the rest is literal. */
export function targetMatcher(target: string): (urn: string) => boolean {
  const pattern = target
    .split("**")
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  const re = new RegExp(`^${pattern}$`);
  return (urn) => re.test(urn);
}

export interface TargetedRun {
  /** Resources the run creates (targets matched, plus providers they need). */
  created: string[];
  /** Resources left for a later, untargeted run. */
  skipped: string[];
  /** Targets that match nothing (the engine would do nothing for them). */
  unmatched: string[];
  /** The engine's error 2013, one per dependency on a skipped create. */
  problems: string[];
}

const isProvider = (r: RecordedResource) => r.type.startsWith("pulumi:providers:");

function dependenciesOf(r: RecordedResource): string[] {
  return [
    ...(r.parentUrn ? [r.parentUrn] : []),
    ...r.dependencies,
    ...Object.values(r.propertyDependencies).flat(),
    ...(r.options.deletedWith ? [r.options.deletedWith] : []),
    ...(r.provider ? [r.provider] : []),
  ];
}

/** A first deploy of `run`'s stack limited to `targets`. */
export function targetedFirstDeploy(run: ProgramRun, targets: string[]): TargetedRun {
  const matchers = targets.map((t) => ({ target: t, matches: targetMatcher(t) }));
  const all = [...run.defaultProviders, ...run.resources];
  const runs = (r: RecordedResource) => isProvider(r) || r.external || matchers.some((m) => m.matches(r.urn));
  const skipped = new Set(all.filter((r) => !runs(r)).map((r) => r.urn));
  const problems: string[] = [];
  for (const r of all) {
    if (skipped.has(r.urn)) continue;
    for (const dep of new Set(dependenciesOf(r))) {
      if (skipped.has(dep)) problems.push(`Resource '${r.urn}' depends on '${dep}' which was was not specified in --target list.`);
    }
  }
  return {
    created: all.filter((r) => !skipped.has(r.urn) && !r.external).map((r) => r.urn),
    skipped: [...skipped],
    unmatched: matchers.filter((m) => !all.some((r) => m.matches(r.urn))).map((m) => m.target),
    problems,
  };
}
