/** A command line that cannot be run as given (exit 2, as opposed to a check that fails: exit 1). */
export class UsageError extends Error {}

/** The value after `flag` on a command line, or undefined; a flag without a value is a UsageError. */
export function option(argv: string[], flag: string): string | undefined {
  const i = argv.indexOf(flag);
  if (i === -1) return undefined;
  const v = argv[i + 1];
  if (v === undefined || v.startsWith("--")) throw new UsageError(`${flag}: expected a value`);
  return v;
}
