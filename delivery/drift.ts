// The issue the nightly drift check opens (or comments on): the stack, the
// run, and the preview's output without colours, cut to what GitHub takes.

/** GitHub refuses an issue body over 65536 characters; the rest of the page is ours. */
export const maxDiffChars = 60_000;
export const driftLabel = "drift";

// eslint-disable-next-line no-control-regex
const plain = (text: string) => text.replace(/\u001b\[[0-9;]*[A-Za-z]/g, "");

export function driftIssue(stack: string, previewOutput: string, runUrl: string): { title: string; body: string; label: string } {
  const text = plain(previewOutput).trim();
  // The head of a long output is the plan and the diff; keep it, say what was cut.
  const shown = text.length > maxDiffChars ? `${text.slice(0, maxDiffChars)}\n... (${text.length - maxDiffChars} more characters in the run's log)` : text;
  const fence = "`".repeat(Math.max(3, ...[...shown.matchAll(/`+/g)].map((m) => m[0].length + 1)));
  return {
    title: `Drift on the ${stack} stack`,
    label: driftLabel,
    body: [
      `The nightly \`npm run preview -- --stack ${stack} --refresh --expect-no-changes\` found changes: what runs differs from what the program describes.`,
      "",
      `Run: ${runUrl}`,
      "",
      "Either bring the program in line (a change made by hand that should stay) or redeploy to undo it (`npm run up -- --stack " + stack + "`). docs/delivery.md, drift.",
      "",
      `${fence}text`,
      shown,
      fence,
    ].join("\n"),
  };
}
