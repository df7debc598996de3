import { NO_SPAN, spanLength, spanPtr } from "../../assembly/request/byte-span";
import { fmix32, fnv1a32 } from "../../assembly/hash";
import {
  MAX_SLOT_VALUE_BYTES, MAX_TAG_BYTES, MAX_TRACE_BYTES, SLOT_COLLIDED, SLOT_EXPIRED, SlotKeys, recordable,
  FORGOTTEN, firstSlot, secondSlot, slotValueLength, storedTag, traceHash, writeSlotValue,
} from "../../assembly/request/trace-slots";

const kept = new Array<ArrayBuffer>();
function bytes(text: string): ArrayBuffer {
  const b = String.UTF8.encode(text);
  kept.push(b);
  return b;
}

function hashOfText(trace: string): u32 {
  const b = bytes(trace);
  return traceHash(changetype<usize>(b), b.byteLength);
}

function slotOfText(trace: string, slots: u32): u32 {
  return firstSlot(hashOfText(trace), slots);
}

function keyOf(keys: SlotKeys, slot: u32): string {
  return String.UTF8.decodeUnsafe(changetype<usize>(keys.buffer), keys.keyOf(slot));
}

/** A slot value recording `trace` -> `tag`, expiring at `expiry`. */
function slotValue(expiry: u64, trace: string, tag: string): ArrayBuffer {
  const t = bytes(trace);
  const g = bytes(tag);
  const out = new ArrayBuffer(<i32>slotValueLength(t.byteLength, g.byteLength));
  kept.push(out);
  const length = writeSlotValue(changetype<usize>(out), expiry, changetype<usize>(t), t.byteLength, changetype<usize>(g), g.byteLength);
  expect(length).toBe(out.byteLength);
  return out;
}

/** What the slot value says for `trace` at `now`: the tag, "<expired>" or "<collided>". */
function read(value: ArrayBuffer, trace: string, now: u64): string {
  const t = bytes(trace);
  const found = storedTag(changetype<usize>(value), value.byteLength, changetype<usize>(t), t.byteLength, now);
  if (found == SLOT_EXPIRED) return "<expired>";
  if (found == SLOT_COLLIDED) return "<collided>";
  expect(found).not.toBe(NO_SPAN);
  return String.UTF8.decodeUnsafe(spanPtr(found), spanLength(found));
}

function rawBytes(list: u8[]): ArrayBuffer {
  const out = new ArrayBuffer(list.length);
  for (let i = 0; i < list.length; i++) store<u8>(changetype<usize>(out) + i, list[i]);
  kept.push(out);
  return out;
}

describe("a trace value's slots", () => {
  it("are FNV-1a spread by fmix32 modulo the slot count, then fmix32 of that xor 0x9e3779b9", () => {
    const b = bytes("jason");
    const hash = fmix32(fnv1a32(changetype<usize>(b), b.byteLength));
    expect(hashOfText("jason")).toBe(hash);
    expect(slotOfText("jason", 8192)).toBe(hash % 8192);
    const second = fmix32(hash ^ 0x9e3779b9) % 8192;
    expect(second).not.toBe(hash % 8192);
    expect(secondSlot(hash, hash % 8192, 8192)).toBe(second);
    expect(slotOfText("jason", 1)).toBe(0);
    expect(secondSlot(hash, 0, 1)).toBe(0);
  });
  it("are two distinct slots whenever there are two", () => {
    for (let i = 0; i < 10000; i++) {
      const hash = hashOfText("user-" + i.toString());
      expect(secondSlot(hash, firstSlot(hash, 2), 2)).not.toBe(firstSlot(hash, 2));
      expect(secondSlot(hash, firstSlot(hash, 64), 64)).not.toBe(firstSlot(hash, 64));
    }
  });
  it("spread sequential ids evenly over the slots, both of them", () => {
    const slots: u32 = 1024;
    const counts = new StaticArray<i32>(slots);
    const seconds = new StaticArray<i32>(slots);
    for (let i = 0; i < 102400; i++) {
      const hash = hashOfText("user-" + i.toString());
      counts[firstSlot(hash, slots)]++;
      seconds[secondSlot(hash, firstSlot(hash, slots), slots)]++;
    }
    let most = 0;
    let least = i32.MAX_VALUE;
    for (let i = 0; i < <i32>slots; i++) {
      most = max(most, max(counts[i], seconds[i]));
      least = min(least, min(counts[i], seconds[i]));
    }
    // 100 per slot on average; a fair hash stays well within these bounds.
    expect(most).toBeLessThan(150);
    expect(least).toBeGreaterThan(55);
  });
  it("are independent: users sharing a first slot rarely share the second", () => {
    const slots: u32 = 1024;
    const byFirst = new Map<u32, Array<u32>>();
    let pairs = 0;
    let both = 0;
    for (let i = 0; i < 20480; i++) {
      const hash = hashOfText("user-" + i.toString());
      const first = firstSlot(hash, slots);
      if (!byFirst.has(first)) byFirst.set(first, new Array<u32>());
      const seconds = byFirst.get(first);
      for (let j = 0; j < seconds.length; j++) {
        pairs++;
        if (seconds[j] == secondSlot(hash, first, slots)) both++;
      }
      seconds.push(secondSlot(hash, first, slots));
    }
    // 20 users a slot make about 195,000 pairs sharing a first slot; independent second slots are
    // shared by 1 pair in 1024 of them, about 190.
    expect(pairs).toBeGreaterThan(150000);
    expect(both).toBeLessThan(300);
  });
});

