// Proxy-Wasm shared data: one map per VM id per Envoy, seen by every worker. The only state an
// inbound request on one worker and the app's outbound call on another can share.
import { WasmResultValues } from "@solo-io/proxy-runtime/assembly";
import * as abi from "@solo-io/proxy-runtime/assembly/imports";
import { NO_SPAN, nonEmptySpan } from "../request/byte-span";
import { hostBytesPtr, hostBytesSize } from "./headers";

const casOut = memory.data(sizeof<u32>());
// Set whatever is there: a slot holds the last lane recorded for it.
const UNCONDITIONAL: u32 = 0;

/** The value of the `keyLength`-byte key at `key` as a span of the host's copy (in the hook's arena), or NO_SPAN. */
export function sharedValue(key: usize, keyLength: usize): u64 {
  const result = abi.proxy_get_shared_data(key, keyLength, hostBytesPtr, hostBytesSize, casOut);
  if (result != WasmResultValues.Ok) return NO_SPAN;
  return nonEmptySpan(load<usize>(hostBytesPtr), load<usize>(hostBytesSize));
}

export function setSharedValue(key: usize, keyLength: usize, value: usize, valueLength: usize): void {
  abi.proxy_set_shared_data(key, keyLength, value, valueLength, UNCONDITIONAL);
}
