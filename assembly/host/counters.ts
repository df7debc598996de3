// The decision counters: defined with the host once per configuration (only those a rule can
// reach), incremented per request. Defining an existing name again gives back the same counter, so
// counters survive reconfiguration and are shared by every configuration that names them alike.
import { LogLevelValues, WasmResultValues, log } from "@solo-io/proxy-runtime/assembly";
import * as abi from "@solo-io/proxy-runtime/assembly/imports";
import { metricName, statsSegment } from "../metric-names";
import { TaggingRule } from "../rules";

const COUNTER: u32 = 0;
/** A counter the rule cannot reach, or one the host refused: incrementing it does nothing. */
export const NO_COUNTER: u32 = u32.MAX_VALUE;
const metricIdOut = memory.data(sizeof<u32>());

export function defineCounter(name: string): u32 {
  const bytes = String.UTF8.encode(name);
  const result = abi.proxy_define_metric(COUNTER, changetype<usize>(bytes), bytes.byteLength, metricIdOut);
  if (result != WasmResultValues.Ok) {
    log(LogLevelValues.warn, "cannot define counter " + name + ": host result " + result.toString() + "; it will stay at 0");
    return NO_COUNTER;
  }
  return load<u32>(metricIdOut);
}

// @ts-ignore: decorator
@inline export function count(counter: u32): void {
  abi.proxy_increment_metric(counter, 1);
}

/** Counter ids for one rule's outcomes. */
export class RuleCounters {
  readonly tagged: StaticArray<u32>;
  readonly pastLastRange: u32;
  readonly noKey: u32;
  readonly keyTooLong: u32;
  readonly override: u32;
  readonly default: u32;

  constructor(rule: TaggingRule) {
    const policies = rule.policies;
    this.tagged = new StaticArray<u32>(policies.length);
    for (let i = 0; i < policies.length; i++) this.tagged[i] = defineCounter(metricName(rule, "tag." + statsSegment(policies[i].tagValue)));
    // With a defaultTagValue, every untagged outcome is counted as `default`.
    const hasDefault = rule.defaultTag !== null;
    this.default = hasDefault ? defineCounter(metricName(rule, "default")) : NO_COUNTER;
    this.pastLastRange = hasDefault ? NO_COUNTER : defineCounter(metricName(rule, "past_last_range"));
    this.noKey = hasDefault ? NO_COUNTER : defineCounter(metricName(rule, "no_key"));
    this.keyTooLong = hasDefault || rule.maxKeyBytes == 0 ? NO_COUNTER : defineCounter(metricName(rule, "key_too_long"));
    this.override = rule.overrides !== null ? defineCounter(metricName(rule, "override")) : NO_COUNTER;
  }
}
