// The chi-square p-value split reports, against the closed form of the chi-square upper tail for even
// degrees of freedom: Q = exp(-x/2) * sum over i < df/2 of (x/2)^i / i!.
import assert from "node:assert/strict";
import { it } from "node:test";
import { MIN_EXPECTED_PER_BUCKET, NON_UNIFORM_P, uniformity } from "../../scripts/cli/uniformity.ts";

function upperTailEvenDf(x: number, df: number): number {
  let term = 1;
  let sum = 1;
  for (let i = 1; i < df / 2; i++) {
    term *= x / 2 / i;
    sum += term;
  }
  return Math.exp(-x / 2) * sum;
}

/** Uniform counts except two buckets, one `deviation` above and one below: statistic 2 * deviation^2 / perBucket. */
function countsWithStatistic(buckets: number, perBucket: number, deviation: number): number[] {
  const counts = new Array<number>(buckets).fill(perBucket);
  counts[0] += deviation;
  counts[1] -= deviation;
  return counts;
}

it("matches the closed-form p-value for even degrees of freedom", () => {
  for (const [buckets, perBucket, deviation] of [
    [3, 100, 10],
    [5, 50, 12],
    [101, 20, 15],
    [101, 40, 3],
  ]) {
    const counts = countsWithStatistic(buckets, perBucket, deviation);
    const statistic = (2 * deviation * deviation) / perBucket;
    const result = uniformity(counts);
    assert.ok("pValue" in result);
    assert.equal(result.degreesOfFreedom, buckets - 1);
    assert.ok(Math.abs(result.statistic - statistic) < 1e-9);
    const expected = upperTailEvenDf(statistic, buckets - 1);
    assert.ok(
      Math.abs(result.pValue - expected) <= 1e-12 + 1e-9 * expected,
      `df ${buckets - 1}, x ${statistic}: ${result.pValue} vs ${expected}`,
    );
    assert.equal(result.uniform, expected >= NON_UNIFORM_P);
  }
});

it("keeps tiny p-values instead of rounding them to 0", () => {
  const result = uniformity(countsWithStatistic(3, 1000, 300));
  assert.ok("pValue" in result && result.pValue > 0 && result.pValue < 1e-30 && !result.uniform);
  assert.ok(Math.abs(result.pValue - upperTailEvenDf(180, 2)) < 1e-9 * upperTailEvenDf(180, 2));
});

it("is not run on too few ids per bucket", () => {
  const result = uniformity(new Array(100).fill(MIN_EXPECTED_PER_BUCKET - 1));
  assert.ok("notRun" in result);
  assert.match(result.notRun, /too few ids for 100 buckets \(the test needs 500\)/);
});
