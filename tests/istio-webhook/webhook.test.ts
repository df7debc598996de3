// The admission webhook in the real chain: the kube-apiserver calls `npx hash-tagging webhook` over TLS
// with a CA this test makes, through deploy/istio/webhook/validating-webhook.yaml (clientConfig set to
// the local URL and caBundle, as the README's openssl recipe does). One chain for the file, in order.
import assert from "node:assert/strict";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { parse } from "yaml";
import { judgeConfig } from "../../scripts/cli/validate.ts";
import { patchArgs } from "../../scripts/istio/deploy.ts";
import { kubectl, shell } from "../../scripts/istio/kubectl.ts";
import { overlayWithImages } from "../../scripts/istio/kustomize.ts";
import { freePort, type Started, startDetached, tail, waitFor } from "../../scripts/istio/processes.ts";
import { WALKTHROUGH_USERS } from "../../scripts/lib/envoy/topology.ts";
import { post } from "../../scripts/lib/https-post.ts";
import { PLUGIN_WASM, REPO_ROOT } from "../../scripts/lib/paths.ts";
import { localWebhookArgs, makeServingCertificate, type ServingCertificate } from "../../scripts/lib/serving-certificate.ts";
import { expectedVersion, lanesSettle, skipReason, useLocalIstio, versionThrough } from "../istio/support.ts";
import { rendered, WEBHOOK_DIR } from "../support/manifests.ts";

const skip = skipReason("istio-webhook");
const istio = useLocalIstio(skip);
const WAIT_MS = 60_000;
const HOOK = "pluginconfig.hash-tagging.webhook";
const users = [...WALKTHROUGH_USERS, ...Array.from({ length: 40 }, (_, i) => `webhook-user-${i}`)];

let certificate: ServingCertificate;
let webhook: Started;
let webhookPort: number;

const kubeconfig = () => istio().kubeconfig;
const run = (command: string) => shell(kubeconfig(), command);
const webhookLog = (from = 0) => readFileSync(webhook.log, "utf8").slice(from);

const versionOf = (user: string) => versionThrough(istio(), user);

async function lanesAre(canaryRange: number): Promise<void> {
  for (const user of users) assert.equal(await versionOf(user), expectedVersion(user, canaryRange), `user ${user} at range ${canaryRange}`);
}

const settle = (canaryRange: number) => lanesSettle(istio, users, canaryRange, WAIT_MS);

/** The stored WasmPlugin istio-system/hash-tagging. */
async function stored(): Promise<{ resourceVersion: string; pluginConfig: any; spec: any }> {
  const o = JSON.parse(await kubectl(kubeconfig(), ["-n", "istio-system", "get", "wasmplugin", "hash-tagging", "-o", "json"]));
  return { resourceVersion: o.metadata.resourceVersion, pluginConfig: o.spec.pluginConfig, spec: o.spec };
}

/** The gateway's ECDS config as Envoy holds it: what istiod last delivered and Envoy accepted. */
const gatewayEcds = async () => (await fetch(`${istio().gateway.adminUrl}/config_dump?resource=ecds_filters`)).text();

/** A manifest file of the shipped WasmPlugin, as stored, with `pluginConfig`; `kubectl apply -f` takes it. */
function manifestWith(name: string, spec: Record<string, unknown>): string {
  const file = join(istio().stateDir, `${name}.yaml`);
  writeFileSync(
    file,
    JSON.stringify({ apiVersion: "extensions.istio.io/v1alpha1", kind: "WasmPlugin", metadata: { name, namespace: "istio-system" }, spec }),
  );
  return file;
}

function startWebhook(): Started {
  return startDetached(
    istio().stateDir,
    "webhook",
    process.execPath,
    [join(REPO_ROOT, "scripts/cli/hash-tagging.js"), ...localWebhookArgs(certificate, webhookPort)],
    { cwd: REPO_ROOT },
  );
}

/** The shipped ValidatingWebhookConfiguration, pointed at this machine's webhook with this test's CA instead of cert-manager's. */
function localWebhookConfiguration(failurePolicy: "Fail" | "Ignore"): string {
  const doc = parse(readFileSync(join(WEBHOOK_DIR, "validating-webhook.yaml"), "utf8"));
  delete doc.metadata.annotations["cert-manager.io/inject-ca-from"];
  doc.webhooks[0].clientConfig = { url: `https://127.0.0.1:${webhookPort}/validate`, caBundle: certificate.ca.toString("base64") };
  doc.webhooks[0].failurePolicy = failurePolicy;
  return JSON.stringify(doc);
}

