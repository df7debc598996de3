// What a pluginConfig the filter refuses does in real Istio when nothing stops it at apply time (no
// admission webhook, or `failurePolicy: Ignore` while it is down): on a running gateway, and on gateways
// started while it is in place (a new pod of the gateway Deployment), with FAIL_CLOSE and FAIL_OPEN.
// The `# ` lines are the figures of scripts/istio/README.md, "What a refused config does".
import assert from "node:assert/strict";
import { readFileSync, statSync } from "node:fs";
import type { Agent } from "../../scripts/istio/agent.ts";
import { GATEWAY_BIND, startGateway } from "../../scripts/istio/gateway.ts";
import { kubectl } from "../../scripts/istio/kubectl.ts";
import { freePort, stopOne, waitFor } from "../../scripts/istio/processes.ts";
import { type Answer, ask } from "../../scripts/istio/walkthrough.ts";
import { WALKTHROUGH_USERS } from "../../scripts/lib/envoy/topology.ts";
import { chainTest, expectedVersion, mockcVersion, skipReason, useLocalIstio } from "./support.ts";

const skip = skipReason();
const istio = useLocalIstio(skip);
const WAIT_MS = 60_000;
/** How long a running gateway is watched for re-sends after its NACK. */
const WATCH_MS = 15_000;
/** How long a new gateway may take to answer at all (it answered in about 1 s). */
const READY_MS = 90_000;
const ROUNDS = 10;

/** The gateway the current test looks at: the chain's, then the ones started under the refused config. */
let current: Agent | undefined;
const gateway = () => current ?? istio().gateway;

const logOf = (file: string, from = 0) => readFileSync(file, "utf8").slice(from);
const endOf = (file: string) => statSync(file).size;

const patchPlugin = (ops: object[]) =>
  kubectl(istio().kubeconfig, ["-n", "istio-system", "patch", "wasmplugin", "hash-tagging", "--type", "json", "-p", JSON.stringify(ops)]);

/** The gateway's ECDS counters for the filter (`ecds.config_reload`, ...) and its LDS counters and listener gauges. */
async function xdsStats(agent: Agent): Promise<Record<string, number>> {
  const text = await (
    await fetch(`${agent.adminUrl}/stats?filter=${encodeURIComponent("extension_config_discovery|listener_manager")}`)
  ).text();
  const stats: Record<string, number> = {};
  for (const [, name, value] of text.matchAll(/^(\S+): (\d+)$/gm)) {
    const ecds = /^extension_config_discovery\.\S*hash-tagging\S*\.(\w+)$/.exec(name)?.[1];
    if (ecds && /^(update_(success|rejected)|config_(reload|fail)|version)$/.test(ecds)) stats[`ecds.${ecds}`] = Number(value);
    else if (/^listener_manager\.(lds\.update_(success|rejected)|total_listeners_(active|warming))$/.test(name))
      stats[name.replace("listener_manager.", "")] = Number(value);
  }
  return stats;
}

/**
 * The range of the first policy in the config the gateway's ECDS subscription last received (the admin
 * API dumps that one, whether or not the filter could be built from it).
 */
async function lastReceivedRange(agent: Agent): Promise<number | undefined> {
  const dump = JSON.stringify(await (await fetch(`${agent.adminUrl}/config_dump?resource=ecds_filters`)).json());
  const range = /\\"range\\":(\d+)/.exec(dump)?.[1];
  return range === undefined ? undefined : Number(range);
}

/** istiod's view of one proxy's ECDS stream (/debug/syncz): the nonces sent and acked, the last NACK's error. */
async function syncz(agent: Agent): Promise<{ sent?: string; acked?: string; lastError?: string }> {
  const all = (await (await fetch(`${istio().istiodHttp}/debug/syncz`)).json()) as {
    proxy: string;
    resources?: Record<string, { sent?: string; acked?: string; lastError?: string }>;
  }[];
  const pod = `${agent.process.name}-local.istio-system`;
  const entry = all.find((s) => s.proxy.includes(pod));
  assert.ok(entry, `istiod's /debug/syncz lists no proxy ${pod}: ${all.map((s) => s.proxy).join(", ")}`);
  return entry.resources?.["type.googleapis.com/envoy.config.core.v3.TypedExtensionConfig"] ?? {};
}

