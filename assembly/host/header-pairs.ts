// Every request header at once, as the host serialises them: the only way to see repeated headers.
import { WasmResultValues } from "@solo-io/proxy-runtime/assembly";
import * as abi from "@solo-io/proxy-runtime/assembly/imports";
import { NO_SPAN, nonEmptySpan } from "../request/byte-span";
import { hostBytesPtr, hostBytesSize } from "./headers";

const REQUEST_HEADERS: u32 = 0;

/** The serialised request headers as a span of the host's copy (release it with releaseHeader), or NO_SPAN. */
export function readHeaderPairs(): u64 {
  if (abi.proxy_get_header_map_pairs(REQUEST_HEADERS, hostBytesPtr, hostBytesSize) != WasmResultValues.Ok) return NO_SPAN;
  return nonEmptySpan(load<usize>(hostBytesPtr), load<usize>(hostBytesSize));
}
