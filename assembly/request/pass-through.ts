// The sidecar pass-through, per request. Inbound (the app is called): the lane the request carries
// is recorded by trace value, or written into the baggage the app propagates. Outbound (the app
// calls out): a request without the route header gets it back from the record or the baggage.
// When it leaves a request without its lane, the rules (if any) decide, as at the gateway.
import { ActiveConfig } from "../active-config";
import { count } from "../host/counters";
import { applyRules } from "./pipeline";
import { headerValue, releaseReads } from "./reads";
import { readHeader, releaseHeader, removeHeader, replaceHeader, replaceHeaderBytes } from "../host/headers";
import { readHeaderPairs } from "../host/header-pairs";
import { PassThroughCounters } from "../host/pass-through-counters";
import { setSharedValue, sharedValue } from "../host/shared-data";
import { LISTENER_INBOUND, listenerDirection, nowNanos } from "../host/stream-info";
import { Direction, PassThrough, PassThroughMode } from "../pass-through";
import { HeaderValues, baggageChanges, baggageLength, baggageMember, decodeInPlace, writeBaggage } from "./baggage";
import { NO_SPAN, spanLength, spanPtr } from "./byte-span";
import { firstValueFromPairs, valuesFromPairs } from "./header-pairs";
import {
  FORGOTTEN, MAX_SLOT_VALUE_BYTES, MAX_TRACE_BYTES, SLOT_COLLIDED, SLOT_EXPIRED, firstSlot, recordable, secondSlot,
  storedTag, traceHash, writeSlotValue,
} from "./trace-slots";

const BAGGAGE = String.UTF8.encode("baggage");
// Where a slot value is put together before the host copies it (a VM runs one request at a time).
const SLOT_VALUE = memory.data(<i32>MAX_SLOT_VALUE_BYTES);
const baggageValues = new HeaderValues();

/** Whether the request is one the app receives: from the config, or Envoy's listener direction. */
function isInbound(block: PassThrough): bool {
  if (block.direction != Direction.Auto) return block.direction == Direction.Inbound;
  // Unspecified counts as outbound: restoring only adds a header a request lacks, and a gateway's
  // listener (OUTBOUND in Istio) then falls back to the rules as at the gateway.
  return listenerDirection() == LISTENER_INBOUND;
}

/** A request under a config with a pass-through: the pass-through first, then the rules for what it leaves undecided. */
export function sidecarRequest(active: ActiveConfig): void {
  const counters = active.passThroughCounters!;
  const plan = active.plan;
  plan.begin();
  if (passThrough(active, counters)) {
    releaseReads(plan);
  } else if (active.config.rules.length == 0) {
    count(counters.none);
    releaseReads(plan);
  } else {
    count(counters.fallback);
    applyRules(active);
  }
}

/** Whether the request now has its lane (recorded, restored or kept). */
function passThrough(active: ActiveConfig, counters: PassThroughCounters): bool {
  const block = active.config.passThrough!;
  const inbound = isInbound(block);
  if (block.mode == PassThroughMode.Baggage) return baggage(block, counters, inbound);
  if (inbound) return inboundTrace(block, counters);
  const route = readHeader(block.routeHeaderBytes);
  const done = outboundTrace(active, counters, route);
  releaseHeader(route);
  return done;
}

/** Inbound needs both headers: one copy of the whole map costs one VM entry (the host's malloc) where two reads cost two. */
function inboundTrace(block: PassThrough, counters: PassThroughCounters): bool {
  const pairs = readHeaderPairs();
  if (pairs == NO_SPAN) return false;
  const route = firstValueFromPairs(spanPtr(pairs), spanLength(pairs), block.routeHeaderBytes);
  const trace = firstValueFromPairs(spanPtr(pairs), spanLength(pairs), block.carrierBytes);
  const done = route != NO_SPAN;
  if (trace == NO_SPAN) {
    if (done) count(counters.kept);
  } else if (done) {
    record(block, counters, trace, route);
  } else {
    forget(block, trace);
  }
  releaseHeader(pairs);
  return done;
}

/** Outbound: the trace header is read through the rules' plan when a rule reads it too, so a fallback reads it once. */
function outboundTrace(active: ActiveConfig, counters: PassThroughCounters, route: u64): bool {
  if (route != NO_SPAN) {
    count(counters.kept);
    return true;
  }
  const block = active.config.passThrough!;
  const inPlan = active.traceInPlan;
  const trace = inPlan >= 0 ? headerValue(active.plan, inPlan) : readHeader(block.carrierBytes);
  if (trace == NO_SPAN) return false;
  const done = restore(block, counters, trace);
  if (inPlan < 0) releaseHeader(trace);
  return done;
}

function record(block: PassThrough, counters: PassThroughCounters, trace: u64, route: u64): void {
  const traceLength = spanLength(trace);
  const tagLength = spanLength(route);
  if (!recordable(traceLength, tagLength)) {
    count(counters.tooLong);
    return;
  }
  const length = writeSlotValue(SLOT_VALUE, nowNanos() + block.ttlNanos, spanPtr(trace), traceLength, spanPtr(route), tagLength);
  writeSlots(block, traceHash(spanPtr(trace), traceLength), length);
  count(counters.recorded);
}

