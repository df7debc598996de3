// Which configuration serves which request. Envoy runs every plugin config with the same vm_id and
// code in one VM (Istio sets no vm_id, so every WasmPlugin of this image on a proxy shares it), with
// a root context per config; a request's root is the parent given at its context's creation. A
// listener that drains after an update keeps its root, and a rollback to a config the proxy still
// holds reuses that root without configuring it again: so the state is per root, never global.
import { LogLevelValues, log } from "@solo-io/proxy-runtime/assembly";
import { ActiveConfig } from "./active-config";

/** Accepted configurations by root context id; a root leaves when Envoy deletes it. */
const configOfRoot = new Map<u32, ActiveConfig>();

// Request context -> its root's configuration, from context creation to deletion. Context ids
// count up per VM, so a ring indexed by id holds every live request unless two live ids share a
// slot; the older one then moves to `spilled` (a request that outlived RING_SIZE newer ones).
const RING_SIZE: u32 = 1024;
const ringContext = new StaticArray<u32>(RING_SIZE);
const ringConfig = new StaticArray<ActiveConfig | null>(RING_SIZE);
const spilled = new Map<u32, ActiveConfig>();

// The last root a request was bound to, and its configuration: consecutive requests mostly share a
// root, and this spares them two map lookups.
let lastRoot: u32 = 0;
let lastConfig: ActiveConfig | null = null;

export function installConfig(rootId: u32, active: ActiveConfig): void {
  configOfRoot.set(rootId, active);
  if (rootId == lastRoot) lastConfig = active;
}

/** Binds a new request context to its root's configuration (none when that root has none). */
export function bindRequest(contextId: u32, rootId: u32): void {
  let active = lastConfig;
  if (rootId != lastRoot || active === null) {
    if (!configOfRoot.has(rootId)) return;
    active = configOfRoot.get(rootId);
    lastRoot = rootId;
    lastConfig = active;
  }
  const slot = contextId & (RING_SIZE - 1);
  const previous = unchecked(ringConfig[slot]);
  if (previous !== null) spilled.set(unchecked(ringContext[slot]), previous);
  unchecked(ringContext[slot] = contextId);
  unchecked(ringConfig[slot] = active);
}

/** The configuration serving a request context, or null. */
export function configOfRequest(contextId: u32): ActiveConfig | null {
  const slot = contextId & (RING_SIZE - 1);
  if (unchecked(ringContext[slot]) == contextId) return unchecked(ringConfig[slot]);
  if (spilled.size == 0 || !spilled.has(contextId)) return null;
  return spilled.get(contextId);
}

/** Forgets a context Envoy deleted: a request's binding, or a root and its configuration. */
export function deleteContext(contextId: u32): void {
  const slot = contextId & (RING_SIZE - 1);
  if (unchecked(ringContext[slot]) == contextId) {
    unchecked(ringContext[slot] = 0);
    unchecked(ringConfig[slot] = null);
    return;
  }
  if (spilled.size > 0 && spilled.delete(contextId)) return;
  if (contextId == lastRoot) lastConfig = null;
  if (configOfRoot.size > 0 && configOfRoot.delete(contextId)) {
    log(LogLevelValues.debug, "root context " + contextId.toString() + " deleted: its configuration is freed");
  }
}
