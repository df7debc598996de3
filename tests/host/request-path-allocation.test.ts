// No garbage-collected allocation on the request path, read off the compiled debug module: no call
// chain from the request hook reaches the runtime's allocator, except through the decision log that
// `debug.enabled` turns on for trying a config, and the abort handler, which runs only as the module
// traps. A static check, so it holds for every input.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { it } from "node:test";
import { DEBUG_WASM } from "../../scripts/lib/paths.ts";

const REQUEST_HOOK = "$assembly/lifecycle/proxy_on_request_headers";
const OPT_IN_LOGGING = ["$assembly/request/decision-log/logDecision", "$assembly/request/decision-log/freeDecisionLogs"];
const ABORT = "$~lib/@solo-io/proxy-runtime/assembly/runtime/abort_proc_exit";
const GC_ALLOCATION = /^\$~lib\/rt\/(tcms|itcms)\/__(new|renew|collect)$/;

/** Direct calls of each function in a .wat text. */
function callGraph(wat: string): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  let current: Set<string> | null = null;
  for (const line of wat.split("\n")) {
    const func = /^ \(func (\S+)/.exec(line);
    if (func) graph.set(func[1], (current = new Set()));
    const call = /^\s+call (\S+)/.exec(line);
    if (call && current) current.add(call[1]);
  }
  return graph;
}

it("reaches no GC allocation from the request hook (the opt-in decision log aside)", () => {
  const graph = callGraph(readFileSync(DEBUG_WASM.replace(/\.wasm$/, ".wat"), "utf8"));
  assert.ok(graph.has(REQUEST_HOOK), `${REQUEST_HOOK} not found in build/debug.wat`);
  for (const name of [...OPT_IN_LOGGING, ABORT]) assert.ok(graph.has(name), `${name} not found: update this test with its new name`);
  const path = new Map<string, string>([[REQUEST_HOOK, REQUEST_HOOK]]);
  const queue = [REQUEST_HOOK];
  while (queue.length > 0) {
    const fn = queue.shift()!;
    for (const callee of graph.get(fn) ?? []) {
      if (OPT_IN_LOGGING.includes(callee) || callee === ABORT || path.has(callee)) continue;
      path.set(callee, `${path.get(fn)} -> ${callee}`);
      assert.doesNotMatch(callee, GC_ALLOCATION, `the request path allocates: ${path.get(callee)}`);
      queue.push(callee);
    }
  }
  assert.ok(path.size > 3, "the request hook calls almost nothing: is the call graph parsed?");
});