/** istiod's ECDS pushes to and NACKs from one proxy, in its log from `from` on. */
function istiodLines(agent: Agent, from: number): { pushes: number; nacks: number } {
  const pod = `${agent.process.name}-local.istio-system`;
  const lines = logOf(istio().istiod.log, from)
    .split("\n")
    .filter((l) => l.includes(pod));
  const count = (re: RegExp) => lines.filter((l) => re.test(l)).length;
  return { pushes: count(/\bECDS: PUSH/), nacks: count(/ADS:ECDS: ACK ERROR/) };
}

/** ROUNDS requests per walk-through user, counted by what came back ("200 v1", "403 RBAC: access denied", ...). */
async function answers(): Promise<{ tally: Record<string, number> }> {
  const tally: Record<string, number> = {};
  for (let round = 0; round < ROUNDS; round++) {
    for (const user of WALKTHROUGH_USERS) {
      const r: Answer = await ask(istio().gatewayUrl, user).catch((e: Error) => ({ status: 0, body: e.message }));
      const what = `${r.status} ${r.status === 200 ? (mockcVersion(r.body) ?? r.body) : r.body || "(empty body)"}`;
      tally[what] = (tally[what] ?? 0) + 1;
    }
  }
  return { tally };
}

const tallyLine = (tally: Record<string, number>) =>
  Object.entries(tally)
    .map(([what, n]) => `${n} x ${what}`)
    .join(", ");

const check = chainTest(skip, istio, gateway);

const walkthroughOnLanes = async (when: string) => {
  for (const user of WALKTHROUGH_USERS) {
    const r = await ask(istio().gatewayUrl, user);
    assert.equal(mockcVersion(r.body), expectedVersion(user, 20), `user ${user} ${when}: HTTP ${r.status} ${r.body}`);
  }
};

check("a running gateway NACKs a refused config and keeps its lanes; istiod does not send it again", async () => {
  const agent = gateway();
  const before = { stats: await xdsStats(agent), range: await lastReceivedRange(agent) };
  const [gatewayFrom, istiodFrom] = [endOf(agent.process.log), endOf(istio().istiod.log)];
  await patchPlugin([{ op: "replace", path: "/spec/pluginConfig/rules/0/policies/0/range", value: 120 }]);
  await waitFor(
    "the gateway's Envoy to reject the ECDS update",
    async () => (/TypedExtensionConfig rejected/.test(logOf(agent.process.log, gatewayFrom)) ? true : undefined),
    WAIT_MS,
  );
  await walkthroughOnLanes("under the refused config");
  // Left alone for a while: does anything send the refused resource again?
  await new Promise((r) => setTimeout(r, WATCH_MS));
  const after = {
    stats: await xdsStats(agent),
    range: await lastReceivedRange(agent),
    istiod: istiodLines(agent, istiodFrom),
    sync: await syncz(agent),
  };
  console.log(`# running gateway before: ${JSON.stringify(before.stats)}; its ECDS dump shows range ${before.range}`);
  console.log(
    `# ${WATCH_MS / 1000} s after the refused range 120: ${JSON.stringify(after.stats)}; its ECDS dump shows range ${after.range}`,
  );
  console.log(
    `# istiod meanwhile: ${after.istiod.pushes} ECDS push(es) and ${after.istiod.nacks} ECDS NACK(s) logged for it; /debug/syncz ECDS sent ${after.sync.sent}, acked ${after.sync.acked}, lastError ${JSON.stringify(after.sync.lastError)}`,
  );
  // Requests still ride range 20's lanes, but the subscription keeps the refused config as its last one.
  assert.deepEqual([before.range, after.range], [20, 120], "the ECDS dump: the last config received, not the one serving");
  // config_reload counts the refused update too (its cleanup runs either way): update_* and version tell.
  const ecds = (stats: Record<string, number>) =>
    ["update_rejected", "config_fail", "update_success", "version"].map((k) => stats[`ecds.${k}`]);
  const [rejected, fail, success, version] = ecds(before.stats);
  assert.deepEqual(ecds(after.stats), [rejected + 1, fail + 1, success, version], "ECDS: one update rejected, the accepted version kept");
  assert.equal(after.istiod.pushes, 1, "istiod sent the refused resource once, and not again");
  assert.equal(after.istiod.nacks, 1, "istiod logged the gateway's NACK once");
  assert.notEqual(after.sync.acked, after.sync.sent, "istiod's syncz: the last ECDS nonce sent is not acked");
  assert.match(after.sync.lastError ?? "", /Unable to create Wasm plugin istio-system\.hash-tagging/);
});

