// Pearson's chi-square test of bucket counts against the uniform distribution the hash promises.
// The p-value is the regularized upper incomplete gamma function Q(df/2, x/2), from stdlib.
import gammainc from "@stdlib/math-base-special-gammainc";

/** Below this p-value the buckets are reported as not uniform. */
export const NON_UNIFORM_P = 0.001;
/** The test's approximation needs about this many expected ids per bucket. */
export const MIN_EXPECTED_PER_BUCKET = 5;

export interface Uniformity {
  statistic: number;
  degreesOfFreedom: number;
  pValue: number;
  uniform: boolean;
}

/** The test over `counts` (one per bucket), or a reason it cannot be run on this few ids. */
export function uniformity(counts: ArrayLike<number>): Uniformity | { notRun: string } {
  const buckets = counts.length;
  let total = 0;
  for (let i = 0; i < buckets; i++) total += counts[i];
  const expected = total / buckets;
  if (buckets < 2) return { notRun: "a single bucket" };
  if (expected < MIN_EXPECTED_PER_BUCKET) {
    return { notRun: `too few ids for ${buckets} buckets (the test needs ${MIN_EXPECTED_PER_BUCKET * buckets})` };
  }
  let statistic = 0;
  for (let i = 0; i < buckets; i++) statistic += (counts[i] - expected) ** 2 / expected;
  const degreesOfFreedom = buckets - 1;
  const pValue = gammainc(statistic / 2, degreesOfFreedom / 2, true, true);
  return { statistic, degreesOfFreedom, pValue, uniform: pValue >= NON_UNIFORM_P };
}
