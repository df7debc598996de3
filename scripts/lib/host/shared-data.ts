// Proxy-Wasm shared data as Envoy keeps it: one key-value map per VM id per process, seen by every
// worker's VM, with a CAS number per key. Give one SharedData to several PluginHosts to model an
// Envoy's workers. ABI 0.2.1 has no delete and no expiry, so entries only ever accumulate here too.
import { WasmResult } from "./abi.ts";

interface Entry {
  value: Uint8Array;
  cas: number;
}

export class SharedData {
  private readonly entries = new Map<string, Entry>();
  private nextCas = 1;

  /** The value and CAS of `key`, or undefined when it was never set. */
  get(key: string): { value: Uint8Array; cas: number } | undefined {
    return this.entries.get(key);
  }

  /**
   * Sets `key` as Envoy does: cas 0 writes whatever is there, a key not yet set is written whatever
   * cas says, and a non-zero cas that is not the key's current one is refused (CasMismatch).
   */
  set(key: string, value: Uint8Array, cas: number): number {
    const current = this.entries.get(key);
    if (current && cas !== 0 && cas !== current.cas) return WasmResult.CasMismatch;
    this.entries.set(key, { value: value.slice(), cas: this.nextCas++ });
    return WasmResult.Ok;
  }

  get keys(): string[] {
    return [...this.entries.keys()];
  }

  get size(): number {
    return this.entries.size;
  }

  /** Bytes held in keys and values: what the proxy's memory grows by (map overhead aside). */
  get bytes(): number {
    let total = 0;
    for (const [key, entry] of this.entries) total += Buffer.byteLength(key) + entry.value.byteLength;
    return total;
  }
}
