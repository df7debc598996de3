// Request header reads and writes through the proxy ABI. A value read is a span of the host's copy
// in linear memory (see buffers.ts), released once the request is done with it.
import { WasmResultValues } from "@solo-io/proxy-runtime/assembly";
import * as abi from "@solo-io/proxy-runtime/assembly/imports";
import { NO_SPAN, nonEmptySpan, spanPtr } from "../request/byte-span";
import { releaseHostBytes } from "./buffers";

const REQUEST_HEADERS: u32 = 0;

// Out-parameters of the host's calls, reused (a VM runs one call at a time).
export const hostBytesPtr = memory.data(sizeof<usize>());
export const hostBytesSize = memory.data(sizeof<usize>());

/** A request header's value as a span of the host's copy, or NO_SPAN when absent or empty. */
// @ts-ignore: decorator
@inline export function readHeader(name: ArrayBuffer): u64 {
  const found = abi.proxy_get_header_map_value(
    REQUEST_HEADERS, changetype<usize>(name), name.byteLength, hostBytesPtr, hostBytesSize,
  );
  if (found != WasmResultValues.Ok) return NO_SPAN;
  const ptr = load<usize>(hostBytesPtr);
  const size = load<usize>(hostBytesSize);
  // An empty value is treated as absent: some hosts report a missing header as an empty one.
  if (size == 0) releaseHostBytes(ptr);
  return nonEmptySpan(ptr, size);
}

/** Gives back the host's copy behind a span from readHeader. */
// @ts-ignore: decorator
@inline export function releaseHeader(value: u64): void {
  if (value != NO_SPAN) releaseHostBytes(spanPtr(value));
}

/** Sets a request header: replaced, never appended, so a client's own value cannot survive next to ours. */
export function replaceHeader(name: ArrayBuffer, value: ArrayBuffer): void {
  abi.proxy_replace_header_map_value(
    REQUEST_HEADERS, changetype<usize>(name), name.byteLength, changetype<usize>(value), value.byteLength,
  );
}

/** Sets a request header to the `length` bytes at `ptr` (a span of a host copy, or of a slot value). */
export function replaceHeaderBytes(name: ArrayBuffer, ptr: usize, length: usize): void {
  abi.proxy_replace_header_map_value(REQUEST_HEADERS, changetype<usize>(name), name.byteLength, ptr, length);
}

export function removeHeader(name: ArrayBuffer): void {
  abi.proxy_remove_header_map_value(REQUEST_HEADERS, changetype<usize>(name), name.byteLength);
}
