// The smallest module Envoy accepts as a Proxy-Wasm HTTP filter: it does nothing. The benchmarks
// run it to show what any Wasm filter costs in Envoy before doing any work.
export function proxy_abi_version_0_2_1(): void {}
export function proxy_on_context_create(context_id: u32, root_context_id: u32): void {}
export function proxy_on_vm_start(root_context_id: u32, vm_configuration_size: u32): u32 { return 1; }
export function proxy_on_configure(root_context_id: u32, configuration_size: u32): u32 { return 1; }
export function proxy_on_request_headers(context_id: u32, headers: u32, end_of_stream: u32): u32 { return 0; }
export function malloc(size: i32): usize { return heap.alloc(size); }
