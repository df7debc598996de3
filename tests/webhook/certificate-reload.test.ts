// Rotation: new certificate files are served to new connections without a restart; a broken pair is
// logged and the previous certificate kept.
import assert from "node:assert/strict";
import { copyFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { waitFor } from "../../scripts/istio/processes.ts";
import { post } from "../../scripts/lib/https-post.ts";
import { makeServingCertificate } from "../../scripts/lib/serving-certificate.ts";
import { useWebhook } from "./support.ts";

const served = useWebhook({ reloadIntervalMs: 100 });

const healthz = (ca: Buffer) => post(`${served().url}/healthz`, "", { ca, method: "GET" });

test("a rotated certificate and key are served to new connections; a mismatched pair is refused and logged", async () => {
  const first = await healthz(served().certificate.ca);
  assert.equal(first.status, 200);
  const rotated = makeServingCertificate(join(served().dir, "rotated"), ["127.0.0.1"]);
  // A half-done rotation (new key, old certificate) must not replace what is served.
  copyFileSync(rotated.keyFile, served().certificate.keyFile);
  await waitFor(
    "the failed reload to be logged",
    async () => (served().logs.some((l) => l.startsWith("certificate reload failed, still serving the previous one:")) ? true : undefined),
    10_000,
  );
  assert.equal((await healthz(served().certificate.ca)).fingerprint, first.fingerprint, "the previous certificate is still served");
  copyFileSync(rotated.certFile, served().certificate.certFile);
  const reloaded = await waitFor(
    "the rotated certificate to be served",
    async () => {
      const reply = await healthz(rotated.ca);
      return reply.fingerprint !== first.fingerprint ? reply : undefined;
    },
    10_000,
  );
  assert.equal(reloaded.status, 200);
  assert.ok(served().logs.includes(`certificate reloaded from ${served().certificate.certFile}`), served().logs.join("\n"));
  // The old CA no longer verifies the server.
  await assert.rejects(healthz(served().certificate.ca), /self-signed|unable to verify|certificate/i);
  writeFileSync(served().certificate.certFile, "not PEM");
  await waitFor(
    "the bad file to be logged",
    async () => (served().logs.some((l) => l.includes("not a usable certificate and key")) ? true : undefined),
    10_000,
  );
  assert.equal((await healthz(rotated.ca)).status, 200, "a bad file leaves the rotated certificate in place");
});
