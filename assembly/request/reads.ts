// A request's reads through its configuration's plan: each header, key and hash at most once per
// request, on first use. Header values are the host's copies, released when the request is done.
import { fnv1a32From } from "../hash";
import { readHeader, releaseHeader } from "../host/headers";
import { KeySource } from "../rules";
import { FOUND_EMPTY, NO_SPAN, spanLength, spanPtr } from "./byte-span";
import { cookieValuesInto } from "./cookie";
import { keyIn } from "./key-in";
import { NameScan, RequestPlan } from "./plan";
import { fnv1a32FromDecoded, queryValuesInto } from "./query";

export function headerValue(plan: RequestPlan, index: i32): u64 {
  if (unchecked(plan.headerStamp[index]) == plan.generation) return unchecked(plan.headerSpan[index]);
  const value = readHeader(unchecked(plan.headers[index]));
  unchecked(plan.headerSpan[index] = value);
  unchecked(plan.headerStamp[index] = plan.generation);
  return value;
}

/** Stamps every key of a name scan with what one pass over their header found. */
function stampScan(plan: RequestPlan, scan: NameScan): void {
  const found = scan.found;
  for (let i = 0, n = found.length; i < n; i++) {
    const key = unchecked(scan.keyIndexOf[i]);
    const value = unchecked(found[i]);
    unchecked(plan.keySpan[key] = value == FOUND_EMPTY ? NO_SPAN : value);
    unchecked(plan.keyStamp[key] = plan.generation);
  }
}

/** The key `index` of the plan in this request: the header's value, a cookie or a query parameter; NO_SPAN when missing or empty. */
export function keyValue(plan: RequestPlan, index: i32): u64 {
  if (unchecked(plan.keyStamp[index]) == plan.generation) return unchecked(plan.keySpan[index]);
  const read = unchecked(plan.keys[index]);
  const header = headerValue(plan, read.headerIndex);
  let key = NO_SPAN;
  if (header != NO_SPAN) {
    const ptr = spanPtr(header);
    const length = spanLength(header);
    const source = read.source;
    const scan = source == KeySource.Cookie ? plan.cookieScan : source == KeySource.Query ? plan.queryScan : null;
    if (scan === null) {
      key = keyIn(source, read.nameBytes, ptr, length);
    } else {
      if (source == KeySource.Cookie) cookieValuesInto(ptr, length, scan.names, scan.found);
      else queryValuesInto(ptr, length, scan.names, scan.found);
      stampScan(plan, scan);
      return unchecked(plan.keySpan[index]);
    }
  }
  unchecked(plan.keySpan[index] = key);
  unchecked(plan.keyStamp[index] = plan.generation);
  return key;
}

/** The hash `index` of the plan over `key` (that hash's key, already read): FNV-1a from its start. */
export function hashValue(plan: RequestPlan, index: i32, key: u64): u32 {
  if (unchecked(plan.hashStamp[index]) == plan.generation) return unchecked(plan.hashState[index]);
  const read = unchecked(plan.hashes[index]);
  const state = read.decoded
    ? fnv1a32FromDecoded(read.start, spanPtr(key), spanLength(key))
    : fnv1a32From(read.start, spanPtr(key), spanLength(key));
  unchecked(plan.hashState[index] = state);
  unchecked(plan.hashStamp[index] = plan.generation);
  return state;
}

/** The request changed header `index` (wrote or removed a tag there): later reads see the new value. */
export function forgetHeader(plan: RequestPlan, index: i32): void {
  if (unchecked(plan.headerStamp[index]) == plan.generation) releaseHeader(unchecked(plan.headerSpan[index]));
  plan.forget(index);
}

/** Gives back every header copy this request read. */
export function releaseReads(plan: RequestPlan): void {
  const generation = plan.generation;
  for (let i = 0, n = plan.headers.length; i < n; i++) {
    if (unchecked(plan.headerStamp[i]) == generation) releaseHeader(unchecked(plan.headerSpan[i]));
  }
}
