// An accepted configuration as one root context serves it: the rules, their counters and the plan
// of what a request reads. Built whole before it is installed, so a request never sees half of one.
import { RuleCounters } from "./host/counters";
import { PassThroughCounters } from "./host/pass-through-counters";
import { RequestPlan } from "./request/plan";
import { PassThroughMode } from "./pass-through";
import { PluginConfig } from "./rules";

export class ActiveConfig {
  readonly counters: StaticArray<RuleCounters>;
  readonly plan: RequestPlan;
  readonly passThroughCounters: PassThroughCounters | null;
  /** The plan's index of the pass-through's trace header when a rule reads it too (one read serves both), else -1. */
  readonly traceInPlan: i32;

  constructor(readonly config: PluginConfig) {
    const rules = config.rules;
    const counters = new StaticArray<RuleCounters>(rules.length);
    for (let i = 0; i < rules.length; i++) counters[i] = new RuleCounters(rules[i]);
    this.counters = counters;
    this.plan = new RequestPlan(rules);
    const passThrough = config.passThrough;
    this.passThroughCounters = passThrough !== null ? new PassThroughCounters() : null;
    this.traceInPlan = passThrough !== null && passThrough.mode == PassThroughMode.TraceId ? this.plan.headerIndex(passThrough.carrierBytes) : -1;
  }
}