/**
 * The latest request of a trace value came without a lane: its calls must not ride the one recorded
 * before (a rollback, a plugin removed upstream), so the record is overwritten by an expired one.
 */
function forget(block: PassThrough, trace: u64): void {
  const traceLength = spanLength(trace);
  if (traceLength > MAX_TRACE_BYTES) return;
  const length = writeSlotValue(SLOT_VALUE, FORGOTTEN, spanPtr(trace), traceLength, 0, 0);
  writeSlots(block, traceHash(spanPtr(trace), traceLength), length);
}

/** Writes the slot value put together at SLOT_VALUE into both slots of a trace value. */
function writeSlots(block: PassThrough, hash: u32, length: usize): void {
  const keys = block.keys!;
  const key = changetype<usize>(keys.buffer);
  const first = firstSlot(hash, block.slots);
  setSharedValue(key, keys.keyOf(first), SLOT_VALUE, length);
  const second = secondSlot(hash, first, block.slots);
  if (second != first) setSharedValue(key, keys.keyOf(second), SLOT_VALUE, length);
}

function restore(block: PassThrough, counters: PassThroughCounters, trace: u64): bool {
  const traceLength = spanLength(trace);
  if (traceLength > MAX_TRACE_BYTES) {
    count(counters.tooLong);
    return false;
  }
  const hash = traceHash(spanPtr(trace), traceLength);
  const first = firstSlot(hash, block.slots);
  // Every record writes the first slot: nothing there means nothing recorded for this trace value.
  const value = slotValue(block, first);
  if (value == NO_SPAN) return false;
  const now = nowNanos();
  let tag = storedTag(spanPtr(value), spanLength(value), spanPtr(trace), traceLength, now);
  if (tag == SLOT_EXPIRED || tag == SLOT_COLLIDED) {
    const second = secondSlot(hash, first, block.slots);
    const other = second != first ? slotValue(block, second) : NO_SPAN;
    const otherTag = other == NO_SPAN ? NO_SPAN : storedTag(spanPtr(other), spanLength(other), spanPtr(trace), traceLength, now);
    if (otherTag == NO_SPAN || otherTag == SLOT_EXPIRED || otherTag == SLOT_COLLIDED) {
      count(tag == SLOT_EXPIRED ? counters.expired : counters.collided);
      return false;
    }
    tag = otherTag;
  }
  replaceHeaderBytes(block.routeHeaderBytes, spanPtr(tag), spanLength(tag));
  count(counters.restored);
  return true;
}

/** The value `slot` holds, as a span of the host's copy, or NO_SPAN when the slot is empty. */
function slotValue(block: PassThrough, slot: u32): u64 {
  const keys = block.keys!;
  return sharedValue(changetype<usize>(keys.buffer), keys.keyOf(slot));
}

/** Baggage mode reads the whole map: `baggage` may be repeated, and the route header comes with it in the same copy. */
function baggage(block: PassThrough, counters: PassThroughCounters, inbound: bool): bool {
  const pairs = readHeaderPairs();
  if (pairs == NO_SPAN) return false;
  const ptr = spanPtr(pairs);
  const length = spanLength(pairs);
  const route = firstValueFromPairs(ptr, length, block.routeHeaderBytes);
  let done = true;
  if (!inbound && route != NO_SPAN) {
    count(counters.kept);
  } else {
    const values = baggageValues;
    values.clear();
    valuesFromPairs(ptr, length, BAGGAGE, values);
    done = inbound ? laneIntoBaggage(block, counters, values, route) : laneFromBaggage(block, counters, values);
  }
  releaseHeader(pairs);
  return done;
}

/** Inbound: the member says the route header's lane, or nothing (a client cannot pick a lane by baggage). */
function laneIntoBaggage(block: PassThrough, counters: PassThroughCounters, values: HeaderValues, route: u64): bool {
  const name = block.carrierBytes;
  const tag: usize = route == NO_SPAN ? 0 : spanPtr(route);
  const tagLength: usize = route == NO_SPAN ? 0 : spanLength(route);
  if (baggageChanges(values, name, tag, tagLength)) {
    const length = baggageLength(values, name, tag, tagLength);
    if (length == 0) {
      removeHeader(BAGGAGE);
    } else {
      // Outside the GC: freed right after the host has copied it.
      const out = heap.alloc(length);
      writeBaggage(values, name, tag, tagLength, out);
      replaceHeaderBytes(BAGGAGE, out, length);
      heap.free(out);
    }
  }
  if (route == NO_SPAN) return false;
  count(counters.recorded);
  return true;
}

/** Outbound without the route header: the member, decoded, becomes it. */
function laneFromBaggage(block: PassThrough, counters: PassThroughCounters, values: HeaderValues): bool {
  const member = baggageMember(values, block.carrierBytes);
  if (member == NO_SPAN) return false;
  const length = decodeInPlace(spanPtr(member), spanLength(member));
  if (length < 0) return false;
  replaceHeaderBytes(block.routeHeaderBytes, spanPtr(member), <usize>length);
  count(counters.restored);
  return true;
}
