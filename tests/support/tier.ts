// The test tier: `npm test` runs the hermetic suites at editing sizes, `npm run test:all` every suite at
// full sizes (scripts/test.ts sets HASH_TAGGING_TEST_TIER). A test file run on its own gets full sizes.

export const FULL_SIZES = process.env.HASH_TAGGING_TEST_TIER !== "hermetic";

/** `editing` in `npm test`, `full` otherwise: loop counts sized for the edit-test cycle or for CI. */
export function sized(editing: number, full: number): number {
  return FULL_SIZES ? full : editing;
}
