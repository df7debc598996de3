// Real Istio: istiod applies the shipped deploy/istio/ upstream overlay (`kubectl apply -k`), the
// gateway's and the sidecars' pilot-agents pull the WasmPlugins' image from a local registry, and the
// sample app, forwarding only x-user-id as the reference's does, answers through the gateway and two
// sidecars whose pass-through (trace-id mode) carries the lane. One chain serves every test of this file,
// in order. The lanes past the gateway wait on the filter's passThrough block.
import assert from "node:assert/strict";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { DELETE_PLUGIN_ARGS, patchArgs } from "../../scripts/istio/deploy.ts";
import { kubectl } from "../../scripts/istio/kubectl.ts";
import { waitFor } from "../../scripts/istio/processes.ts";
import { ask, walkthrough } from "../../scripts/istio/walkthrough.ts";
import { WALKTHROUGH_USERS } from "../../scripts/lib/envoy/topology.ts";
import { PLUGIN_WASM, REPO_ROOT } from "../../scripts/lib/paths.ts";
import { pushCraftedImage, tarGzOf } from "../support/crafted-images.ts";
import { DOCKER_CONFIG, DOCKER_LAYER_TAR_GZIP, DOCKER_MANIFEST, OCI_LAYER_TAR_GZIP } from "../support/media-types.ts";
import { RegistryClient } from "../support/registry-client.ts";
import { adminStat, chainFor, chainTest, expectedVersion, lanesSettle, skipReason, useLocalIstio, versionThrough } from "./support.ts";

const skip = skipReason();
const istio = useLocalIstio(skip);
const WAIT_MS = 60_000;

const versionOf = (user: string | undefined, headers?: Record<string, string>) => versionThrough(istio(), user, headers);

const stat = (name: string) => adminStat(istio().gateway.adminUrl, name);

/** Requests a sidecar's inbound listener has taken, from its access log (Istio keeps no per-listener HTTP stats). */
const inboundRequests = (log: string) => (readFileSync(log, "utf8").match(/ inbound\|8000\|\| /g) ?? []).length;

/** The counts once the access logs stop growing: Envoy flushes them every second, earlier tests' requests included. */
async function settled(logs: string[]): Promise<number[]> {
  let last = logs.map(inboundRequests);
  for (let stable = 0; stable < 2; ) {
    await new Promise((r) => setTimeout(r, 1500));
    const now = logs.map(inboundRequests);
    stable = JSON.stringify(now) === JSON.stringify(last) ? stable + 1 : 0;
    last = now;
  }
  return last;
}

/** The gateway log (pilot-agent and its Envoy) from `offset` on, and a way to mark its current end. */
const gatewayLog = (offset = 0) => readFileSync(istio().gateway.process.log, "utf8").slice(offset);
const logEnd = () => statSync(istio().gateway.process.log).size;

/** A deploy step as the README shows it: kubectl from the repository, on the chain's apiserver. */
const step = (args: string[]) => kubectl(istio().kubeconfig, args);

const check = chainTest(skip, istio, true);

/** The first plain ``` block (no language) of a section of scripts/istio/README.md: what it says the gateway prints. */
function readmeBlock(heading: string): string[] {
  const lines = readFileSync(join(REPO_ROOT, "scripts/istio/README.md"), "utf8").split("\n");
  assert.ok(lines.includes(heading), `scripts/istio/README.md has no section "${heading}"`);
  let fence: string | undefined;
  const block: string[] = [];
  for (const line of lines.slice(lines.indexOf(heading) + 1)) {
    if (fence === undefined && line.startsWith("```")) fence = line;
    else if (fence !== undefined && line === "```") {
      if (fence === "```") return block;
      fence = undefined;
    } else if (fence === "```") block.push(line);
  }
  assert.fail(`scripts/istio/README.md "${heading}": no plain code block`);
}

const synthetic = Array.from({ length: 200 }, (_, i) => `istio-user-${i}`);

