// The CI's job summary: one row per job from the workflow's `needs` context
// (toJSON(needs)), and one sentence that says plainly what passed and what
// failed. The summary job fails when any job did, so a branch rule can
// require that single check.

export type JobResult = "success" | "failure" | "cancelled" | "skipped";

const marks: Record<JobResult, string> = { success: "✅ passed", failure: "❌ failed", cancelled: "⚪ cancelled", skipped: "⏭️ skipped" };

/** What each job does, for the table (a job missing here is shown by its id). */
export const jobTitles: Record<string, string> = {
  test: "npm test, the offline plan of every stack, the field tools and npm run verify (.ci/run)",
  yamllint: "YAML lint of the workflows and stack files",
  "trivy-config": "Trivy on the configuration and the generated manifests",
  images: "the list of pinned images",
  "trivy-images": "Trivy on every pinned image",
  ggshield: "GitGuardian secret scan (when its key is configured)",
};

export interface Summary {
  ok: boolean;
  markdown: string;
}

export function ciSummary(needsJson: string): Summary {
  let needs: Record<string, { result?: string }>;
  try {
    needs = JSON.parse(needsJson) as Record<string, { result?: string }>;
  } catch (err) {
    throw new Error(`needs: expected the JSON of the needs context (${(err as Error).message})`);
  }
  if (needs === null || typeof needs !== "object" || Object.keys(needs).length === 0) throw new Error("needs: expected the jobs this summary waits for");
  const rows = Object.entries(needs).map(([job, n]) => {
    const result = (n?.result ?? "failure") as JobResult;
    if (!(result in marks)) throw new Error(`needs.${job}.result: expected one of ${Object.keys(marks).join(", ")}, got ${JSON.stringify(n?.result)}`);
    return { job, result };
  });
  const failed = rows.filter((r) => r.result === "failure" || r.result === "cancelled").map((r) => r.job);
  const table = ["| job | what | result |", "| --- | --- | --- |", ...rows.map((r) => `| ${r.job} | ${jobTitles[r.job] ?? r.job} | ${marks[r.result]} |`)];
  const verdict = failed.length === 0 ? "**Everything passed.**" : `**Failed: ${failed.join(", ")}.** Open the failed job's log; the first FAILED line of each check says what and why.`;
  return { ok: failed.length === 0, markdown: ["## CI", "", verdict, "", ...table, ""].join("\n") };
}
