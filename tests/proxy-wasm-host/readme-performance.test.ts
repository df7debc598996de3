// scripts/bench/README.md's instruction table is the last `npm run bench:instructions` run, not a copy that drifts.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { it } from "node:test";
import { readme } from "../support/readme.ts";

it("scripts/bench/README.md shows scripts/bench/results/instructions.md as written by the benchmark", () => {
  const doc = readme("scripts/bench/README.md");
  const shown = /<!-- scripts\/bench\/results\/instructions.md -->\n([\s\S]*?)\n<!-- end -->/.exec(doc)?.[1];
  assert.ok(shown, "scripts/bench/README.md has no marked copy of scripts/bench/results/instructions.md");
  assert.equal(shown.trim(), readFileSync("scripts/bench/results/instructions.md", "utf8").trim());
  assert.match(doc, /!\[[^\]]*\]\(results\/instructions\.svg\)/);
});

/** The "added over no filter" column of results/instructions.md, by variant. */
function added(): Map<string, number> {
  const rows = readFileSync("scripts/bench/results/instructions.md", "utf8")
    .split("\n")
    .filter((l) => /^\| .* \| [\d,]+ \| [+\d,]+ \|$/.test(l))
    .map((l) => l.split("|").map((c) => c.trim()));
  return new Map(rows.map((cells) => [cells[1], Number(cells[3].replace(/[+,]/g, ""))]));
}

const hundreds = (n: number) => `+${(Math.round(n / 100) * 100).toLocaleString("en-US")}`;

it("scripts/bench/README.md's sidecar table is the pass-through rows of the results, rounded", () => {
  const cost = added();
  const variant = (name: string) => {
    assert.ok(cost.has(name), `results/instructions.md has no variant "${name}"`);
    return hundreds(cost.get(name)!);
  };
  const table = /\| hop \|[^\n]*\n\|[^\n]*\n((?:\|[^\n]*\n)+)/.exec(readme("scripts/bench/README.md"))?.[1];
  assert.ok(table, "scripts/bench/README.md has no sidecar table");
  const rows = table
    .trimEnd()
    .split("\n")
    .map((l) =>
      l
        .split("|")
        .slice(2, -1)
        .map((c) => c.trim()),
    );
  assert.deepEqual(rows, [
    [variant("pass-through, inbound record"), variant("pass-through, inbound record, direction auto")],
    [variant("pass-through, outbound restore"), variant("pass-through, outbound restore, direction auto")],
    [variant("pass-through, outbound miss, rules decide"), ""],
    [variant("pass-through, baggage in"), ""],
    [variant("pass-through, baggage out"), ""],
  ]);
  const floors = `pays ${variant("floor: pass-through, inbound record")} to\nrecord and ${variant("floor: pass-through, outbound restore")} to restore`;
  assert.ok(readme("scripts/bench/README.md").includes(floors), `scripts/bench/README.md does not say the sidecar floor ${floors}`);
});

it("the README's cost figures (Lua against the filter, direction auto) are the results', rounded", () => {
  const cost = added();
  const text = readme();
  const lua = hundreds(cost.get("Lua, same decision")!).slice(1);
  const filter = hundreds(cost.get("hash-tagging, reference config")!).slice(1);
  assert.match(text, new RegExp(`about ${lua} instructions a request, this filter ${filter}`));
  const auto =
    (cost.get("pass-through, inbound record, direction auto")! -
      cost.get("pass-through, inbound record")! +
      cost.get("pass-through, outbound restore, direction auto")! -
      cost.get("pass-through, outbound restore")!) /
    2;
  assert.match(text, new RegExp(`about ${hundreds(auto).slice(1)} instructions a request cheaper`));
  const hops = [...cost].filter(([name]) => name.startsWith("pass-through, ") && !name.endsWith("direction auto")).map(([, n]) => n);
  const range = `a sidecar hop ${hundreds(Math.min(...hops)).slice(1)} to ${hundreds(Math.max(...hops)).slice(1)}`;
  assert.ok(text.includes(range), `the README does not say ${range}`);
});
