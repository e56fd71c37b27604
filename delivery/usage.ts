/** A command line that cannot be run as given (exit 2, as opposed to a check that fails: exit 1). */
export class UsageError extends Error {}
