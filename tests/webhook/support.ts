// A webhook served in this process on 127.0.0.1 with a CA made for it, and a client that trusts that CA.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before } from "node:test";
import { startWebhook, type Webhook } from "../../scripts/cli/webhook/server.ts";
import { type PostReply, post } from "../../scripts/lib/https-post.ts";
import { PLUGIN_WASM } from "../../scripts/lib/paths.ts";
import { makeServingCertificate, type ServingCertificate } from "../../scripts/lib/serving-certificate.ts";

export interface ServedWebhook {
  url: string;
  certificate: ServingCertificate;
  dir: string;
  /** Every line the webhook logged so far. */
  logs: string[];
  webhook: Webhook;
  /** POSTs `body` (JSON-encoded unless a string or Buffer) to /validate. */
  send(body: unknown, options?: { method?: string; path?: string; headers?: Record<string, string> }): Promise<PostReply>;
}

/** Starts one webhook before the file's tests and stops it after them. */
export function useWebhook(options: { imagePrefix?: string; reloadIntervalMs?: number } = {}): () => ServedWebhook {
  let served: ServedWebhook | undefined;
  const dir = mkdtempSync(join(tmpdir(), "webhook-test-"));
  before(async () => {
    const certificate = makeServingCertificate(dir, ["127.0.0.1"]);
    const logs: string[] = [];
    const webhook = await startWebhook({
      certFile: certificate.certFile,
      keyFile: certificate.keyFile,
      wasmFile: PLUGIN_WASM,
      port: 0,
      host: "127.0.0.1",
      imagePrefix: options.imagePrefix,
      reloadIntervalMs: options.reloadIntervalMs,
      log: (line) => logs.push(line),
    });
    const url = `https://127.0.0.1:${webhook.port}`;
    served = {
      url,
      certificate,
      dir,
      logs,
      webhook,
      send: (body, o = {}) =>
        post(`${url}${o.path ?? "/validate"}`, typeof body === "string" || Buffer.isBuffer(body) ? body : JSON.stringify(body), {
          ca: certificate.ca,
          method: o.method,
          headers: o.headers,
        }),
    };
  });
  after(async () => {
    await served?.webhook.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    if (!served) throw new Error("the webhook did not start (see the before hook's error)");
    return served;
  };
}

export interface ReviewResponse {
  uid: string;
  allowed: boolean;
  status?: { code: number; message: string };
}

/** The AdmissionReview answer's `response`, after checking it is one. */
export function responseOf(reply: PostReply): ReviewResponse {
  if (reply.status !== 200) throw new Error(`HTTP ${reply.status}: ${reply.body}`);
  const review = JSON.parse(reply.body);
  if (review.apiVersion !== "admission.k8s.io/v1" || review.kind !== "AdmissionReview")
    throw new Error(`not an AdmissionReview v1: ${reply.body}`);
  return review.response;
}
