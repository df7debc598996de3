// The webhook over HTTPS, AdmissionReview in and AdmissionReview out: the verdicts come from
// build/plugin.wasm, so the denial lines are checked against `hash-tagging validate`'s judge.
import assert from "node:assert/strict";
import { test } from "node:test";
import { judgeConfig } from "../../scripts/cli/validate.ts";
import { MAX_BODY_BYTES } from "../../scripts/cli/webhook/server.ts";
import { PLUGIN_WASM } from "../../scripts/lib/paths.ts";
import { admissionReview, OUR_IMAGE, wasmPlugin } from "../support/admission-reviews.ts";
import { REFERENCE_CONFIG, referenceConfigWithCanary } from "../support/configs.ts";
import { responseOf, useWebhook } from "./support.ts";

const served = useWebhook();

const BAD_CONFIG = {
  rules: [
    { ...REFERENCE_CONFIG.rules[0], policies: [{ range: 120, tagValue: "s2" }], colour: "red" },
    { header: "x-user-id", modulo: 0, tagHeader: "x-lane", policies: [{ range: 1, tagValue: "a" }] },
  ],
};

/** The filter's own error lines for `config`, as `hash-tagging validate` prints them. */
async function filterLines(config: unknown): Promise<string[]> {
  const { accepted, lines } = await judgeConfig(PLUGIN_WASM, config === undefined ? "" : JSON.stringify(config));
  assert.equal(accepted, false, "the config under test must be one the filter refuses");
  return lines;
}

test("a good pluginConfig of our image is allowed, on CREATE and UPDATE, and the uid is echoed", async () => {
  const created = admissionReview("CREATE", wasmPlugin(OUR_IMAGE, REFERENCE_CONFIG));
  const answer = responseOf(await served().send(created));
  assert.deepEqual(answer, { uid: created.request.uid, allowed: true });
  const updated = admissionReview("UPDATE", wasmPlugin(OUR_IMAGE, referenceConfigWithCanary(50)), wasmPlugin(OUR_IMAGE, REFERENCE_CONFIG));
  assert.deepEqual(responseOf(await served().send(updated)), { uid: updated.request.uid, allowed: true });
});

test("a refused pluginConfig is denied with every one of the filter's error lines, each with its JSON path", async () => {
  const lines = await filterLines(BAD_CONFIG);
  assert.ok(lines.length >= 3, `expected several problems, the filter found: ${lines.join(" | ")}`);
  for (const operation of ["CREATE", "UPDATE"] as const) {
    const review = admissionReview(
      operation,
      wasmPlugin(OUR_IMAGE, BAD_CONFIG),
      operation === "UPDATE" ? wasmPlugin(OUR_IMAGE, REFERENCE_CONFIG) : null,
    );
    const answer = responseOf(await served().send(review));
    assert.equal(answer.uid, review.request.uid);
    assert.equal(answer.allowed, false);
    assert.equal(answer.status?.code, 403);
    const message = answer.status!.message.split("\n");
    assert.equal(message[0], `spec.pluginConfig refused by the hash-tagging filter (${lines.length} error(s)), nothing was stored:`);
    assert.deepEqual(message.slice(1), lines);
    for (const line of lines) assert.match(line, /^rules\[[01]\]\.[a-z]+(\[\d\]\.[a-z]+)?: /, line);
  }
});

test("a WasmPlugin without pluginConfig is denied: Istio would send the filter an empty configuration", async () => {
  const review = admissionReview("CREATE", wasmPlugin(OUR_IMAGE));
  const answer = responseOf(await served().send(review));
  assert.equal(answer.allowed, false);
  assert.deepEqual(answer.status!.message.split("\n").slice(1), await filterLines(undefined));
  assert.match(answer.status!.message, /configuration: is empty/);
});

const OTHERS = [
  "oci://registry.example.com/other-team/rate-limiter:1.0",
  "docker://registry.example.com/team/hash-tagging-fork:1",
  "registry.example.com/team/not-hash-tagging:1",
  "https://example.com/filters/hash-tagging.wasm",
  "file:///var/lib/hash-tagging.wasm",
];

test("another team's WasmPlugin is allowed untouched, whatever its pluginConfig", async () => {
  for (const url of OTHERS) {
    const review = admissionReview("CREATE", wasmPlugin(url, { anything: [1, 2, 3] }, "rate-limiter"));
    assert.deepEqual(responseOf(await served().send(review)), { uid: review.request.uid, allowed: true }, url);
  }
  assert.ok(
    served().logs.some((l) => l.includes('allowed: not ours (spec.url "oci://registry.example.com/other-team/rate-limiter:1.0"')),
    served().logs.join("\n"),
  );
});

test("our image by default: any registry and path, with oci://, docker:// or no scheme, by tag or digest", async () => {
  for (const url of [
    "oci://127.0.0.1:5000/hash-tagging:local",
    "docker://r.example/a/b/hash-tagging:1",
    "r.example/hash-tagging@sha256:" + "a".repeat(64),
    "hash-tagging",
  ]) {
    const answer = responseOf(await served().send(admissionReview("CREATE", wasmPlugin(url, BAD_CONFIG))));
    assert.equal(answer.allowed, false, `${url} should be ours and judged`);
  }
});

