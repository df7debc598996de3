// Odd header values through real Envoy: whatever the bytes, the filter must not trap (a trap fails the
// VM, and then every later request on it gets 503 under FAIL_CLOSED) and must hash exactly the bytes.
import assert from "node:assert/strict";
import http from "node:http";
import { test } from "node:test";
import { fnv1a32 } from "../support/fnv1a.ts";
import { Random } from "../support/random.ts";
import { useTestbed } from "./support.ts";

// About the gateway filter alone: the sidecars run no filter.
const { bed, e2e } = useTestbed({ sidecarPlugin: null });

/** GET /_tag with raw header lines (latin1, so bytes 0x80-0xff go out as they are); returns status and tag. */
function echo(headers: Array<[string, string]>): Promise<{ status: number; tag: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${bed().ingressUrl}/_tag`, { agent: false }, (res) => {
      res.resume();
      res.on("end", () => {
        const tag = res.headers["x-asm-prefer-tag"];
        resolve({ status: res.statusCode ?? 0, tag: typeof tag === "string" && tag !== "" ? tag : undefined });
      });
    });
    for (const [name, value] of headers) req.appendHeader(name, value);
    req.on("error", reject);
    req.end();
  });
}

const tagFor = (bytes: Uint8Array) => (fnv1a32(bytes) % 100 < 20 ? "s2" : "s1");

test(
  "random visible and obs-text bytes, up to 48 KiB, are hashed as received and never trap",
  e2e(async () => {
    const random = new Random(20261126);
    for (let i = 0; i < 300; i++) {
      const length = i % 50 === 49 ? 48 * 1024 : 1 + random.int(200);
      // Envoy's codec refuses control characters; everything else a client may send reaches the filter.
      const bytes = Uint8Array.from({ length }, () => random.pick([0x21 + random.int(0x5e), 0x80 + random.int(0x80)]));
      const r = await echo([["x-user-id", Buffer.from(bytes).toString("latin1")]]);
      assert.equal(r.status, 200, `value #${i} (${length} bytes): got HTTP ${r.status}, want 200`);
      assert.equal(r.tag, tagFor(bytes), `value #${i} (${length} bytes): got tag ${r.tag}, want ${tagFor(bytes)}`);
    }
    assert.equal((await bed().envoy.stat("wasm.envoy.wasm.runtime.v8.active")) > 0, true, "no V8 VM is active any more");
  }),
);

test(
  "an x-user-id sent twice is hashed by its first value, the same on every request",
  e2e(async () => {
    // Chosen so that the first value's tag differs from the joined value's ("jack,bob"), then from the last one's.
    for (const [first, second, other] of [
      ["jack", "bob", "jack,bob"],
      ["bob", "jack", "jack"],
    ]) {
      const want = tagFor(Buffer.from(first));
      assert.notEqual(want, tagFor(Buffer.from(other)));
      for (let i = 0; i < 10; i++) {
        const r = await echo([
          ["x-user-id", first],
          ["x-user-id", second],
        ]);
        assert.equal(r.status, 200);
        assert.equal(r.tag, want, `x-user-id: ${first} then x-user-id: ${second}: got ${r.tag}, want ${want} (the tag of "${first}")`);
      }
    }
  }),
);
