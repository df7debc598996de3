// `hash-tagging diff`: whom an edit moves, as the compiled filter tags the ids under the old and the new
// configuration; expected matrices come from the independent FNV-1a and the ranges' meaning.
import assert from "node:assert/strict";
import { it } from "node:test";
import type { RuleDiff } from "../../scripts/cli/diff.ts";
import { REFERENCE_CONFIG, referenceConfigWithCanary } from "../support/configs.ts";
import { fnv1a32 } from "../support/fnv1a.ts";
import { Random } from "../support/random.ts";
import { assertOneLineError, json, runCli, SHIPPED, scratch } from "./run-cli.ts";

const { file } = scratch("diff");

interface DiffReport {
  ids: number;
  unmatched: string[];
  rules: RuleDiff[];
  expectOnlyInto?: { lane: string; unexpectedMoves: number };
}

type Policy = { range: number; tagValue: string };

const random = new Random(9);
const ids = Array.from({ length: 10_000 }, (_, i) => `member-${i}-${random.int(1e6)}`);
const idsFile = file("ids.txt", `${ids.join("\n")}\n`);

/** The lane the ranges give a bucket: the first policy whose range is above it, else untagged. */
function laneFor(bucket: number, policies: Policy[]): string {
  return policies.find((p) => bucket < p.range)?.tagValue ?? "(past_last_range)";
}

/** The from-lane by to-lane counts of `ids` between two policy lists at modulo 100, by the independent FNV-1a. */
function expectedMatrix(before: Policy[], after: Policy[], moduloAfter = 100): Record<string, Record<string, number>> {
  const matrix: Record<string, Record<string, number>> = {};
  for (const id of ids) {
    const hash = fnv1a32(Buffer.from(id));
    const from = laneFor(hash % 100, before);
    const to = laneFor(hash % moduloAfter, after);
    matrix[from] ??= {};
    matrix[from][to] = (matrix[from][to] ?? 0) + 1;
  }
  return matrix;
}

/** The report's matrix without its zero cells, to compare with expectedMatrix. */
function nonZero(matrix: Record<string, Record<string, number>>): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const [from, row] of Object.entries(matrix)) {
    for (const [to, n] of Object.entries(row)) if (n > 0) (out[from] ??= {})[to] = n;
  }
  return out;
}

function diffJson(args: string[], expectedStatus = 0, input?: string): DiffReport {
  const result = runCli(["diff", "--json", ...args], input);
  assert.equal(result.status, expectedStatus, result.stderr);
  return JSON.parse(result.stdout);
}

const SHIPPED_POLICIES = REFERENCE_CONFIG.rules[0].policies;
const configWith = (name: string, policies: Policy[], modulo = 100) =>
  file(name, json({ rules: [{ ...REFERENCE_CONFIG.rules[0], modulo, policies }] }));

it("shows the ramp 20 -> 50 moving users only into s2: nobody leaves s2, and --expect-only-into s2 passes", () => {
  const ramp = file("ramp-50.json", json(referenceConfigWithCanary(50)));
  const report = diffJson([SHIPPED, ramp, idsFile, "--expect-only-into", "s2"]);
  const [rule] = report.rules;
  const expected = expectedMatrix(SHIPPED_POLICIES, referenceConfigWithCanary(50).rules[0].policies);
  assert.deepEqual(nonZero(rule.matrix), expected);
  assert.equal(rule.matrix.s2.s1, 0, "nobody leaves s2");
  assert.equal(rule.movers, expected.s1.s2);
  assert.equal(rule.moverShare, expected.s1.s2 / ids.length);
  assert.deepEqual(rule.flags, []);
  assert.deepEqual(report.expectOnlyInto, { lane: "s2", unexpectedMoves: 0 });
});

