// The exported `malloc`: where the host copies bytes into the module (header values, the plugin
// configuration). The SDK's malloc makes each copy a pinned GC object, so every header read of
// every request fed the collector. A copy lives only until the hook that asked for it returns, so
// copies go to a bump arena that each hook resets: no GC object, no free list on the request path.
// A copy larger than what is left of the arena (a huge header, a big configuration) goes to the raw
// heap, outside the GC, and is freed by `releaseHostBytes`.
const ARENA_SIZE: usize = 16 * 1024;
const ARENA = memory.data(<i32>ARENA_SIZE, 16);
let arenaTop: usize = ARENA;

/** Called by the host before it copies `size` bytes into the module. */
export function malloc(size: usize): usize {
  const aligned = (size + 15) & ~15;
  if (aligned <= ARENA + ARENA_SIZE - arenaTop) {
    const ptr = arenaTop;
    arenaTop += aligned;
    return ptr;
  }
  return heap.alloc(size);
}

/** Starts a hook with an empty arena: copies of earlier hooks are dead by now. */
export function resetHostBuffers(): void {
  arenaTop = ARENA;
}

/** Frees a copy the host made, if it did not land in the arena. */
export function releaseHostBytes(ptr: usize): void {
  if (ptr != 0 && ptr - ARENA >= ARENA_SIZE) heap.free(ptr);
}
