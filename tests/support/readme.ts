// Reading the READMEs the way the tests check them: a section by its heading, its tables and code blocks.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../../scripts/lib/paths.ts";

/** A README's text, by its path from the repository root. */
export function readme(path = "README.md"): string {
  return readFileSync(join(REPO_ROOT, path), "utf8");
}

/** The section under `heading` (a whole line such as "## CLI"), up to the next heading of its level or higher. */
export function section(text: string, heading: string, path = "README.md"): string {
  const lines = text.split("\n");
  const start = lines.indexOf(heading);
  assert.ok(start >= 0, `${path} has no section "${heading}"`);
  const level = heading.indexOf(" ");
  let fenced = false;
  for (let i = start + 1; i < lines.length; i++) {
    if (lines[i].startsWith("```")) fenced = !fenced;
    const m = /^(#+) /.exec(lines[i]);
    if (!fenced && m && m[1].length <= level) return lines.slice(start, i).join("\n");
  }
  return lines.slice(start).join("\n");
}

/** The rows of the first table after `marker` in `text`, cells trimmed, backticks removed. */
export function tableRows(text: string, marker: string): string[][] {
  const start = text.indexOf(marker);
  assert.ok(start >= 0, `no "${marker}"`);
  const lines = text.slice(start).split("\n");
  const rows = lines.slice(lines.findIndex((l) => l.startsWith("|")) + 2);
  const end = rows.findIndex((l) => !l.startsWith("|"));
  return rows.slice(0, end < 0 ? rows.length : end).map((l) =>
    l
      .replace(/\\\|/g, "\u0000")
      .split("|")
      .slice(1, -1)
      .map((c) =>
        c
          .trim()
          .replace(/`/g, "")
          .replace(/\u0000/g, "|"),
      ),
  );
}

/** The bodies of the code blocks of `text` fenced as ```lang (``` alone for lang ""). */
export function codeBlocks(text: string, lang: string): string[] {
  return [...text.matchAll(/^```(\S*)\n([\s\S]*?)^```$/gm)].filter((m) => m[1] === lang).map((m) => m[2]);
}
