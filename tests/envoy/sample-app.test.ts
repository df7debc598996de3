// The sample service as its container runs it (env vars, one process), and what it forwards upstream.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, test } from "node:test";
import { startMockService } from "../../envoy/app/mock-service.ts";
import { OTEL_APP, REFERENCE_APP } from "../../scripts/lib/envoy/topology.ts";
import { REPO_ROOT } from "../../scripts/lib/paths.ts";
import { closeClients, get } from "./support.ts";

const children: ChildProcess[] = [];
after(() => {
  for (const c of children) c.kill("SIGKILL");
  closeClients();
});

/** Starts envoy/app/mock-service.ts standalone, as the Dockerfile does; resolves with its port. */
function runStandalone(env: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ["--import", "tsx", join(REPO_ROOT, "envoy/app/mock-service.ts")], {
    env: { ...process.env, PORT: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (c: Buffer) => {
      out += c;
      const m = / listening on :(\d+)/.exec(out);
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.stderr!.on("data", (c: Buffer) => (out += c));
    child.once("exit", (code) => reject(new Error(`mock-service exited with ${code} before listening: ${out}`)));
  });
}

test("standalone, the service forwards what the reference's app forwards unless forward_headers says otherwise", async () => {
  let seen: http.IncomingHttpHeaders = {};
  const upstream = http.createServer((req, res) => {
    seen = req.headers;
    res.end("-> upstream\n");
  });
  await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", r));
  try {
    const svc = await runStandalone({
      app: "mocka",
      version: "v1",
      upstream_url: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/`,
    });
    await get(`http://127.0.0.1:${svc.port}/`, { "x-user-id": "jack", "x-asm-prefer-tag": "s2" });
    assert.deepEqual([seen["x-user-id"], seen["x-asm-prefer-tag"]], ["jack", undefined]);
    assert.deepEqual(REFERENCE_APP.forwardHeaders, ["x-user-id"], "the default in mock-service.ts is the reference app's setting");
  } finally {
    upstream.close();
    upstream.closeAllConnections();
  }
});

test("standalone services chain by upstream_url and answer `-> app(version, ip)`", async () => {
  const mockc = await runStandalone({ app: "mockc", version: "v2" });
  const mockb = await runStandalone({ app: "mockb", version: "v1", upstream_url: `http://127.0.0.1:${mockc.port}/` });
  const r = await get(`http://127.0.0.1:${mockb.port}/`);
  const want = "-> mockb(version: v1, ip: 127.0.0.1)-> mockc(version: v2, ip: 127.0.0.1)\n";
  assert.equal(r.body, want, `got ${JSON.stringify(r.body)}, want ${JSON.stringify(want)}`);
  mockb.child.kill("SIGTERM");
  const code = await new Promise((res) => mockb.child.once("exit", res));
  assert.equal(code, 0, `got exit code ${code} after SIGTERM, want 0`);
});

test("a standalone service without app/version env fails naming the variable", async () => {
  await assert.rejects(runStandalone({ app: "", version: "" }), /environment variable app is required/);
});

for (const variant of [REFERENCE_APP, OTEL_APP])
  test(`the ${variant.name} app forwards ${variant.forwardHeaders.join(" and ")} upstream, never the lane tag, with Host naming the upstream service`, async () => {
    let seen: http.IncomingHttpHeaders = {};
    const mesh = http.createServer((req, res) => {
      seen = req.headers;
      res.end("-> upstream\n");
    });
    await new Promise<void>((r) => mesh.listen(0, "127.0.0.1", r));
    const meshPort = (mesh.address() as AddressInfo).port;
    const svc = await startMockService({
      app: "mocka",
      version: "v1",
      upstreamUrl: "http://mockb:8000/",
      meshProxy: () => `127.0.0.1:${meshPort}`,
      forwardHeaders: variant.forwardHeaders,
      host: "127.0.0.1",
    });
    try {
      const r = await get(`http://127.0.0.1:${svc.port}/`, {
        "x-user-id": "jack",
        "x-asm-prefer-tag": "s2",
        baggage: "lane=s2,k=v",
        "x-other": "no",
      });
      assert.equal(r.body, "-> mocka(version: v1, ip: 127.0.0.1)-> upstream\n");
      assert.equal(seen.host, "mockb:8000", `got Host ${seen.host}, want mockb:8000`);
      assert.equal(seen["x-user-id"], "jack", `got x-user-id ${seen["x-user-id"]}, want jack`);
      assert.equal(seen["x-asm-prefer-tag"], undefined, `got x-asm-prefer-tag ${seen["x-asm-prefer-tag"]} forwarded, want it dropped`);
      assert.equal(seen.baggage, variant === OTEL_APP ? "lane=s2,k=v" : undefined, "baggage, as the variant propagates it");
      assert.equal(seen["x-other"], undefined, `got x-other ${seen["x-other"]} forwarded, want it dropped`);
    } finally {
      await svc.close();
      mesh.close();
      mesh.closeAllConnections();
    }
  });
