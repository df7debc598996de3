// Where a rule's key sits within the header it reads: pure, in place, no allocation.
import { KeySource } from "../rules";
import { NO_SPAN, nonEmptySpan } from "./byte-span";
import { cookieValue } from "./cookie";
import { queryValue } from "./query";

/**
 * The key within the `length` header bytes at `ptr`: the whole value (`Header`), the cookie or
 * the query parameter `name`. NO_SPAN when the key is missing or empty (no key).
 */
export function keyIn(source: KeySource, name: ArrayBuffer, ptr: usize, length: usize): u64 {
  if (source == KeySource.Header) return nonEmptySpan(ptr, length);
  if (source == KeySource.Cookie) return cookieValue(ptr, length, changetype<usize>(name), name.byteLength);
  if (source == KeySource.Query) return queryValue(ptr, length, changetype<usize>(name), name.byteLength);
  return NO_SPAN;
}
