// The webhook's HTTPS server: POST /validate answers AdmissionReviews, GET /healthz and /readyz answer
// the kubelet's probes. Transport only: the verdict is admission-review.ts's.

import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { judgeConfig } from "../validate.ts";
import { review } from "./admission-review.ts";
import { readPair, reloadOnChange } from "./certificate-files.ts";
import { describeOwnership } from "./ownership.ts";

/** The kube-apiserver sends at most about 3 MiB (an object and, on UPDATE, its old version, each under etcd's 1.5 MiB). */
export const MAX_BODY_BYTES = 4 << 20;

export interface WebhookOptions {
  certFile: string;
  keyFile: string;
  wasmFile: string;
  /** 0 picks a free one. */
  port: number;
  host?: string;
  imagePrefix?: string;
  log?: (line: string) => void;
  /** How often the certificate files are compared with what is served. */
  reloadIntervalMs?: number;
}

export interface Webhook {
  server: Server;
  port: number;
  close(): Promise<void>;
}

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"]);
    if (declared > limit) return reject(new BodyTooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners("data");
        reject(new BodyTooLarge());
      } else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const json = typeof body !== "string";
  const text = json ? JSON.stringify(body) : body;
  // After an oversized body the rest is not read: closing the connection is cheaper than draining it.
  res.writeHead(status, {
    "content-type": json ? "application/json" : "text/plain; charset=utf-8",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

export async function startWebhook(o: WebhookOptions): Promise<Webhook> {
  const log = o.log ?? ((line: string) => console.log(line));
  const wasm = new Uint8Array(readFileSync(o.wasmFile));
  // The module must load and judge before the server says it is ready.
  await judgeConfig(wasm, "");
  const judge = (text: string) => judgeConfig(wasm, text);
  const pair = readPair(o.certFile, o.keyFile);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? "").split("?")[0];
    if (path === "/healthz" || path === "/readyz") {
      if (req.method !== "GET" && req.method !== "HEAD") return send(res, 405, "use GET\n");
      return send(res, 200, "ok\n");
    }
    if (path !== "/validate") return send(res, 404, `no ${path}: POST AdmissionReviews to /validate\n`);
    if (req.method !== "POST") return send(res, 405, "POST an AdmissionReview to /validate\n");
    const started = performance.now();
    let body: string;
    try {
      body = await readBody(req, MAX_BODY_BYTES);
    } catch (e) {
      if (!(e instanceof BodyTooLarge)) throw e;
      res.setHeader("connection", "close");
      send(res, 413, `body larger than ${MAX_BODY_BYTES} bytes: not an AdmissionReview the kube-apiserver sends\n`);
      log(`review: 413: body over ${MAX_BODY_BYTES} bytes`);
      return;
    }
    const reviewed = await review(body, judge, o.imagePrefix);
    send(res, reviewed.status, reviewed.body);
    log(`review ${reviewed.summary} (${(performance.now() - started).toFixed(1)} ms)`);
  };

  const server = createServer({ ...pair, minVersion: "TLSv1.2" }, (req, res) => {
    handle(req, res).catch((e: Error) => {
      // A bug or a broken connection answers 500 and is logged; the server goes on.
      log(`review: 500: ${e.message}`);
      if (!res.headersSent) send(res, 500, `internal error: ${e.message}\n`);
      else res.destroy();
    });
  });
  // A client that breaks the TLS handshake or HTTP framing is answered by Node (400) or dropped.
  server.on("tlsClientError", () => {});
  const stopReload = reloadOnChange(server, o.certFile, o.keyFile, pair, log, o.reloadIntervalMs ?? 2_000);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port, o.host ?? "0.0.0.0", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  log(
    `hash-tagging webhook on https://${o.host ?? "0.0.0.0"}:${port}/validate, judging with ${o.wasmFile}; ours: ${describeOwnership(o.imagePrefix)}`,
  );
  return {
    server,
    port,
    close: () =>
      new Promise((resolve) => {
        stopReload();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