const refused = (spec: any) => ({
  ...spec,
  pluginConfig: {
    rules: [
      {
        ...spec.pluginConfig.rules[0],
        policies: [
          { range: 120, tagValue: "s2" },
          { range: 100, tagValue: "s1" },
        ],
        colour: "red",
      },
    ],
  },
});

function check(name: string, body: () => Promise<void>): void {
  test(name, { skip }, async () => {
    try {
      await body();
    } catch (e) {
      if (webhook) (e as Error).message += `\n--- webhook log tail ---\n${tail(webhook.log, 20)}`;
      throw e;
    }
  });
}

check("the kube-apiserver calls the webhook over TLS with the test's CA; the shipped webhook resources pass its validation", async () => {
  certificate = makeServingCertificate(join(istio().stateDir, "webhook-tls"), ["127.0.0.1"]);
  webhookPort = await freePort();
  webhook = startWebhook();
  await waitFor(
    "the webhook's /readyz",
    async () =>
      (await post(`https://127.0.0.1:${webhookPort}/readyz`, "", { ca: certificate.ca, method: "GET" })).status === 200 ? true : undefined,
    30_000,
    webhook,
  );
  await kubectl(kubeconfig(), ["apply", "-f", "-"], localWebhookConfiguration("Fail"));
  // The kustomization's Deployment, Service and PodDisruptionBudget, its image set, through the apiserver's
  // own schema checks (no kubelet here to run them); the ValidatingWebhookConfiguration is the local one above.
  const overlay = overlayWithImages("webhook", {
    "hash-tagging-webhook": { newName: "registry.example.com/team/hash-tagging-webhook", newTag: "0.1.0" },
  });
  try {
    const docs = rendered("webhook", overlay.dir)
      .map((m) => m.doc)
      .filter((d) => d.kind !== "ValidatingWebhookConfiguration");
    assert.deepEqual(docs.map((d) => d.kind).sort(), ["Deployment", "PodDisruptionBudget", "Service"]);
    for (const doc of docs) await kubectl(kubeconfig(), ["apply", "--dry-run=server", "-f", "-"], JSON.stringify(doc));
  } finally {
    overlay.remove();
  }
  // The apiserver picks the configuration up asynchronously: wait until a refused config is refused.
  const spec = (await stored()).spec;
  await waitFor(
    "the apiserver to call the webhook",
    async () => {
      const r = await run(`kubectl apply --dry-run=server -f ${manifestWith("probe", refused(spec))}`);
      return r.code !== 0 && r.stderr.includes(HOOK) ? true : undefined;
    },
    WAIT_MS,
    webhook,
  );
  await lanesAre(20);
});