check("the agent pulled the shipped WasmPlugin's image from the local registry into Envoy", async () => {
  const text = JSON.stringify(await (await fetch(`${istio().gateway.adminUrl}/config_dump?resource=ecds_filters`)).json());
  const file = /"filename":"(\/var\/lib\/istio\/data\/[^"]+)"/.exec(text)?.[1];
  assert.ok(file, `the gateway's ECDS config names no module file in the agent's cache: ${text.slice(0, 2000)}`);
  // The agent names the file by the manifest digest it pulled: the one `npm run image:push` printed.
  assert.ok(file.endsWith(`/${istio().pushed.digest}.wasm`), `${file} is not named by the pushed manifest digest ${istio().pushed.digest}`);
  assert.ok(text.includes("istio-system.hash-tagging"), "the ECDS filter is not the WasmPlugin istio-system/hash-tagging");
  const stored = JSON.parse(await kubectl(istio().kubeconfig, ["-n", "istio-system", "get", "wasmplugin", "hash-tagging", "-o", "json"]));
  assert.equal(
    stored.spec.url,
    `oci://${istio().pushed.image}@sha256:${istio().pushed.digest}`,
    "the overlay's images: entry, through its replacement",
  );
  assert.deepEqual(readFileSync(file), readFileSync(PLUGIN_WASM), `${file} is not the build's plugin.wasm`);
  assert.doesNotMatch(gatewayLog(), /error in converting the wasm config/, "the agent reported a failed fetch");
});

