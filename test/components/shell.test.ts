// Quoting and heredocs, run by a real shell: what a value holds reaches the
// command unchanged, and no content can end its heredoc early.
import { execFileSync } from "child_process";
import { heredoc, heredocMarker, shellQuote } from "../../components/shell";

const sh = (script: string) => execFileSync("sh", ["-c", script], { encoding: "utf8" });

describe("shellQuote", () => {
  it.each([["plain"], ["it's"], ["$(reboot) `id` $HOME"], ["a\nb"], [""], ["'"], ["''\\"]])("passes %p through unchanged", (value) => {
    expect(sh(`printf %s ${shellQuote(value)}`)).toBe(value);
  });

  it("quotes numbers too", () => {
    expect(shellQuote(42)).toBe("'42'");
  });
});

describe("heredoc", () => {
  it("feeds the content unexpanded, with exactly one final newline", () => {
    const content = "a $HOME `id`\n\\n 'q'\n";
    expect(sh(heredoc("cat", content, "file x"))).toBe(content);
    expect(sh(heredoc("cat", "no newline", "file y"))).toBe("no newline\n");
    expect(heredoc("cat", "x\n", "f")).toBe(`cat <<'${heredocMarker}'\nx\n${heredocMarker}`);
  });

  it("keeps blank lines inside and only drops the one final newline", () => {
    expect(sh(heredoc("cat", "\n\na\n\n", "file z"))).toBe("\n\na\n\n");
  });

  it("refuses content with the marker as a whole line, naming what it was", () => {
    expect(() => heredoc("cat", `a\n${heredocMarker}\nrm -rf /`, "file /etc/exports")).toThrow(`file /etc/exports contains a line "${heredocMarker}", which would end its heredoc early`);
    expect(() => heredoc("cat", heredocMarker, "f")).toThrow("would end its heredoc early");
    // As part of a line it cannot end the heredoc.
    expect(sh(heredoc("cat", `x${heredocMarker}\n ${heredocMarker}`, "f"))).toBe(`x${heredocMarker}\n ${heredocMarker}\n`);
  });
});
