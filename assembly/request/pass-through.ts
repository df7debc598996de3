// The sidecar pass-through, per request. Inbound (the app is called): the lane the request carries
// is recorded by trace value, or written into the baggage the app propagates. Outbound (the app
// calls out): a request without the route header gets it back from the record or the baggage.
// When it leaves a request without its lane, the rules (if any) decide, as at the gateway.
import { ActiveConfig } from "../active-config";
import { count } from "../host/counters";
import { readHeader, releaseHeader, removeHeader, replaceHeader, replaceHeaderBytes } from "../host/headers";
import { readHeaderPairs } from "../host/header-pairs";
import { PassThroughCounters } from "../host/pass-through-counters";
import { setSharedValue, sharedValue } from "../host/shared-data";
import { LISTENER_INBOUND, listenerDirection, nowNanos } from "../host/stream-info";
import { Direction, PassThrough, PassThroughMode } from "../pass-through";
import { HeaderValues, baggageChanges, baggageLength, baggageMember, decodeInPlace, writeBaggage } from "./baggage";
import { NO_SPAN, spanLength, spanPtr } from "./byte-span";
import { valuesFromPairs } from "./header-pairs";
import {
  MAX_SLOT_VALUE_BYTES, MAX_TRACE_BYTES, SLOT_COLLIDED, SLOT_EXPIRED, recordable, slotOf, storedTag, writeSlotValue,
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

/** Runs the pass-through: true when the rules have nothing left to do (the lane is carried, or there are none). */
export function carryLane(active: ActiveConfig): bool {
  const counters = active.passThroughCounters!;
  if (passThrough(active.config.passThrough!, counters)) return true;
  if (active.config.rules.length == 0) {
    count(counters.none);
    return true;
  }
  count(counters.fallback);
  return false;
}

/** Whether the request now has its lane (recorded, restored or kept). */
function passThrough(block: PassThrough, counters: PassThroughCounters): bool {
  const inbound = isInbound(block);
  const route = readHeader(block.routeHeaderBytes);
  const done = block.mode == PassThroughMode.TraceId
    ? traceId(block, counters, inbound, route)
    : baggage(block, counters, inbound, route);
  releaseHeader(route);
  return done;
}

function traceId(block: PassThrough, counters: PassThroughCounters, inbound: bool, route: u64): bool {
  if (!inbound && route != NO_SPAN) {
    count(counters.kept);
    return true;
  }
  if (inbound && route == NO_SPAN) return false;
  const trace = readHeader(block.carrierBytes);
  if (trace == NO_SPAN) {
    if (inbound) count(counters.kept);
    return inbound;
  }
  const done = inbound ? record(block, counters, trace, route) : restore(block, counters, trace);
  releaseHeader(trace);
  return done;
}

function record(block: PassThrough, counters: PassThroughCounters, trace: u64, route: u64): bool {
  const traceLength = spanLength(trace);
  const tagLength = spanLength(route);
  if (!recordable(traceLength, tagLength)) {
    count(counters.tooLong);
    return true;
  }
  const keys = block.keys!;
  const keyLength = keys.keyOf(slotOf(spanPtr(trace), traceLength, block.slots));
  const length = writeSlotValue(SLOT_VALUE, nowNanos() + block.ttlNanos, spanPtr(trace), traceLength, spanPtr(route), tagLength);
  setSharedValue(changetype<usize>(keys.buffer), keyLength, SLOT_VALUE, length);
  count(counters.recorded);
  return true;
}

function restore(block: PassThrough, counters: PassThroughCounters, trace: u64): bool {
  const traceLength = spanLength(trace);
  if (traceLength > MAX_TRACE_BYTES) {
    count(counters.tooLong);
    return false;
  }
  const keys = block.keys!;
  const keyLength = keys.keyOf(slotOf(spanPtr(trace), traceLength, block.slots));
  const value = sharedValue(changetype<usize>(keys.buffer), keyLength);
  if (value == NO_SPAN) return false;
  const tag = storedTag(spanPtr(value), spanLength(value), spanPtr(trace), traceLength, nowNanos());
  if (tag == SLOT_EXPIRED || tag == SLOT_COLLIDED) {
    count(tag == SLOT_EXPIRED ? counters.expired : counters.collided);
    return false;
  }
  replaceHeaderBytes(block.routeHeaderBytes, spanPtr(tag), spanLength(tag));
  count(counters.restored);
  return true;
}

function baggage(block: PassThrough, counters: PassThroughCounters, inbound: bool, route: u64): bool {
  if (!inbound && route != NO_SPAN) {
    count(counters.kept);
    return true;
  }
  const values = baggageValues;
  values.clear();
  const pairs = readHeaderPairs();
  if (pairs != NO_SPAN) valuesFromPairs(spanPtr(pairs), spanLength(pairs), BAGGAGE, values);
  const name = block.carrierBytes;
  if (!inbound) {
    const member = baggageMember(values, name);
    const length = member == NO_SPAN ? -1 : decodeInPlace(spanPtr(member), spanLength(member));
    releaseHeader(pairs);
    if (length < 0) return false;
    replaceHeaderBytes(block.routeHeaderBytes, spanPtr(member), <usize>length);
    count(counters.restored);
    return true;
  }
  // Inbound: the member says the route header's lane, or nothing (a client cannot pick a lane by baggage).
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
  releaseHeader(pairs);
  if (route == NO_SPAN) return false;
  count(counters.recorded);
  return true;
}