it("prints the matrix, the movers and the shares as text", () => {
  const result = runCli(["diff", SHIPPED, file("ramp-50.yaml", json(referenceConfigWithCanary(50))), idsFile]);
  assert.equal(result.status, 0);
  assert.equal(result.stderr, "");
  assert.doesNotMatch(result.stdout, /\x1b\[/);
  const expected = expectedMatrix(SHIPPED_POLICIES, referenceConfigWithCanary(50).rules[0].policies);
  const movers = expected.s1.s2;
  assert.match(
    result.stdout,
    new RegExp(`\nrule_0: 10,000 ids, ${movers.toLocaleString("en-US")} \\(${(movers / 100).toFixed(2)}%\\) change lane\n`),
  );
  assert.match(result.stdout, /\n {2}from \\ to +s2 +s1\n {2}s2 +[\d,]+ +0\n {2}s1 +[\d,]+ +[\d,]+\n/);
  assert.match(result.stdout, /\n {2}no flags: nobody leaves a lane that grows, and no edit reshuffles buckets\n$/);
});

it("exits 3 with --expect-only-into s2 on a rollback edit, after printing the report", () => {
  const rollback = file("rollback.json", json(referenceConfigWithCanary(0)));
  const result = runCli(["diff", "--json", SHIPPED, rollback, idsFile, "--expect-only-into", "s2"]);
  assert.equal(result.status, 3);
  const expected = expectedMatrix(SHIPPED_POLICIES, referenceConfigWithCanary(0).rules[0].policies);
  const report: DiffReport = JSON.parse(result.stdout);
  assert.deepEqual(nonZero(report.rules[0].matrix), expected);
  assert.deepEqual(report.expectOnlyInto, { lane: "s2", unexpectedMoves: expected.s2.s1 });
  assert.equal(
    result.stderr,
    `hash-tagging: --expect-only-into s2: ${expected.s2.s1.toLocaleString("en-US")} users move elsewhere than into s2\n`,
  );
});

it("flags a reorder of policies, even when the shares stay the same", () => {
  const reordered = [
    { range: 80, tagValue: "s1" },
    { range: 100, tagValue: "s2" },
  ];
  const [rule] = diffJson([SHIPPED, configWith("reorder.json", reordered), idsFile]).rules;
  assert.deepEqual(nonZero(rule.matrix), expectedMatrix(SHIPPED_POLICIES, reordered));
  assert.deepEqual(rule.flags, ["policies reordered (s2, s1 -> s1, s2): the same buckets now go to other lanes, so users reshuffle"]);
});

it("flags users leaving a lane whose share grows: a wrong ramp", () => {
  const wrongRamp = [
    { range: 50, tagValue: "s1" },
    { range: 100, tagValue: "s2" },
  ];
  const result = runCli(["diff", "--json", SHIPPED, configWith("wrong-ramp.json", wrongRamp), idsFile, "--expect-only-into", "s2"]);
  assert.equal(result.status, 3);
  const [rule] = (JSON.parse(result.stdout) as DiffReport).rules;
  const expected = expectedMatrix(SHIPPED_POLICIES, wrongRamp);
  assert.deepEqual(nonZero(rule.matrix), expected);
  assert.equal(
    rule.flags[0],
    `${expected.s2.s1.toLocaleString("en-US")} users leave s2 although it grows (${(100 * rule.shares.s2.old).toFixed(2)}% -> ${(100 * rule.shares.s2.new).toFixed(2)}%): a ramp should only move users into a growing lane`,
  );
  assert.match(rule.flags[1], /^policies reordered \(s2, s1 -> s1, s2\)/);
});

it("flags a changed modulo as a reshuffle", () => {
  const policies = [
    { range: 200, tagValue: "s2" },
    { range: 1000, tagValue: "s1" },
  ];
  const [rule] = diffJson([SHIPPED, configWith("modulo-1000.json", policies, 1000), idsFile]).rules;
  assert.deepEqual(nonZero(rule.matrix), expectedMatrix(SHIPPED_POLICIES, policies, 1000));
  assert.deepEqual(rule.flags, ["modulo changed 100 -> 1000: every user gets a new bucket, so users reshuffle across lanes"]);
});

it("matches rules by name and says which are only on one side", () => {
  const named = file("named.json", json({ rules: [{ ...REFERENCE_CONFIG.rules[0], name: "canary" }] }));
  const report = diffJson([SHIPPED, named, "--sample", "100"]);
  assert.deepEqual(report.rules, []);
  assert.deepEqual(report.unmatched, [`rule rule_0 is only in ${SHIPPED}: not compared`, `rule canary is only in ${named}: not compared`]);
});

it("reads CRLF and invalid UTF-8 ids as the filter would receive them", () => {
  const lf = diffJson([SHIPPED, file("ramp.json", json(referenceConfigWithCanary(50))), idsFile]);
  assert.deepEqual(
    diffJson([SHIPPED, file("ramp2.json", json(referenceConfigWithCanary(50))), file("crlf.txt", `${ids.join("\r\n")}\r\n`)]).rules,
    lf.rules,
  );
  const binary = Buffer.from([0xc3, 0x28, 0x0a, 0xff, 0x0a]);
  const report = diffJson([SHIPPED, file("rollback2.json", json(referenceConfigWithCanary(0))), file("binary.txt", binary)]);
  const tag = (id: number[]) => (fnv1a32(Uint8Array.from(id)) % 100 < 20 ? "s2" : "s1");
  const expected: Record<string, Record<string, number>> = {};
  for (const id of [[0xc3, 0x28], [0xff]]) (expected[tag(id)] ??= {}).s1 = (expected[tag(id)]?.s1 ?? 0) + 1;
  assert.deepEqual(nonZero(report.rules[0].matrix), expected);
});

it("refuses bad files, ids and arguments with one line and a non-zero exit", () => {
  const ramp = file("ramp-bad.json", json(referenceConfigWithCanary(50)));
  assertOneLineError(runCli(["diff", SHIPPED, "missing.yaml", idsFile]), 2, /missing\.yaml: cannot read: ENOENT/);
  assertOneLineError(
    runCli(["diff", SHIPPED, file("refused.json", json(referenceConfigWithCanary(101))), idsFile]),
    1,
    /refused\.json: pluginConfig: refused by the filter: rules\[0\]\.policies\[0\]\.range: /,
  );
  assertOneLineError(runCli(["diff", SHIPPED, ramp, file("empty.txt", "")]), 2, /empty\.txt: no ids/);
  assertOneLineError(
    runCli(["diff", SHIPPED, ramp, idsFile, "--expect-only-into", "s3"]),
    2,
    /--expect-only-into s3: no rule has a lane s3 for these ids \(lanes: s2, s1\)/,
  );
  assertOneLineError(runCli(["diff", SHIPPED]), 2, /missing required argument 'new'/);
  assertOneLineError(runCli(["diff", SHIPPED, ramp, file("nul.txt", "ok\n\0\n")]), 2, /nul\.txt:2: id holds a NUL byte/);
});
