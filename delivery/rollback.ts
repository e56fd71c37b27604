// Promotions are git tags: `promoted/<UTC time>` on each commit the
// promote-prod workflow deployed to PROD and CLOUD, `rolled-back/<UTC time>`
// on each commit a rollback left. The rollback target is the newest promoted
// commit that is neither what PROD runs now nor one rolled back from, so two
// rollbacks in a row step back twice instead of returning to the bad commit.

export const promotedPrefix = "promoted/";
export const rolledBackPrefix = "rolled-back/";
/** A promotion's tag, as tagName writes it. */
export const promotedTag = /^promoted\/\d{8}T\d{6}Z$/;

export interface Tag {
  name: string;
  commit: string;
}

/** The tag of a promotion or rollback at `at`: sortable by name (UTC, to the second). */
export function tagName(prefix: string, at: Date): string {
  return `${prefix}${at.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}Z$/, "Z")}`;
}

/** `git tag --list --format='%(refname:strip=2) %(objectname)'` lines as tags. */
export function parseTags(text: string): Tag[] {
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const [name, commit] = l.split(/\s+/);
      if (!commit || !/^[0-9a-f]{40}$/.test(commit)) throw new Error(`git tags: expected "<name> <commit>", got ${JSON.stringify(l)}`);
      return { name, commit };
    });
}

/** The tag to redeploy, or why there is none. `current` is the commit PROD runs (undefined when unknown). */
export function rollbackTarget(tags: readonly Tag[], current: string | undefined): { tag?: Tag; reason?: string } {
  const promoted = tags.filter((t) => t.name.startsWith(promotedPrefix)).sort((a, b) => b.name.localeCompare(a.name));
  if (promoted.length === 0) return { reason: `no ${promotedPrefix}* tag: nothing was ever promoted` };
  const left = new Set(tags.filter((t) => t.name.startsWith(rolledBackPrefix)).map((t) => t.commit));
  // PROD's state unknown (its last update failed): what was promoted last is the one to leave.
  const leaving = current ?? promoted[0].commit;
  const tag = promoted.find((t) => t.commit !== leaving && !left.has(t.commit));
  return tag ? { tag } : { reason: `no promoted commit before ${leaving} that was not rolled back from` };
}
