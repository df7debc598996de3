// The floor for the sidecar pass-through (trace-id mode): the least a Wasm filter can do to record a
// lane by trace value on the inbound hop and restore it on the outbound one, with a VM that Envoy
// shares between configs. Its plugin configuration says the hop: "record" (one copy of the header
// map for both headers, the clock, the value written to both of the trace value's slots, one counter)
// or "restore" (the route header looked up, the trace header read, the clock, the first slot read and
// checked, the route header written, one counter). Keys and values have the filter's layout, so the
// figures compare like for like. scripts/bench/instructions.ts measures it beside the real filter.
import { beginConfigure, beginRequest } from "./floor-base";

@external("env", "proxy_get_header_map_value")
declare function getHeader(map: u32, keyPtr: usize, keySize: usize, valuePtrOut: usize, valueSizeOut: usize): u32;
@external("env", "proxy_get_header_map_pairs")
declare function getHeaderPairs(map: u32, ptrOut: usize, sizeOut: usize): u32;
@external("env", "proxy_replace_header_map_value")
declare function replaceHeader(map: u32, keyPtr: usize, keySize: usize, valuePtr: usize, valueSize: usize): u32;
@external("env", "proxy_get_buffer_bytes")
declare function getBuffer(type: u32, start: u32, size: u32, ptrOut: usize, sizeOut: usize): u32;
@external("env", "proxy_get_shared_data")
declare function getSharedData(keyPtr: usize, keySize: usize, valuePtrOut: usize, valueSizeOut: usize, casOut: usize): u32;
@external("env", "proxy_set_shared_data")
declare function setSharedData(keyPtr: usize, keySize: usize, valuePtr: usize, valueSize: usize, cas: u32): u32;
@external("env", "proxy_get_current_time_nanoseconds")
declare function currentTime(timeOut: usize): u32;
@external("env", "proxy_define_metric")
declare function defineMetric(type: u32, namePtr: usize, nameSize: usize, idOut: usize): u32;
@external("env", "proxy_increment_metric")
declare function incrementMetric(id: u32, offset: i64): u32;

const PLUGIN_CONFIGURATION: u32 = 7;
const ROUTE = "x-asm-prefer-tag";
const TRACE = "x-user-id";
// hash-tagging.lanes.x-asm-prefer-tag.x-user-id.   (the slot's decimal digits follow)
const PREFIX = "hash-tagging.lanes." + ROUTE + "." + TRACE + ".";
const SLOTS: u32 = 8192;
const TTL_NANOS: u64 = 60_000_000_000;
const OUT = memory.data(16);
const KEY = memory.data(64);
const VALUE = memory.data(1024);
let counter: u32 = 0;
let routeName: usize = 0;
let traceName: usize = 0;
let prefixLength: usize = 0;
// The prime listener records and the measured one restores in one VM: a root per hop.
let recordRoot: u32 = 0;
let restoreRoot: u32 = 0;

export { malloc, proxy_abi_version_0_2_1, proxy_on_context_create, proxy_on_delete, proxy_on_vm_start } from "./floor-base";

export function proxy_on_configure(root: u32, size: u32): u32 {
  beginConfigure();
  getBuffer(PLUGIN_CONFIGURATION, 0, size, OUT, OUT + 4);
  if (load<usize>(OUT + 4) == 7) restoreRoot = root; // "restore"; "record" has 6 bytes
  else recordRoot = root;
  routeName = changetype<usize>(String.UTF8.encode(ROUTE));
  traceName = changetype<usize>(String.UTF8.encode(TRACE));
  const prefix = String.UTF8.encode(PREFIX);
  prefixLength = prefix.byteLength;
  memory.copy(KEY, changetype<usize>(prefix), prefixLength);
  const metric = String.UTF8.encode("floor");
  defineMetric(0, changetype<usize>(metric), metric.byteLength, OUT);
  counter = load<u32>(OUT);
  return 1;
}

function fnv1a(ptr: usize, length: usize): u32 {
  let hash: u32 = 2166136261;
  for (let p = ptr; p < ptr + length; p++) hash = (hash ^ <u32>load<u8>(p)) * 16777619;
  return hash;
}

/** Writes the key of `slot` after the prefix; returns the key's length. */
function keyOf(slot: u32): usize {
  let digits: usize = 1;
  for (let rest = slot / 10; rest > 0; rest /= 10) digits++;
  let rest = slot;
  for (let at = digits; at > 0; at--) {
    store<u8>(KEY + prefixLength + at - 1, <u8>(0x30 + rest % 10));
    rest /= 10;
  }
  return prefixLength + digits;
}

function now(): u64 {
  currentTime(OUT);
  return load<u64>(OUT);
}

/** The value of the first header named `name` (`nameLength` bytes) in a serialized map, as ptr << 32 | length, or 0. */
function pairValue(map: usize, name: usize, nameLength: usize): u64 {
  const count = load<u32>(map);
  let data = map + 4 + count * 8;
  for (let i: u32 = 0; i < count; i++) {
    const keyLength = <usize>load<u32>(map + 4 + i * 8);
    const valueLength = <usize>load<u32>(map + 8 + i * 8);
    if (keyLength == nameLength && memory.compare(data, name, nameLength) == 0) return (<u64>(data + keyLength + 1) << 32) | valueLength;
    data += keyLength + valueLength + 2;
  }
  return 0;
}

function record(): void {
  if (getHeaderPairs(0, OUT, OUT + 4) != 0) return;
  const map = load<usize>(OUT);
  const route = pairValue(map, routeName, ROUTE.length);
  const trace = pairValue(map, traceName, TRACE.length);
  if (route == 0 || trace == 0) return;
  const traceLength = <usize>(trace & 0xffffffff);
  const tagLength = <usize>(route & 0xffffffff);
  store<u64>(VALUE, now() + TTL_NANOS);
  store<u16>(VALUE + 8, <u16>traceLength);
  memory.copy(VALUE + 10, <usize>(trace >> 32), traceLength);
  memory.copy(VALUE + 10 + traceLength, <usize>(route >> 32), tagLength);
  const hash = fnv1a(<usize>(trace >> 32), traceLength);
  const length: usize = 10 + traceLength + tagLength;
  setSharedData(KEY, keyOf(hash % SLOTS), VALUE, length, 0);
  setSharedData(KEY, keyOf((hash >>> 13) % SLOTS), VALUE, length, 0);
}

function restore(): void {
  if (getHeader(0, routeName, ROUTE.length, OUT, OUT + 4) == 0) return;
  if (getHeader(0, traceName, TRACE.length, OUT, OUT + 4) != 0) return;
  const trace = load<usize>(OUT);
  const traceLength = load<usize>(OUT + 4);
  const time = now();
  if (getSharedData(KEY, keyOf(fnv1a(trace, traceLength) % SLOTS), OUT, OUT + 4, OUT + 8) != 0) return;
  const value = load<usize>(OUT);
  const length = load<usize>(OUT + 4);
  if (time >= load<u64>(value) || <usize>load<u16>(value + 8) != traceLength) return;
  if (memory.compare(value + 10, trace, traceLength) != 0) return;
  replaceHeader(0, routeName, ROUTE.length, value + 10 + traceLength, length - 10 - traceLength);
}

export function proxy_on_request_headers(context: u32, headers: u32, endOfStream: u32): u32 {
  const root = beginRequest(context);
  if (root == restoreRoot) restore();
  else if (root == recordRoot) record();
  else return 0;
  incrementMetric(counter, 1);
  return 0;
}
