// The README's performance table is the last `npm run bench:instructions` run, not a copy that drifts.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { it } from "node:test";

it("README shows scripts/bench/results/instructions.md as written by the benchmark", () => {
  const readme = readFileSync("README.md", "utf8");
  const shown = /<!-- scripts\/bench\/results\/instructions.md -->\n([\s\S]*?)\n<!-- end -->/.exec(readme)?.[1];
  assert.ok(shown, "README has no marked copy of scripts/bench/results/instructions.md");
  assert.equal(shown.trim(), readFileSync("scripts/bench/results/instructions.md", "utf8").trim());
  assert.match(readme, /!\[[^\]]*\]\(scripts\/bench\/results\/instructions\.svg\)/);
});
