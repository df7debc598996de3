// The test host's shared data keeps Envoy's rules, so what the pass-through does in it holds in Envoy:
// one map for every VM given it, CAS numbers per key, no delete.
import assert from "node:assert/strict";
import { it } from "node:test";
import { HeaderMap, SharedData } from "../../scripts/lib/host/index.ts";

const bytes = (text: string) => Buffer.from(text, "utf8");

it("writes with cas 0 whatever is there, refuses a stale cas, and inserts a missing key whatever cas says", () => {
  const shared = new SharedData();
  assert.equal(shared.set("k", bytes("a"), 12345), 0, "a missing key is inserted whatever cas says");
  const first = shared.get("k")!;
  assert.equal(shared.set("k", bytes("b"), first.cas + 1), 8, "a cas that is not the key's: CasMismatch");
  assert.equal(Buffer.from(shared.get("k")!.value).toString(), "a");
  assert.equal(shared.set("k", bytes("c"), first.cas), 0);
  assert.notEqual(shared.get("k")!.cas, first.cas, "each write gives a new cas");
  assert.equal(shared.set("k", bytes("d"), 0), 0);
  assert.equal(Buffer.from(shared.get("k")!.value).toString(), "d");
  assert.deepEqual([shared.size, shared.bytes], [1, 2]);
});

it("serialises the header map as proxy_get_header_map_pairs does", () => {
  const map = new HeaderMap([
    ["A", "1"],
    ["baggage", "x=y"],
  ]);
  const out = Buffer.from(map.serialized());
  assert.equal(out.readUInt32LE(0), 2);
  assert.deepEqual([out.readUInt32LE(4), out.readUInt32LE(8), out.readUInt32LE(12), out.readUInt32LE(16)], [1, 1, 7, 3]);
  assert.equal(out.subarray(20).toString("latin1"), "a\u00001\u0000baggage\u0000x=y\u0000");
});
