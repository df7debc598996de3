// `hash-tagging split`: each lane's count and share for a set of ids, as the compiled filter tags them,
// checked against the independent FNV-1a; the bucket uniformity test; streaming in bounded memory.
import assert from "node:assert/strict";
import { createWriteStream, readFileSync } from "node:fs";
import { join } from "node:path";
import { it } from "node:test";
import { REFERENCE_CONFIG } from "../support/configs.ts";
import { fnv1a32, referenceTag } from "../support/fnv1a.ts";
import { Random } from "../support/random.ts";
import { assertOneLineError, json, runCli, runCliMeasuringRss, SHIPPED, scratch } from "./run-cli.ts";

const { dir, file } = scratch("split");

interface Lane {
  lane: string;
  count: number;
  share: number;
  intended?: number;
}
interface RuleSplit {
  rule: string;
  ids: number;
  lanes: Lane[];
  uniformity: { statistic?: number; degreesOfFreedom?: number; pValue?: number; uniform?: boolean; notRun?: string };
  warning?: string;
}

function splitJson(args: string[], input?: string | Uint8Array): { ids: number; rules: RuleSplit[] } {
  const result = runCli(["split", "--json", ...args], input);
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout);
}

const random = new Random(20261128);
const randomIds = Array.from({ length: 20_000 }, () => `u${random.int(1e9).toString(36)}-${random.int(1e6)}`);
const randomIdsFile = file("random.txt", `${randomIds.join("\n")}\n`);

/** Ids per lane of the reference config, by the independent FNV-1a. */
function referenceCounts(ids: Uint8Array[]): { s1: number; s2: number } {
  const counts = { s1: 0, s2: 0 };
  for (const id of ids) counts[fnv1a32(id) % 100 < 20 ? "s2" : "s1"]++;
  return counts;
}

/** Pearson's statistic of the ids' buckets modulo `modulo`, by the independent FNV-1a. */
function referenceStatistic(ids: string[], modulo: number): number {
  const buckets = new Array<number>(modulo).fill(0);
  for (const id of ids) buckets[fnv1a32(Buffer.from(id)) % modulo]++;
  const expected = ids.length / modulo;
  return buckets.reduce((sum, n) => sum + (n - expected) ** 2 / expected, 0);
}

it("counts each lane of the shipped manifest as FNV-1a does, next to the intended 20/80", () => {
  const { ids, rules } = splitJson([SHIPPED, randomIdsFile]);
  assert.equal(ids, randomIds.length);
  const expected = referenceCounts(randomIds.map((id) => Buffer.from(id)));
  assert.deepEqual(rules[0].lanes, [
    { lane: "s2", count: expected.s2, share: expected.s2 / ids, intended: 0.2 },
    { lane: "s1", count: expected.s1, share: expected.s1 / ids, intended: 0.8 },
  ]);
  assert.equal(rules[0].uniformity.degreesOfFreedom, 99);
  assert.ok(Math.abs(rules[0].uniformity.statistic! - referenceStatistic(randomIds, 100)) < 1e-6);
  assert.equal(rules[0].uniformity.uniform, true, "random ids at modulo 100 are uniform");
  assert.equal(rules[0].warning, undefined);
});

