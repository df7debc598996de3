// The pass-through's counters, one set per configuration (same names, so the same counters).
// `expired` and `collided` say why a lookup found no lane; `fallback` and `none` count every
// request the pass-through left without one (the rules decided, or nothing did).
import { defineCounter } from "./counters";

const PREFIX = "hash_tagging.pass_through.";

export class PassThroughCounters {
  /** Inbound: the lane was recorded (trace-id mode) or put into baggage (baggage mode). */
  readonly recorded: u32 = defineCounter(PREFIX + "recorded");
  /** Outbound: the route header was written from the recorded lane or from baggage. */
  readonly restored: u32 = defineCounter(PREFIX + "restored");
  /** The request already had the route header and nothing was to be recorded: it keeps it. */
  readonly kept: u32 = defineCounter(PREFIX + "kept");
  /** A trace value or tag over 256 bytes: not recorded, not looked up. */
  readonly tooLong: u32 = defineCounter(PREFIX + "too_long");
  readonly expired: u32 = defineCounter(PREFIX + "expired");
  readonly collided: u32 = defineCounter(PREFIX + "collided");
  readonly fallback: u32 = defineCounter(PREFIX + "fallback");
  readonly none: u32 = defineCounter(PREFIX + "none");
}