/** A new Gateway server on a free port (a new listener for the gateway): what Envoy did with it, and what its port answers. */
async function probeListener(agent: Agent) {
  const before = await xdsStats(agent);
  const gatewayFrom = endOf(agent.process.log);
  const port = await freePort();
  const probe = {
    apiVersion: "networking.istio.io/v1",
    kind: "Gateway",
    metadata: { name: "refused-config-probe", namespace: "istio-system" },
    spec: {
      selector: { istio: "ingressgateway" },
      servers: [{ port: { number: port, name: "http-probe", protocol: "HTTP" }, hosts: ["*"], bind: GATEWAY_BIND }],
    },
  };
  const ldsDone = (s: Record<string, number>) => s["lds.update_success"] + s["lds.update_rejected"];
  await kubectl(istio().kubeconfig, ["apply", "-f", "-"], JSON.stringify(probe));
  const after = await waitFor(
    "the gateway's Envoy to take or refuse a listener update",
    async () => {
      const now = await xdsStats(agent);
      return ldsDone(now) > ldsDone(before) ? now : undefined;
    },
    WAIT_MS,
  );
  const rejection = logOf(agent.process.log, gatewayFrom)
    .split("\n")
    .find((l) => /Listener rejected/.test(l));
  const answer = await ask(`http://${GATEWAY_BIND}:${port}`, "bob").catch((e: Error) => ({ status: 0, body: e.message }));
  await kubectl(istio().kubeconfig, ["-n", "istio-system", "delete", "gateway", "refused-config-probe"]);
  return { port, rejected: after["lds.update_rejected"] - before["lds.update_rejected"], rejection, answer, stats: after };
}

check("under the refused config, the running gateway rejects every new listener (a new Gateway server)", async () => {
  const probe = await probeListener(gateway());
  console.log(
    `# a new Gateway server (port ${probe.port}) under the refused config: ${JSON.stringify(probe.stats)}; its port answers HTTP ${probe.answer.status}`,
  );
  console.log(`# the listener update's rejection: ${probe.rejection?.replace(/^.*rejected: /, "")}`);
  await walkthroughOnLanes("after the rejected listener update");
  assert.equal(probe.rejected, 1, "the listener update was rejected");
  assert.match(
    probe.rejection ?? "",
    new RegExp(`listener\\(s\\) ${GATEWAY_BIND}_${probe.port}: Unable to create Wasm plugin istio-system\\.hash-tagging`),
  );
  assert.equal(probe.answer.status, 0, `the new server's port answered: ${probe.answer.body}`);
});

check("re-applying the previous config verbatim after the refused one is taken, and new listeners with it", async () => {
  const agent = gateway();
  const before = await xdsStats(agent);
  const from = endOf(agent.process.log);
  await patchPlugin([{ op: "replace", path: "/spec/pluginConfig/rules/0/policies/0/range", value: 20 }]);
  const after = await waitFor(
    "the gateway's ECDS to take or refuse the re-applied config",
    async () => {
      const now = await xdsStats(agent);
      return now["ecds.update_success"] + now["ecds.update_rejected"] > before["ecds.update_success"] + before["ecds.update_rejected"]
        ? now
        : undefined;
    },
    WAIT_MS,
  );
  const range = await lastReceivedRange(agent);
  const accepted = (logOf(agent.process.log, from).match(/wasm log: configuration accepted/g) ?? []).length;
  const probe = await probeListener(agent);
  console.log(
    `# re-applied range 20 verbatim: ${JSON.stringify(after)}; ECDS dump range ${range}; ${accepted} "configuration accepted" log line(s)`,
  );
  console.log(`# then a new Gateway server: ${probe.rejected} rejected, its port answers HTTP ${probe.answer.status}`);
  await walkthroughOnLanes("after the re-apply");
  assert.deepEqual(
    [after["ecds.update_success"], after["ecds.update_rejected"], range],
    [before["ecds.update_success"] + 1, before["ecds.update_rejected"], 20],
    "the re-applied config accepted",
  );
  // Silent: the worker reuses the plugin it still holds for this exact configuration (no proxy_on_configure).
  assert.match(logOf(agent.process.log).slice(0, from), /wasm log: configuration accepted/, "the first configure's log line");
  assert.equal(accepted, 0, "no new configure after the re-apply");
  assert.equal(probe.rejected, 0, `a new listener after the re-apply: ${probe.rejection}`);
  assert.equal(probe.answer.status, 404, "the new server's port answers (no VirtualService: 404)");
});