it("draws the split as text bars, without colour or progress bar off a terminal", () => {
  const result = runCli(["split", SHIPPED, randomIdsFile]);
  assert.equal(result.status, 0);
  assert.equal(result.stderr, "");
  assert.doesNotMatch(result.stdout, /\x1b\[/);
  const expected = referenceCounts(randomIds.map((id) => Buffer.from(id)));
  assert.match(
    result.stdout,
    /^deploy\/istio\/base\/wasmplugin\.yaml: WasmPlugin istio-system\/hash-tagging\n\nrule_0: x-user-id -> x-asm-prefer-tag, 20,000 ids\n/,
  );
  assert.match(
    result.stdout,
    new RegExp(
      `\n  s2  [█·|]{40}  +${expected.s2.toLocaleString("en-US")} +${((100 * expected.s2) / 20_000).toFixed(2)}%  intended 20\\.00%\n`,
    ),
  );
  assert.match(result.stdout, /\n {2}buckets uniform \(chi-square [\d.]+, 99 degrees of freedom, p = [\d.e-]+\)\n$/);
});

it("warns, with the p-value, that sequential ids at modulo 1000 are not uniform with plain FNV-1a", () => {
  const sequential = Array.from({ length: 100_000 }, (_, i) => `user-${i + 1}`);
  const config = file(
    "modulo-1000.json",
    json({
      rules: [
        {
          header: "x-user-id",
          modulo: 1000,
          tagHeader: "x-tag",
          policies: [
            { range: 200, tagValue: "canary" },
            { range: 1000, tagValue: "stable" },
          ],
        },
      ],
    }),
  );
  const { rules } = splitJson([config, file("sequential.txt", sequential.join("\n"))]);
  const statistic = referenceStatistic(sequential, 1000);
  assert.ok(Math.abs(rules[0].uniformity.statistic! - statistic) < 1e-6);
  assert.equal(rules[0].uniformity.uniform, false);
  assert.match(
    rules[0].warning ?? "",
    /^buckets are not uniform for these ids \(chi-square [\d.]+, 999 degrees of freedom, p = [\d.e-]+\): try `hash: fnv1a32-fmix32`$/,
  );
  assert.ok(rules[0].uniformity.pValue! < 0.001);
});

it("reads CRLF files as LF ones, and stdin with -", () => {
  const lf = splitJson([SHIPPED, randomIdsFile]);
  assert.deepEqual(splitJson([SHIPPED, file("crlf.txt", `${randomIds.join("\r\n")}\r\n`)]), lf);
  assert.deepEqual(splitJson([SHIPPED, "-"], `${randomIds.join("\n")}\n`), lf);
});

it("hashes ids that are not valid UTF-8 as raw bytes", () => {
  const ids = Array.from({ length: 2000 }, () =>
    Uint8Array.from(
      random.bytes(1 + random.int(12)).map((b) => (b === 0x0a || b === 0x0d || b === 0 || b === 0x20 || b === 0x09 ? 0x80 : b)),
    ),
  );
  const { ids: total, rules } = splitJson([SHIPPED, file("binary.txt", Buffer.concat(ids.flatMap((id) => [id, Buffer.from("\n")])))]);
  assert.equal(total, ids.length);
  const expected = referenceCounts(ids);
  assert.deepEqual(
    rules[0].lanes.map((l) => [l.lane, l.count]),
    [
      ["s2", expected.s2],
      ["s1", expected.s1],
    ],
  );
});

it("generates random ids with --sample N, and tests uniformity only with enough of them", () => {
  const { ids, rules } = splitJson([SHIPPED, "--sample", "300"]);
  assert.equal(ids, 300);
  assert.equal(
    rules[0].lanes.reduce((sum, l) => sum + l.count, 0),
    300,
  );
  assert.deepEqual(rules[0].uniformity, { notRun: "too few ids for 100 buckets (the test needs 500)" });
  assert.equal(splitJson([SHIPPED, "--sample", "600"]).rules[0].uniformity.degreesOfFreedom, 99);
});

it("writes the chart as SVG with --svg", () => {
  const out = join(dir, "split.svg");
  const result = runCli(["split", SHIPPED, randomIdsFile, "--svg", out]);
  assert.equal(result.status, 0);
  const svg = readFileSync(out, "utf8");
  const expected = referenceCounts(randomIds.map((id) => Buffer.from(id)));
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.match(svg, new RegExp(`>${expected.s2.toLocaleString("en-US")} [\\d.]+% \\(intended 20\\.00%\\)<`));
  assert.equal((svg.match(/<rect x=/g) ?? []).length, 4, "a track and a bar per lane");
  assertOneLineError(
    runCli(["split", SHIPPED, randomIdsFile, "--svg", join(dir, "no-such-dir", "x.svg")]),
    2,
    /x\.svg: cannot write: ENOENT/,
  );
});

it("refuses bad ids, files and arguments with one line and a non-zero exit", () => {
  assertOneLineError(
    runCli(["split", SHIPPED, file("empty.txt", "")]),
    2,
    /empty\.txt: no ids \(the input is empty or holds only blank lines\)/,
  );
  assertOneLineError(runCli(["split", SHIPPED, file("blank.txt", "\n  \r\n\t\n")]), 2, /blank\.txt: no ids/);
  assertOneLineError(runCli(["split", SHIPPED, join(dir, "missing.txt")]), 2, /missing\.txt: cannot read: ENOENT/);
  assertOneLineError(runCli(["split", SHIPPED, file("nul.txt", "a\nb\nc\0d\n")]), 2, /nul\.txt:3: id holds a NUL byte at column 2/);
  assertOneLineError(runCli(["split", SHIPPED, file("cr.txt", "a\rb\n")]), 2, /cr\.txt:1: id holds a CR byte at column 2/);
  assertOneLineError(runCli(["split", SHIPPED, file("long.txt", `${"x".repeat(70_000)}\n`)]), 2, /long\.txt:1: id longer than 61440 bytes/);
  assertOneLineError(runCli(["split", SHIPPED]), 2, /no ids: give an ids file \(- for stdin\) or --sample N/);
  assertOneLineError(runCli(["split", SHIPPED, randomIdsFile, "--sample", "10"]), 2, /give an ids file or --sample N, not both/);
  assertOneLineError(runCli(["split", SHIPPED, "--sample", "0"]), 2, /--sample "0": expected a positive integer/);
  assertOneLineError(
    runCli(["split", file("refused.json", json({ rules: [{ ...REFERENCE_CONFIG.rules[0], tagHeader: "x tag" }] })), randomIdsFile]),
    1,
    /refused by the filter: rules\[0\]\.tagHeader: expected an HTTP header name/,
  );
  assertOneLineError(runCli(["split", file("not-yaml.yaml", "{rules: [}"), randomIdsFile]), 2, /not YAML or JSON/);
});

const HEAP_CAP_MIB = 48;

it("streams 1,000,000 ids in bounded memory", async () => {
  const big = join(dir, "million.txt");
  const out = createWriteStream(big);
  for (let i = 0; i < 1_000_000; i += 10_000) {
    out.write(`${Array.from({ length: 10_000 }, (_, j) => `user-${i + j}`).join("\n")}\n`);
  }
  await new Promise((resolve) => out.end(resolve));
  // A JavaScript heap of 48 MiB: a CLI that kept the ids (about 120 MiB of heap for these) could not finish.
  const heapCap = [`--max-old-space-size=${HEAP_CAP_MIB}`];
  const small = await runCliMeasuringRss(["split", "--json", SHIPPED, randomIdsFile], heapCap);
  const large = await runCliMeasuringRss(["split", "--json", SHIPPED, big], heapCap);
  assert.equal(large.status, 0, large.stderr);
  const { ids, rules } = JSON.parse(large.stdout);
  assert.equal(ids, 1_000_000);
  assert.equal(rules[0].lanes.find((l: Lane) => l.lane === "s2").count, referenceCount(1_000_000));
  const growthMiB = (large.peakRssKiB - small.peakRssKiB) / 1024;
  console.log(
    `split: peak RSS ${(small.peakRssKiB / 1024).toFixed(0)} MiB for 20,000 ids, ${(large.peakRssKiB / 1024).toFixed(0)} MiB for 1,000,000`,
  );
  // Memory outside that heap (file chunks, the module's linear memory) must not grow with the ids either.
  assert.ok(small.peakRssKiB > 0 && growthMiB < HEAP_CAP_MIB, `peak RSS grew by ${growthMiB.toFixed(1)} MiB`);
});

/** How many of user-0 .. user-(n-1) the reference config puts in s2, by the independent FNV-1a. */
function referenceCount(n: number): number {
  let s2 = 0;
  for (let i = 0; i < n; i++) if (referenceTag(`user-${i}`) === "s2") s2++;
  return s2;
}
