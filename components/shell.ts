// Quoting for values that reach a POSIX shell script. Config values are
// validated, but a script must stay correct whatever a value holds (an email
// address may carry an apostrophe), so every interpolation goes through here.

/** One shell word holding exactly `value`: single-quoted, each ' written as '\''. */
export const shellQuote = (value: string | number): string => `'${String(value).replace(/'/g, `'\\''`)}'`;

/** The marker every heredoc of the program uses; it must never appear as a line of the content. */
export const heredocMarker = "HOMELAB_EOF";

/** A quoted heredoc (no expansion inside) feeding `command`; refuses content that would end it early. */
export function heredoc(command: string, content: string, what: string): string {
  if (content.split("\n").some((line) => line === heredocMarker)) throw new Error(`${what} contains a line "${heredocMarker}", which would end its heredoc early`);
  return [`${command} <<'${heredocMarker}'`, content.replace(/\n$/, ""), heredocMarker].join("\n");
}
