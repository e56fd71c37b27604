// The commands the README and the runbooks tell a user to type, read out of
// the Markdown as a shell would read them: fenced `sh`/`bash`/`shell` blocks
// line by line (comments dropped, `\` continuations joined) and inline code
// spans that start with a command this project documents. Each line is split
// into simple commands at `&&`, `||`, `;` and `|`, and each command into
// words with its quoting removed and its `<` redirection kept apart.
// test/docs/commands.test.ts plays every one of them against the project;
// `npm run verify` runs the field tools' ones against the real tools.
import * as fs from "fs";
import * as path from "path";

export interface DocCommand {
  /** File relative to the project root, and the line the command starts on. */
  file: string;
  line: number;
  /** The command as written. */
  text: string;
  /** Its words, quotes removed. */
  argv: string[];
  /** A file fed on stdin (`< file`), as written. */
  stdin?: string;
  /** From a code block (a sequence to type) or an inline code span (a single command in prose). */
  source: "block" | "inline";
  /** Metavariables of an inline usage line (`<stack>`), each to be checked with every value it stands for. */
  metavariables: string[];
}

/** Programs whose inline code spans are commands (other spans are names, keys or values). */
export const commandWords = ["pulumi", "npm", "omnictl", "talosctl", "kubectl", "zfs", "zpool", "systemctl", "exportfs", "dmesg", "pveum", "git"];

export class ShellSyntaxError extends Error {}

/** Splits one line of shell into simple commands of words (no expansions; quotes removed). */
export function shellCommands(line: string): { argv: string[]; stdin?: string; text: string }[] {
  const commands: { argv: string[]; stdin?: string; text: string }[] = [];
  let words: string[] = [];
  let word: string | undefined;
  let stdin: string | undefined;
  let expectStdin = false;
  let start = 0;
  const endWord = () => {
    if (word === undefined) return;
    if (expectStdin) {
      stdin = word;
      expectStdin = false;
    } else words.push(word);
    word = undefined;
  };
  const endCommand = (end: number) => {
    endWord();
    if (expectStdin) throw new ShellSyntaxError(`'<' without a file in: ${line}`);
    if (words.length > 0) commands.push({ argv: words, ...(stdin !== undefined ? { stdin } : {}), text: line.slice(start, end).trim() });
    words = [];
    stdin = undefined;
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === "'") {
      const close = line.indexOf("'", i + 1);
      if (close === -1) throw new ShellSyntaxError(`unclosed ' in: ${line}`);
      word = (word ?? "") + line.slice(i + 1, close);
      i = close;
    } else if (c === '"') {
      let j = i + 1;
      let text = "";
      for (; j < line.length && line[j] !== '"'; j++) {
        if (line[j] === "\\" && j + 1 < line.length && '"\\$`'.includes(line[j + 1])) text += line[++j];
        else if (line[j] === "$" || line[j] === "`") throw new ShellSyntaxError(`expansion inside "..." is not checked; write the value out in: ${line}`);
        else text += line[j];
      }
      if (j >= line.length) throw new ShellSyntaxError(`unclosed " in: ${line}`);
      word = (word ?? "") + text;
      i = j;
    } else if (c === "\\" && i + 1 < line.length) {
      word = (word ?? "") + line[++i];
    } else if (c === " " || c === "\t") {
      endWord();
    } else if (c === "#" && word === undefined) {
      endCommand(i);
      return commands;
    } else if (c === ";" || c === "|" || (c === "&" && line[i + 1] === "&")) {
      endCommand(i);
      if ((c === "|" && line[i + 1] === "|") || c === "&") i++;
      start = i + 1;
    } else if (c === "<") {
      endWord();
      expectStdin = true;
    } else if (c === ">" || c === "&" || c === "(" || c === ")" || c === "`" || c === "$") {
      throw new ShellSyntaxError(`'${c}' is not checked (redirection, job, subshell or expansion) in: ${line}`);
    } else {
      word = (word ?? "") + c;
    }
  }
  endCommand(line.length);
  return commands;
}

const fence = /^\s*(`{3,}|~{3,})\s*([\w-]*)/;
const shellLanguages = new Set(["sh", "bash", "shell"]);

/** Every command in one Markdown text. */
export function commandsInMarkdown(text: string, file: string): DocCommand[] {
  const lines = text.split("\n");
  const found: DocCommand[] = [];
  const parse = (line: string, at: number) => {
    try {
      return shellCommands(line);
    } catch (err) {
      throw new ShellSyntaxError(`${file}:${at}: ${(err as Error).message}`);
    }
  };
  let block: { marker: string; shell: boolean } | undefined;
  let pending = "";
  let pendingLine = 0;
  lines.forEach((raw, index) => {
    const lineNo = index + 1;
    const f = fence.exec(raw);
    if (block) {
      if (f && raw.trim().startsWith(block.marker[0].repeat(3)) && f[2] === "") {
        block = undefined;
        return;
      }
      if (!block.shell) return;
      const joined = pending + raw;
      if (/\\$/.test(raw)) {
        if (!pending) pendingLine = lineNo;
        pending = `${joined.slice(0, -1)} `;
        return;
      }
      const startLine = pending ? pendingLine : lineNo;
      pending = "";
      for (const c of parse(joined, startLine)) found.push({ file, line: startLine, text: c.text, argv: c.argv, ...(c.stdin !== undefined ? { stdin: c.stdin } : {}), source: "block", metavariables: [] });
      return;
    }
    if (f) {
      block = { marker: f[1], shell: shellLanguages.has(f[2]) };
      return;
    }
    for (const m of raw.matchAll(/(`+)([^`]+?)\1/g)) {
      const span = m[2].trim();
      const words = span.split(/\s+/);
      // A lone program name is a name in a sentence, not a command.
      if (!commandWords.includes(words[0]) || words.length < 2) continue;
      // In prose, `<stack>` is a usage metavariable, not a redirection: kept as a word of its own.
      const metavariables = [...span.matchAll(/<([a-z][a-z-]*)>/g)].map((v) => v[1]);
      const marked = span.replace(/<([a-z][a-z-]*)>/g, "\u0001$1\u0002");
      for (const c of parse(marked, lineNo)) {
        const unmark = (w: string) => w.split("\u0001").join("<").split("\u0002").join(">");
        found.push({ file, line: lineNo, text: unmark(c.text), argv: c.argv.map(unmark), ...(c.stdin !== undefined ? { stdin: c.stdin } : {}), source: "inline", metavariables });
      }
    }
  });
  if (block) throw new ShellSyntaxError(`${file}: a code block is not closed`);
  return found;
}

/** The Markdown files whose commands users type: README.md and docs/**. */
export function documentationFiles(root: string): string[] {
  const walk = (dir: string): string[] =>
    fs
      .readdirSync(path.join(root, dir), { withFileTypes: true })
      .flatMap((d) => (d.isDirectory() ? walk(path.join(dir, d.name)) : d.name.endsWith(".md") ? [path.join(dir, d.name)] : []))
      .sort();
  return ["README.md", ...walk("docs")];
}

export function documentedCommands(root: string): DocCommand[] {
  return documentationFiles(root).flatMap((file) => commandsInMarkdown(fs.readFileSync(path.join(root, file), "utf8"), file));
}
