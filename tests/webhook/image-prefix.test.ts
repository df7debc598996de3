// --image-prefix: ours are the WasmPlugins whose spec.url starts with the prefix, the oci:// or
// docker:// scheme optional on either side; the others are allowed untouched.
import assert from "node:assert/strict";
import { test } from "node:test";
import { isOurImage } from "../../scripts/cli/webhook/ownership.ts";
import { admissionReview, wasmPlugin } from "../support/admission-reviews.ts";
import { responseOf, useWebhook } from "./support.ts";

const PREFIX = "registry.example.com/team/";
const served = useWebhook({ imagePrefix: `oci://${PREFIX}` });
const REFUSED = { rules: [] };

const CASES: [string, boolean][] = [
  [`oci://${PREFIX}hash-tagging:0.1.0`, true],
  [`docker://${PREFIX}hash-tagging:0.1.0`, true],
  [`${PREFIX}canary-tagger@sha256:${"b".repeat(64)}`, true],
  ["oci://registry.example.com/other-team/hash-tagging:0.1.0", false],
  ["oci://mirror.example.com/team/hash-tagging:0.1.0", false],
  [`https://${PREFIX}hash-tagging.wasm`, false],
];

test("with --image-prefix, each url is ours or not whatever its scheme, and only ours are judged", async () => {
  for (const [url, ours] of CASES) {
    const review = admissionReview("CREATE", wasmPlugin(url, REFUSED));
    const answer = responseOf(await served().send(review));
    assert.equal(answer.uid, review.request.uid);
    assert.equal(
      answer.allowed,
      !ours,
      `${url}: ${ours ? "ours, its refused config must be denied" : "not ours, must be allowed untouched"}`,
    );
  }
});

test("the prefix is the same with or without a scheme", () => {
  for (const prefix of [PREFIX, `oci://${PREFIX}`, `docker://${PREFIX}`]) {
    for (const [url, ours] of CASES) assert.equal(isOurImage(url, prefix), ours, `${url} with prefix ${prefix}`);
  }
});