check(
  "kubectl apply of a refused pluginConfig fails with the filter's lines; nothing changes, in the store or at the gateway",
  async () => {
    const before = await stored();
    const ecds = await gatewayEcds();
    const from = statSync(webhook.log).size;
    const bad = refused(before.spec);
    const r = await run(`kubectl apply -f ${manifestWith("hash-tagging", bad)}`);
    console.log(
      `# kubectl apply of a refused pluginConfig, as the kube-apiserver answered (exit ${r.code}):\n${r.stderr
        .trimEnd()
        .split("\n")
        .map((l) => `#   ${l}`)
        .join("\n")}`,
    );
    assert.notEqual(r.code, 0, `kubectl apply succeeded: ${r.stdout}`);
    const { lines } = await judgeConfig(PLUGIN_WASM, JSON.stringify(bad.pluginConfig));
    assert.ok(lines.length >= 2, lines.join("\n"));
    assert.match(
      r.stderr,
      new RegExp(
        `admission webhook "${HOOK.replaceAll(".", "\\.")}" denied the request: spec\\.pluginConfig refused by the hash-tagging filter \\(${lines.length} error\\(s\\)\\)`,
      ),
    );
    for (const line of lines) assert.ok(r.stderr.includes(line), `kubectl's error lacks the filter's line: ${line}\n${r.stderr}`);
    assert.match(webhookLog(from), /^review istio-system\/hash-tagging UPDATE: denied: rules\[0\]\./m);
    const after = await stored();
    assert.equal(after.resourceVersion, before.resourceVersion, "the refused object was stored");
    assert.deepEqual(after.pluginConfig, before.pluginConfig);
    // istiod got no event, so the gateway got no update: its ECDS config is byte for byte what it was, and the lanes too.
    await lanesAre(20);
    assert.equal(await gatewayEcds(), ecds, "the gateway's ECDS config changed");
  },
);

check("--dry-run=server: the refused config is refused, a good one admitted, and neither is stored", async () => {
  const before = await stored();
  const bad = await run(`kubectl apply --dry-run=server -f ${manifestWith("hash-tagging", refused(before.spec))}`);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /denied the request: spec\.pluginConfig refused by the hash-tagging filter/);
  const good = structuredClone(before.spec);
  good.pluginConfig.rules[0].policies[0].range = 30;
  const ok = await run(`kubectl apply --dry-run=server -f ${manifestWith("hash-tagging", good)}`);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /wasmplugin\.extensions\.istio\.io\/hash-tagging (configured|created) \(server dry run\)/);
  assert.equal((await stored()).resourceVersion, before.resourceVersion, "a dry run stored something");
  await lanesAre(20);
});

check("patches/ramp-50.yaml is admitted by the webhook and served by the gateway", async () => {
  const from = statSync(webhook.log).size;
  const r = await run(`kubectl ${patchArgs("ramp-50").join(" ")}`);
  assert.equal(r.code, 0, r.stderr);
  assert.match(webhookLog(from), /^review istio-system\/hash-tagging UPDATE: allowed: pluginConfig accepted by the filter/m);
  assert.equal((await stored()).pluginConfig.rules[0].policies[0].range, 50);
  await settle(50);
});

check("another team's WasmPlugin is admitted untouched and never reaches the webhook (matchConditions)", async () => {
  const from = statSync(webhook.log).size;
  const spec = {
    selector: { matchLabels: { app: "other-team-nothing" } },
    url: "oci://registry.example.com/other-team/rate-limiter:1.0",
    phase: "STATS",
    pluginConfig: { limits: [{ per: "minute", requests: "lots" }] },
  };
  const r = await run(`kubectl apply -f ${manifestWith("rate-limiter", spec)}`);
  assert.equal(r.code, 0, r.stderr);
  const o = JSON.parse(await kubectl(kubeconfig(), ["-n", "istio-system", "get", "wasmplugin", "rate-limiter", "-o", "json"]));
  assert.deepEqual(o.spec.pluginConfig, spec.pluginConfig);
  // Our own review after it: its line shows the log is live, and nothing about rate-limiter comes before it.
  await run(`kubectl apply --dry-run=server -f ${manifestWith("hash-tagging", refused((await stored()).spec))}`);
  await waitFor("the dry run's review line", async () => (/hash-tagging UPDATE: denied/.test(webhookLog(from)) ? true : undefined), 10_000);
  assert.doesNotMatch(webhookLog(from), /rate-limiter/, "the apiserver sent another team's WasmPlugin to the webhook");
  await kubectl(kubeconfig(), ["-n", "istio-system", "delete", "wasmplugin", "rate-limiter"]);
});

check("webhook down: failurePolicy Fail refuses our WasmPlugin changes, Ignore admits them unjudged", async () => {
  process.kill(-webhook.pid, "SIGTERM");
  await waitFor(
    "the webhook to stop",
    async () => {
      try {
        await post(`https://127.0.0.1:${webhookPort}/healthz`, "", { ca: certificate.ca, method: "GET", timeoutMs: 1000 });
        return undefined;
      } catch {
        return true;
      }
    },
    10_000,
  );
  const before = await stored();
  const rollBack = `kubectl ${patchArgs("rollback").join(" ")}`;
  const refusedNow = await run(rollBack);
  console.log(`# webhook down, failurePolicy Fail (exit ${refusedNow.code}): ${refusedNow.stderr.trim()}`);
  assert.notEqual(refusedNow.code, 0, "failurePolicy Fail admitted a change with no webhook answering");
  assert.match(refusedNow.stderr, new RegExp(`failed calling webhook "${HOOK.replaceAll(".", "\\.")}"`));
  assert.equal((await stored()).resourceVersion, before.resourceVersion);
  await kubectl(kubeconfig(), ["apply", "-f", "-"], localWebhookConfiguration("Ignore"));
  const admitted = await waitFor(
    "failurePolicy Ignore to take effect",
    async () => {
      const r = await run(rollBack);
      return r.code === 0 ? r : undefined;
    },
    WAIT_MS,
  );
  assert.match(admitted.stdout, /wasmplugin\.extensions\.istio\.io\/hash-tagging patched/);
  assert.equal((await stored()).pluginConfig.rules[0].policies[0].range, 0);
  await settle(0);
});
