// A run of bytes in linear memory, packed into one u64 (pointer high, length low) so that the
// request-time lookups can return "where the key is" without allocating.

/** No bytes found (or only empty ones, which the filter treats as a missing key). */
export const NO_SPAN: u64 = 0;

// @ts-ignore: decorator
@inline export function span(ptr: usize, length: usize): u64 {
  return (<u64>ptr << 32) | <u64>length;
}

// @ts-ignore: decorator
@inline export function spanPtr(bytes: u64): usize {
  return <usize>(bytes >>> 32);
}

// @ts-ignore: decorator
@inline export function spanLength(bytes: u64): usize {
  return <usize>(bytes & 0xffffffff);
}

/** A non-empty run as a span, an empty one as NO_SPAN. */
// @ts-ignore: decorator
@inline export function nonEmptySpan(ptr: usize, length: usize): u64 {
  return length == 0 ? NO_SPAN : span(ptr, length);
}

/** In a scan's results: the name was there with an empty value (so a later pair of that name does not count). */
export const FOUND_EMPTY: u64 = 1;
