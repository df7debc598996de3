// `npx hash-tagging webhook` as an operator runs it: bad arguments refused in one line, then a real
// start on a free port that answers a review and stops cleanly on SIGTERM.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { freePort, waitFor } from "../../scripts/istio/processes.ts";
import { post } from "../../scripts/lib/https-post.ts";
import { PLUGIN_WASM } from "../../scripts/lib/paths.ts";
import { localWebhookArgs, makeServingCertificate } from "../../scripts/lib/serving-certificate.ts";
import { assertOneLineError, runCli } from "../cli/run-cli.ts";
import { admissionReview, OUR_IMAGE, wasmPlugin } from "../support/admission-reviews.ts";
import { REFERENCE_CONFIG } from "../support/configs.ts";
import { responseOf } from "./support.ts";

const dir = mkdtempSync(join(tmpdir(), "webhook-cli-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const certificate = makeServingCertificate(dir, ["127.0.0.1"]);

test("missing --cert, a bad port, unreadable or mismatched files: exit 2 with one line", () => {
  assertOneLineError(runCli(["webhook", "--key", certificate.keyFile]), 2, /required option '--cert <file>' not specified/);
  assertOneLineError(
    runCli(["webhook", "--cert", certificate.certFile, "--key", certificate.keyFile, "--port", "70000"]),
    2,
    /--port "70000": expected an integer from 0 to 65535/,
  );
  assertOneLineError(
    runCli(["webhook", "--cert", join(dir, "none.crt"), "--key", certificate.keyFile, "--port", "0"]),
    2,
    /webhook: ENOENT: no such file or directory, open '.*none\.crt'/,
  );
  assertOneLineError(
    runCli(["webhook", "--cert", certificate.caFile, "--key", certificate.keyFile, "--port", "0"]),
    2,
    /ca\.crt and .*tls\.key: not a usable certificate and key: .*key values mismatch/,
  );
});

test("serves reviews on --port, logs one line each, and exits 0 on SIGTERM", async () => {
  const port = await freePort();
  const child = spawn(process.execPath, ["scripts/cli/hash-tagging.js", ...localWebhookArgs(certificate, port)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  try {
    const url = `https://127.0.0.1:${port}`;
    await waitFor(
      "the webhook's /readyz",
      async () => ((await post(`${url}/readyz`, "", { ca: certificate.ca, method: "GET" })).status === 200 ? true : undefined),
      30_000,
    );
    const review = admissionReview("CREATE", wasmPlugin(OUR_IMAGE, REFERENCE_CONFIG, "from-cli"));
    assert.deepEqual(responseOf(await post(`${url}/validate`, JSON.stringify(review), { ca: certificate.ca })), {
      uid: review.request.uid,
      allowed: true,
    });
    await waitFor(
      "the review's log line",
      async () => (output.includes("review istio-system/from-cli CREATE: allowed") ? true : undefined),
      5_000,
    );
  } finally {
    child.kill("SIGTERM");
  }
  assert.equal(await exited, 0, output);
  // By default the package's own build/plugin.wasm, wherever the command runs from.
  assert.ok(
    output.startsWith(
      `hash-tagging webhook on https://127.0.0.1:${port}/validate, judging with ${PLUGIN_WASM}; ours: an image repository named hash-tagging`,
    ),
    output,
  );
  assert.match(output, /^SIGTERM: closing$/m);
});
