// The floor for this job: the least a Wasm filter can do to tag a request in Envoy when the VM is
// shared between configs, as Envoy shares it (Istio sets no vm_id). Context creation records the
// request's root and deletion forgets it (the least a module can do to serve each request its own
// root's config), then a bump allocator for the host's copies, one header read, FNV-1a, one header
// replace and one counter. scripts/bench/instructions.ts measures it beside the real filter. Its
// plugin configuration is the name of the key header (so the same module measures a key that is absent).
import { beginConfigure, beginRequest } from "./floor-base";

@external("env", "proxy_get_header_map_value")
declare function getHeader(map: u32, keyPtr: usize, keySize: usize, valuePtrOut: usize, valueSizeOut: usize): u32;
@external("env", "proxy_replace_header_map_value")
declare function replaceHeader(map: u32, keyPtr: usize, keySize: usize, valuePtr: usize, valueSize: usize): u32;
@external("env", "proxy_get_buffer_bytes")
declare function getBuffer(type: u32, start: u32, size: u32, ptrOut: usize, sizeOut: usize): u32;
@external("env", "proxy_define_metric")
declare function defineMetric(type: u32, namePtr: usize, nameSize: usize, idOut: usize): u32;
@external("env", "proxy_increment_metric")
declare function incrementMetric(id: u32, offset: i64): u32;

const PLUGIN_CONFIGURATION: u32 = 7;
const TAG_HEADER = memory.data<u8>([0x78, 0x2d, 0x61, 0x73, 0x6d, 0x2d, 0x70, 0x72, 0x65, 0x66, 0x65, 0x72, 0x2d, 0x74, 0x61, 0x67]); // x-asm-prefer-tag
const CANARY = memory.data<u8>([0x73, 0x32]); // s2
const STABLE = memory.data<u8>([0x73, 0x31]); // s1
const METRIC = memory.data<u8>([0x66, 0x6c, 0x6f, 0x6f, 0x72]); // floor
const OUT = memory.data(16);
let counter: u32 = 0;
let key: usize = 0;
let keySize: usize = 0;
let configuredRoot: u32 = 0;

export { malloc, proxy_abi_version_0_2_1, proxy_on_context_create, proxy_on_delete, proxy_on_vm_start } from "./floor-base";

export function proxy_on_configure(root: u32, size: u32): u32 {
  configuredRoot = root;
  beginConfigure(); // the key name stays above the part requests use
  getBuffer(PLUGIN_CONFIGURATION, 0, size, OUT, OUT + 4);
  key = load<usize>(OUT);
  keySize = load<usize>(OUT + 4);
  defineMetric(0, METRIC, 5, OUT);
  counter = load<u32>(OUT);
  return 1;
}
export function proxy_on_request_headers(context: u32, headers: u32, endOfStream: u32): u32 {
  if (beginRequest(context) != configuredRoot) return 0;
  if (getHeader(0, key, keySize, OUT, OUT + 4) == 0) {
    let hash: u32 = 2166136261;
    const ptr = load<usize>(OUT);
    const end = ptr + load<usize>(OUT + 4);
    for (let p = ptr; p < end; p++) hash = (hash ^ <u32>load<u8>(p)) * 16777619;
    replaceHeader(0, TAG_HEADER, 16, hash % 100 < 20 ? CANARY : STABLE, 2);
  }
  incrementMetric(counter, 1);
  return 0;
}
