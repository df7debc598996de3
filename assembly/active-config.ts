// An accepted configuration as one root context serves it: the rules, their counters and the plan
// of what a request reads. Built whole before it is installed, so a request never sees half of one.
import { RuleCounters } from "./host/counters";
import { RequestPlan } from "./request/plan";
import { PluginConfig } from "./rules";

export class ActiveConfig {
  readonly counters: StaticArray<RuleCounters>;
  readonly plan: RequestPlan;

  constructor(readonly config: PluginConfig) {
    const rules = config.rules;
    const counters = new StaticArray<RuleCounters>(rules.length);
    for (let i = 0; i < rules.length; i++) counters[i] = new RuleCounters(rules[i]);
    this.counters = counters;
    this.plan = new RequestPlan(rules);
  }
}