test("DELETE and CONNECT are allowed without judging: nothing reaches a proxy", async () => {
  const review = admissionReview("DELETE", null, wasmPlugin(OUR_IMAGE, BAD_CONFIG));
  assert.deepEqual(responseOf(await served().send(review)), { uid: review.request.uid, allowed: true });
  const connect = admissionReview("CONNECT", null);
  assert.equal(responseOf(await served().send(connect)).allowed, true);
});

test("non-JSON and malformed reviews get 400 with the reason, and the server goes on", async () => {
  const cases: [unknown, RegExp][] = [
    ["{not json", /^not JSON: /],
    ["", /^not JSON: /],
    [[1, 2], /^malformed AdmissionReview: expected a JSON object/],
    [
      { apiVersion: "admission.k8s.io/v1beta1", kind: "AdmissionReview", request: { uid: "x" } },
      /^malformed AdmissionReview: expected apiVersion admission\.k8s\.io\/v1 and kind AdmissionReview, got "admission\.k8s\.io\/v1beta1"/,
    ],
    [{ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview" }, /^malformed AdmissionReview: request: expected an object$/],
    [
      { apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", request: { operation: "CREATE" } },
      /^malformed AdmissionReview: request\.uid: expected a non-empty string$/,
    ],
    [Buffer.from([0xff, 0xfe, 0x00, 0x7b]), /^not JSON: /],
  ];
  for (const [body, reason] of cases) {
    const reply = await served().send(body);
    assert.equal(reply.status, 400, `${JSON.stringify(body)}: ${reply.body}`);
    assert.match(reply.body.trim(), reason);
  }
  const review = admissionReview("CREATE", wasmPlugin(OUR_IMAGE, REFERENCE_CONFIG));
  assert.equal(responseOf(await served().send(review)).allowed, true, "a good review after the malformed ones");
});

test("a body over the bound gets 413, declared or streamed, and the server goes on", async () => {
  const huge = JSON.stringify(admissionReview("CREATE", wasmPlugin(OUR_IMAGE, { rules: [], padding: "x".repeat(MAX_BODY_BYTES) })));
  const declared = await served().send(huge);
  assert.equal(declared.status, 413);
  assert.match(declared.body, new RegExp(`^body larger than ${MAX_BODY_BYTES} bytes`));
  const streamed = await served().send(huge, { headers: { "transfer-encoding": "chunked" } });
  assert.equal(streamed.status, 413);
  // Just under the bound is read and judged.
  const config = { rules: [{ ...REFERENCE_CONFIG.rules[0], name: "x".repeat(MAX_BODY_BYTES - 4096) }] };
  const big = admissionReview("CREATE", wasmPlugin(OUR_IMAGE, config));
  const answer = responseOf(await served().send(big));
  assert.equal(answer.uid, big.request.uid);
  assert.equal(answer.allowed, false, "the filter refuses a 4 MiB rule name");
});

test("probes and other paths: /healthz and /readyz answer ok, GET /validate 405, anything else 404", async () => {
  for (const path of ["/healthz", "/readyz"]) {
    const reply = await served().send("", { method: "GET", path });
    assert.deepEqual([reply.status, reply.body], [200, "ok\n"], path);
  }
  assert.equal((await served().send("", { method: "GET" })).status, 405);
  assert.equal((await served().send("{}", { path: "/mutate" })).status, 404);
});

test("200 concurrent reviews, good and bad mixed, each answered for its own uid", async () => {
  const reviews = Array.from({ length: 200 }, (_, i) =>
    admissionReview("CREATE", wasmPlugin(OUR_IMAGE, i % 2 ? BAD_CONFIG : referenceConfigWithCanary(i % 101), `p-${i}`)),
  );
  const answers = await Promise.all(reviews.map(async (r) => responseOf(await served().send(r))));
  answers.forEach((answer, i) => {
    assert.equal(answer.uid, reviews[i].request.uid);
    assert.equal(answer.allowed, i % 2 === 0, `review ${i}`);
  });
});

test("one log line per review: namespace/name, operation, verdict and why, duration", async () => {
  const before = served().logs.length;
  await served().send(admissionReview("CREATE", wasmPlugin(OUR_IMAGE, BAD_CONFIG, "logged")));
  await served().send(admissionReview("UPDATE", wasmPlugin(OUR_IMAGE, REFERENCE_CONFIG, "logged")));
  await served().send("nope");
  const lines = served().logs.slice(before);
  assert.equal(lines.length, 3, lines.join("\n"));
  const denial = (await filterLines(BAD_CONFIG)).join("; ");
  assert.ok(lines[0].startsWith(`review istio-system/logged CREATE: denied: ${denial} (`), lines[0]);
  assert.match(lines[0], /\(\d+\.\d ms\)$/);
  assert.match(
    lines[1],
    /^review istio-system\/logged UPDATE: allowed: pluginConfig accepted by the filter \(configuration accepted: 1 rule\(s\)\) \(\d+\.\d ms\)$/,
  );
  assert.match(lines[2], /^review 400: not JSON \(\d+\.\d ms\)$/);
});
