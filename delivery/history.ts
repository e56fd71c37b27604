// What a stack runs and since when, read from `pulumi stack history --json`
// (newest first; the CLI records the checkout's HEAD as `git.head` in each
// update's environment, and `git.dirty` when the tree had local changes).
// The promotion gate asks it how long DEV has run the commit to promote.

/** One entry of `pulumi stack history --json`, as far as the gate reads it. */
export interface StackUpdate {
  kind: string;
  result: string;
  startTime: string;
  endTime?: string;
  environment: Record<string, string>;
}

/** A commit a stack runs, and the end of the first update that brought it there. */
export interface Deployment {
  commit: string;
  since: Date;
}

/** The history's entries; an error that names what is wrong when the text is not that command's output. */
export function parseHistory(text: string): StackUpdate[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new Error(`stack history: expected the JSON of \`pulumi stack history --json\` (${(err as Error).message})`);
  }
  // A stack never updated prints nothing useful; Pulumi prints `[]` or `null`.
  if (data === null) return [];
  if (!Array.isArray(data)) throw new Error("stack history: expected a JSON array of updates");
  return data.map((u, i) => {
    const e = (u ?? {}) as Record<string, unknown>;
    for (const key of ["kind", "result", "startTime"] as const) {
      if (typeof e[key] !== "string") throw new Error(`stack history: update ${i} has no ${key}; expected a string`);
    }
    const env = e.environment;
    if (env !== undefined && (env === null || typeof env !== "object" || Array.isArray(env))) throw new Error(`stack history: update ${i}'s environment: expected an object`);
    return {
      kind: e.kind as string,
      result: e.result as string,
      startTime: e.startTime as string,
      endTime: typeof e.endTime === "string" ? e.endTime : undefined,
      environment: (env ?? {}) as Record<string, string>,
    };
  });
}

/** Kinds of history entries that change what runs (a refresh or an import does not deploy a commit). */
const deployingKinds = new Set(["update", "destroy"]);

const timeOf = (u: StackUpdate): Date => {
  const t = new Date(u.endTime ?? u.startTime);
  if (Number.isNaN(t.getTime())) throw new Error(`stack history: time ${JSON.stringify(u.endTime ?? u.startTime)} is not a date`);
  return t;
};

/**
 * What the stack runs now: the newest update's commit, if that update
 * succeeded from a clean checkout, and since the end of the first of the
 * unbroken run of such updates at that commit. Undefined, with the reason,
 * when the newest deploying update failed, ran from a dirty tree, had no
 * commit, or destroyed the stack.
 */
export function currentDeployment(history: readonly StackUpdate[]): { deployment?: Deployment; reason?: string } {
  const deploys = history.filter((u) => deployingKinds.has(u.kind));
  const newest = deploys[0];
  if (!newest) return { reason: "the stack has never been updated" };
  const when = timeOf(newest).toISOString();
  if (newest.kind === "destroy") return { reason: `the stack was destroyed at ${when}` };
  if (newest.result !== "succeeded") return { reason: `its last update (${when}) ${newest.result === "in-progress" ? "is still running" : newest.result}` };
  const commit = newest.environment["git.head"];
  if (!commit) return { reason: `its last update (${when}) did not run from a git checkout` };
  if (newest.environment["git.dirty"] === "true") return { reason: `its last update (${when}) ran from a checkout with local changes, not exactly commit ${commit}` };
  let first = newest;
  for (const u of deploys.slice(1)) {
    if (u.kind !== "update" || u.result !== "succeeded" || u.environment["git.head"] !== commit || u.environment["git.dirty"] === "true") break;
    first = u;
  }
  return { deployment: { commit, since: timeOf(first) } };
}