check("the walk-through through the Istio gateway: every user on the README's lane, every time", async () => {
  const { instances, gatewayUrl } = istio();
  const lines = await walkthrough(gatewayUrl);
  console.log(`# the walk-through as the Istio gateway served it:\n${lines.map((l) => `#   ${l}`).join("\n")}`);
  for (const [i, user] of WALKTHROUGH_USERS.entries()) {
    assert.equal(lines[i], `${chainFor(instances, expectedVersion(user, 20))}   user ${user} requested`);
  }
  assert.deepEqual(readmeBlock("## What it prints"), lines, "the walk-through of scripts/istio/README.md");
  for (const user of WALKTHROUGH_USERS) {
    for (let n = 0; n < 20; n++) assert.equal(await versionOf(user), expectedVersion(user, 20), `user ${user}, request ${n + 1}`);
  }
  const untagged = await ask(gatewayUrl);
  assert.equal(untagged.body, chainFor(instances, "v1"), "no x-user-id: no tag, the baseline route");
  assert.equal(
    (await stat("wasmcustom.hash_tagging.rule_0.no_key")) > 0,
    true,
    "the filter's no_key counter did not count the untagged request",
  );
});

check(
  "each sidecar takes its app's inbound traffic (Sidecar ingress, captureMode NONE) and runs the pass-through WasmPlugin pulled through istiod",
  async () => {
    const { sidecars, pushed } = istio();
    assert.deepEqual([...sidecars.keys()].sort(), ["mocka-v1", "mockb-v1"]);
    for (const [instance, agent] of sidecars) {
      const text = JSON.stringify(await (await fetch(`${agent.adminUrl}/config_dump?resource=ecds_filters`)).json());
      for (const side of ["inbound", "outbound"]) {
        assert.ok(
          text.includes(`default.swimlane-pass-through-${instance.split("-")[0]}-${side}`),
          `${instance}: no ECDS filter of its ${side} pass-through WasmPlugin: ${text.slice(0, 1500)}`,
        );
      }
      assert.ok(text.includes(`/${pushed.digest}.wasm`), `${instance}: the module is not the pushed image's`);
      const listeners = JSON.stringify(await (await fetch(`${agent.adminUrl}/config_dump?resource=dynamic_listeners`)).json());
      assert.match(listeners, /"traffic_direction":"INBOUND"/, `${instance}: no INBOUND listener`);
    }
    const logs = [...sidecars.values()].map((a) => a.process.log);
    const before = await settled(logs);
    assert.equal((await ask(istio().gatewayUrl, "bob")).status, 200);
    assert.deepEqual(
      (await settled(logs)).map((n, i) => n - before[i]),
      [1, 1],
      "one inbound request in each sidecar's access log",
    );
  },
);

check("a client cannot pick a lane: a forged x-asm-prefer-tag without a user id rides the baseline", async () => {
  assert.equal(await versionOf(undefined, { "x-asm-prefer-tag": "s2" }), "v1");
});

check("the agent refuses malformed images and an image other than the pinned digest", async () => {
  const { registryHost, kubeconfig, instances, pushed } = istio();
  const client = new RegistryClient(`http://${registryHost}`);
  const wasm = new Uint8Array(readFileSync(PLUGIN_WASM));
  const crafted = async (tag: string, mediaType: string, files: { name: string; bytes: Uint8Array }[]) => ({
    url: `oci://${registryHost}/malformed:${tag}`,
    digest: (
      await pushCraftedImage(client, "malformed", tag, DOCKER_MANIFEST, DOCKER_CONFIG, [{ mediaType, bytes: tarGzOf(files) }])
    ).replace(/^sha256:/, ""),
  });
  const wrongType = await crafted("wrong-layer-type", OCI_LAYER_TAR_GZIP, [{ name: "plugin.wasm", bytes: wasm }]);
  const noPlugin = await crafted("no-plugin-wasm", DOCKER_LAYER_TAR_GZIP, [{ name: "filter.wasm", bytes: wasm }]);
  const notWasm = await crafted("not-wasm", DOCKER_LAYER_TAR_GZIP, [
    { name: "plugin.wasm", bytes: new TextEncoder().encode("#!/bin/sh\n") },
  ]);
  const cases = [
    {
      what: "a layer of the wrong media type",
      url: wrongType.url,
      reason: `invalid media type ${OCI_LAYER_TAR_GZIP} (expect ${DOCKER_LAYER_TAR_GZIP})`,
    },
    { what: "no plugin.wasm in the layer", url: noPlugin.url, reason: "plugin.wasm not found in the archive" },
    { what: "a plugin.wasm that is not Wasm", url: notWasm.url, reason: `fetched Wasm binary from ${notWasm.url} is invalid` },
    {
      what: "the shipped image pinned to another digest",
      url: `oci://${pushed.image}`,
      sha256: wrongType.digest,
      reason: `has checksum ${pushed.digest}, which does not match: ${wrongType.digest}`,
    },
  ];
  for (const c of cases) {
    for (const failStrategy of ["FAIL_OPEN", "FAIL_CLOSE"]) {
      const from = logEnd();
      await kubectl(
        kubeconfig,
        ["apply", "-f", "-"],
        JSON.stringify({
          apiVersion: "extensions.istio.io/v1alpha1",
          kind: "WasmPlugin",
          metadata: { name: "malformed", namespace: "istio-system" },
          spec: {
            selector: { matchLabels: { istio: "ingressgateway" } },
            url: c.url,
            ...(c.sha256 ? { sha256: c.sha256 } : {}),
            phase: "STATS",
            failStrategy,
            imagePullPolicy: "Always",
          },
        }),
      );
      const refusal = await waitFor(
        `the agent's refusal of ${c.what} (${failStrategy})`,
        async () =>
          gatewayLog(from)
            .split("\n")
            .find((l) => l.includes(`cannot fetch Wasm module ${c.url}`)),
        WAIT_MS,
      );
      assert.ok(refusal.includes(c.reason), `${c.what}: the agent refused it for another reason than "${c.reason}": ${refusal}`);
      if (failStrategy === "FAIL_OPEN") {
        assert.match(refusal, /applying allow RBAC filter/);
        for (const user of WALKTHROUGH_USERS)
          assert.equal(await versionOf(user), expectedVersion(user, 20), `user ${user} with ${c.what} refused (FAIL_OPEN)`);
      } else {
        assert.match(refusal, /applying deny RBAC filter/);
        const denied = await waitFor(
          "the gateway to deny requests (FAIL_CLOSE)",
          async () => {
            const r = await ask(istio().gatewayUrl, "bob");
            return r.status === 200 ? undefined : r;
          },
          WAIT_MS,
        );
        assert.deepEqual(denied, { status: 403, body: "RBAC: access denied" });
      }
    }
  }
  await kubectl(kubeconfig, ["-n", "istio-system", "delete", "wasmplugin", "malformed"]);
  await waitFor(
    "the gateway to serve again without the refused plugin",
    async () => ((await ask(istio().gatewayUrl, "bob")).body === chainFor(instances, "v1") ? true : undefined),
    WAIT_MS,
  );
});

check("a refused config (bad range) is rejected by the gateway's Envoy and the old config keeps serving", async () => {
  const from = logEnd();
  await kubectl(istio().kubeconfig, [
    "-n",
    "istio-system",
    "patch",
    "wasmplugin",
    "hash-tagging",
    "--type",
    "json",
    "-p",
    JSON.stringify([{ op: "replace", path: "/spec/pluginConfig/rules/0/policies/0/range", value: 120 }]),
  ]);
  const nack = /TypedExtensionConfig rejected: Unable to create Wasm plugin istio-system\.hash-tagging/;
  await waitFor("Envoy to reject the ECDS update", async () => (nack.test(gatewayLog(from)) ? true : undefined), WAIT_MS);
  assert.match(gatewayLog(from), /wasm log: rules\[0\]\.policies\[0\]\.range: expected an integer from 0 to 100, got the number 120/);
  assert.match(gatewayLog(from), /wasm log: configuration refused \(1 error\(s\) above\); nothing of it applied/);
  for (const user of [...WALKTHROUGH_USERS, ...synthetic.slice(0, 40)])
    assert.equal(await versionOf(user), expectedVersion(user, 20), `user ${user} after the refused update`);
  // The next test's ramp is the fix: a changed valid config (re-applying the refused one's predecessor
  // verbatim works too, silently: refused-config.test.ts).
});

check("patches/ramp-50.yaml through istiod: 20 -> 50: bob and stacy join lane s2, nobody leaves it", async () => {
  const everyone = [...WALKTHROUGH_USERS, ...synthetic];
  const canary = everyone.filter((u) => expectedVersion(u, 20) === "v2");
  const joining = everyone.filter((u) => expectedVersion(u, 20) === "v1" && expectedVersion(u, 50) === "v2");
  assert.ok(joining.includes("bob") && joining.includes("stacy"), "the README says bob and stacy join at 50");
  // Lane s2's users keep asking, 4 at a time, while the ramp rolls out (bounded: at most 20,000 requests).
  const left = new Set<string>();
  let asked = 0;
  let rampDone = false;
  const WORKERS = 4;
  const worker = async (first: number) => {
    while (!rampDone && asked < 20_000) {
      for (let i = first; i < canary.length && !rampDone; i += WORKERS) {
        asked++;
        if ((await versionOf(canary[i])) !== "v2") left.add(canary[i]);
      }
    }
  };
  const load = Promise.all(Array.from({ length: WORKERS }, (_, i) => worker(i)));
  await step(patchArgs("ramp-50"));
  try {
    await waitFor(
      "every joining user on lane s2",
      async () => {
        for (const user of joining) if ((await versionOf(user)) !== "v2") return undefined;
        return true;
      },
      WAIT_MS,
    );
  } finally {
    rampDone = true;
    await load;
  }
  assert.deepEqual([...left], [], `users left lane s2 during the ramp (${asked} requests of ${canary.length} canary users)`);
  console.log(`# ramp: ${joining.length} users joined lane s2; ${canary.length} canary users asked ${asked} times meanwhile, none left`);
  await lanesSettle(istio, [...WALKTHROUGH_USERS, ...synthetic.slice(0, 60)], 50);
});

check("patches/promote.yaml: range 100 puts every user on lane s2", async () => {
  await step(patchArgs("promote"));
  await lanesSettle(istio, [...WALKTHROUGH_USERS, ...synthetic.slice(0, 60)], 100);
});

check("patches/rollback.yaml: range 0 sends everyone but jason to s1; deleting the plugin leaves tags untouched", async () => {
  await step(patchArgs("rollback"));
  await lanesSettle(istio, [...WALKTHROUGH_USERS, ...synthetic.slice(0, 60)], 0);
  // With the plugin, a forged tag is replaced by the hash's; without it, the route sees the forged one.
  assert.equal(await versionOf("bob", { "x-asm-prefer-tag": "s2" }), "v1", "the filter did not replace a forged tag");
  await step(DELETE_PLUGIN_ARGS);
  await waitFor(
    "the gateway to run without the filter",
    async () => ((await versionOf("bob", { "x-asm-prefer-tag": "s2" })) === "v2" ? true : undefined),
    WAIT_MS,
  );
  assert.equal(await versionOf("jason"), "v2", "jason's named route");
  for (const user of WALKTHROUGH_USERS.filter((u) => u !== "jason" && u !== "bob"))
    assert.equal(await versionOf(user), "v1", `user ${user} untagged`);
  // bob's forged tag, which the gateway no longer replaces, was recorded by the sidecars (trace-id mode)
  // and carried his calls to lane s2; his next request, untagged, makes each hop forget it at once.
  assert.equal(await versionOf("bob"), "v1", "bob untagged right after his forged tag: his recorded lane forgotten");
  assert.equal(await versionOf("bob", { "x-asm-prefer-tag": "s2" }), "v2", "bob's forged tag again");
  assert.equal(await versionOf("bob"), "v1", "and untagged again");
});