/** Starts a gateway (a new pod) under the WasmPlugin as it is now, stopping the one before; the seconds to LDS and to a first answer. */
async function newGateway(name: string): Promise<{ lds: number; answered?: number }> {
  await stopOne(gateway().process);
  const t0 = Date.now();
  current = await startGateway(istio().stateDir, istio().xdsAddress, istio().registryHost, (l) => console.log(`# istio: ${l}`), name);
  const lds = (Date.now() - t0) / 1000;
  const answered = await waitFor(
    "the new gateway's first HTTP answer",
    async () => ((await ask(istio().gatewayUrl, "bob")).status > 0 ? (Date.now() - t0) / 1000 : undefined),
    READY_MS,
    gateway().process,
  ).catch(() => undefined);
  return { lds, answered };
}

/** The response flags of the gateway's access-log lines for 500s ("NFCF": no filter config found), counted. */
function flagsOf500s(log: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const [, flags] of log.matchAll(/"GET \/ HTTP\/1\.1" 500 (\S+) /g)) counts[flags] = (counts[flags] ?? 0) + 1;
  return counts;
}

for (const failStrategy of ["FAIL_CLOSE", "FAIL_OPEN"]) {
  check(`a gateway started under the refused config, failStrategy ${failStrategy}: HTTP 500 for everyone`, async () => {
    await patchPlugin([
      { op: "replace", path: "/spec/pluginConfig/rules/0/policies/0/range", value: 120 },
      { op: "add", path: "/spec/failStrategy", value: failStrategy },
    ]);
    const ready = await newGateway(`gateway-${failStrategy.toLowerCase().replace("_", "-")}`);
    const { tally } = await answers();
    const agent = gateway();
    const log = logOf(agent.process.log);
    const [stats, range] = [await xdsStats(agent), await lastReceivedRange(agent)];
    const refusal = log.split("\n").find((l) => /TypedExtensionConfig rejected/.test(l));
    await new Promise((r) => setTimeout(r, 1500)); // Envoy flushes its access log every second
    const flags = flagsOf500s(logOf(agent.process.log));
    console.log(
      `# new gateway, ${failStrategy}: LDS accepted ${ready.lds.toFixed(1)} s after start, first HTTP answer ${ready.answered === undefined ? `none in ${READY_MS / 1000} s` : `${ready.answered.toFixed(1)} s`}`,
    );
    console.log(
      `# ${failStrategy}, ${ROUNDS} requests per walk-through user: ${tallyLine(tally)}; access log of the 500s: ${tallyLine(flags)}`,
    );
    console.log(`# ${failStrategy}: ${JSON.stringify(stats)}; its ECDS dump shows range ${range}`);
    console.log(`# ${failStrategy}: Envoy logged ${refusal?.replace(/^.*\t(?=delta config)/, "").replace(/\tthread=\d+$/, "")}`);
    assert.ok(ready.answered !== undefined, `the new gateway never answered in ${READY_MS / 1000} s`);
    assert.deepEqual(tally, { "500 (empty body)": ROUNDS * WALKTHROUGH_USERS.length }, "every request: HTTP 500, empty body");
    assert.deepEqual(Object.keys(flags), ["NFCF"], "the access log's response flag of every 500: no filter config found");
    assert.equal(range, 120, "the config its ECDS subscription received");
    assert.deepEqual(
      ["update_rejected", "update_success", "version"].map((k) => stats[`ecds.${k}`]),
      [1, 0, 0],
      "ECDS: its one update rejected, no version accepted",
    );
    assert.match(log, /wasm log: rules\[0\]\.policies\[0\]\.range: expected an integer from 0 to 100, got the number 120/);
  });
}
