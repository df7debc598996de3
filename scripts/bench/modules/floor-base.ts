// What every floor module does besides its job: the ABI version, a bump allocator for the host's
// copies (reset per request), and the request -> root mapping that a VM Envoy shares between configs
// needs (context creation records the request's root, deletion forgets it), in a ring by context id.
// The floors re-export these hooks from their entry file.

// Room for any header Envoy accepts (60 KiB by default), and above it what configure keeps.
const ARENA_BYTES = 98304;
const ARENA = memory.data(ARENA_BYTES + 1024);
let arenaTop: usize = ARENA;
const RING_SLOTS: u32 = 1024;
const RING = memory.data(<i32>RING_SLOTS * 8);

export function proxy_abi_version_0_2_1(): void {}
export function proxy_on_vm_start(root: u32, size: u32): u32 {
  return 1;
}
export function malloc(size: usize): usize {
  const ptr = arenaTop;
  arenaTop += size;
  return ptr;
}
export function proxy_on_context_create(context: u32, parent: u32): void {
  if (parent == 0) return;
  const slot = RING + ((context & (RING_SLOTS - 1)) << 3);
  store<u32>(slot, context);
  store<u32>(slot, parent, 4);
}
export function proxy_on_delete(context: u32): void {
  const slot = RING + ((context & (RING_SLOTS - 1)) << 3);
  if (load<u32>(slot) == context) store<u32>(slot, 0);
}

/** The root of a live request context, or 0; the host's copies for this request start afresh. */
export function beginRequest(context: u32): u32 {
  const slot = RING + ((context & (RING_SLOTS - 1)) << 3);
  if (load<u32>(slot) != context) return 0;
  arenaTop = ARENA;
  return load<u32>(slot, 4);
}

/** At configure: the host's copies go above the part requests reuse, so they outlive the call. */
export function beginConfigure(): void {
  arenaTop = ARENA + ARENA_BYTES;
}