describe("SlotKeys", () => {
  it("prefixes the key with the product and both header names", () => {
    const keys = new SlotKeys("x-asm-prefer-tag", "x-user-id");
    expect(keyOf(keys, 0)).toBe("hash-tagging.lanes.x-asm-prefer-tag.x-user-id.0");
    expect(keyOf(keys, 1048575)).toBe("hash-tagging.lanes.x-asm-prefer-tag.x-user-id.1048575");
    expect(keyOf(keys, 42)).toBe("hash-tagging.lanes.x-asm-prefer-tag.x-user-id.42");
    expect(keyOf(keys, 10)).toBe("hash-tagging.lanes.x-asm-prefer-tag.x-user-id.10");
  });
});

describe("slot values", () => {
  it("lay out expiry (u64 LE), trace length (u16 LE), trace value, tag", () => {
    const value = slotValue(0x0102030405060708, "ab", "s2");
    expect(value.byteLength).toBe(14);
    const p = changetype<usize>(value);
    expect(load<u8>(p)).toBe(0x08);
    expect(load<u8>(p + 7)).toBe(0x01);
    expect(load<u8>(p + 8)).toBe(2);
    expect(load<u8>(p + 9)).toBe(0);
    expect(String.UTF8.decodeUnsafe(p + 10, 4)).toBe("abs2");
  });
  it("give back the tag to the same trace value before expiry", () => {
    const value = slotValue(1000, "jason", "s2");
    expect(read(value, "jason", 0)).toBe("s2");
    expect(read(value, "jason", 999)).toBe("s2");
  });
  it("say expired from the expiry on", () => {
    const value = slotValue(1000, "jason", "s2");
    expect(read(value, "jason", 1000)).toBe("<expired>");
    expect(read(value, "jason", u64.MAX_VALUE)).toBe("<expired>");
  });
  it("say expired for a forgotten lane (no tag, expiry FORGOTTEN), at any time", () => {
    const trace = bytes("jason");
    const out = new ArrayBuffer(<i32>slotValueLength(trace.byteLength, 0));
    kept.push(out);
    writeSlotValue(changetype<usize>(out), FORGOTTEN, changetype<usize>(trace), trace.byteLength, 0, 0);
    expect(read(out, "jason", 0)).toBe("<expired>");
    expect(read(out, "bob", 0)).toBe("<expired>");
  });
  it("never give another trace value's tag, even one that shares a prefix", () => {
    const value = slotValue(1000, "jason", "s2");
    expect(read(value, "jaso", 0)).toBe("<collided>");
    expect(read(value, "jasonx", 0)).toBe("<collided>");
    expect(read(value, "bob", 0)).toBe("<collided>");
    expect(read(value, "jason", 0)).toBe("s2");
  });
  it("treat bytes that are no slot value as collided", () => {
    expect(read(rawBytes([]), "a", 0)).toBe("<collided>");
    expect(read(rawBytes([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 0]), "a", 0)).toBe("<collided>");
    // A trace length running past the end, or leaving no tag.
    expect(read(rawBytes([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 9, 0, 0x61]), "a", 0)).toBe("<collided>");
    expect(read(rawBytes([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 0, 0x61]), "a", 0)).toBe("<collided>");
    expect(read(rawBytes([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0x61]), "a", 0)).toBe("<collided>");
    expect(read(rawBytes([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 0, 0x61, 0x62]), "a", 0)).toBe("b");
  });
  it("hold at most 256-byte trace values and tags", () => {
    expect(recordable(1, 1)).toBe(true);
    expect(recordable(MAX_TRACE_BYTES, MAX_TAG_BYTES)).toBe(true);
    expect(recordable(MAX_TRACE_BYTES + 1, 1)).toBe(false);
    expect(recordable(1, MAX_TAG_BYTES + 1)).toBe(false);
    expect(recordable(0, 1)).toBe(false);
    expect(recordable(1, 0)).toBe(false);
    expect(slotValueLength(MAX_TRACE_BYTES, MAX_TAG_BYTES)).toBe(MAX_SLOT_VALUE_BYTES);
    const longest = slotValue(5, "t".repeat(<i32>MAX_TRACE_BYTES), "g".repeat(<i32>MAX_TAG_BYTES));
    expect(read(longest, "t".repeat(<i32>MAX_TRACE_BYTES), 0)).toBe("g".repeat(<i32>MAX_TAG_BYTES));
  });
});
