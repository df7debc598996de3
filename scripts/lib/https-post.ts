// POST to an HTTPS server that a given CA signed (the webhook): the tests' and the benchmark's client.
import https from "node:https";
import type { TLSSocket } from "node:tls";

export interface PostReply {
  status: number;
  body: string;
  /** SHA-256 fingerprint of the certificate the server presented. */
  fingerprint: string;
}

export interface PostOptions {
  ca: Buffer;
  method?: string;
  headers?: Record<string, string>;
  /** Keep-alive connections to reuse; by default each request opens its own. */
  agent?: https.Agent;
  timeoutMs?: number;
}

export function post(url: string, body: string | Buffer, o: PostOptions): Promise<PostReply> {
  const timeoutMs = o.timeoutMs ?? 10_000;
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method: o.method ?? "POST",
        ca: o.ca,
        agent: o.agent ?? false,
        headers: { "content-type": "application/json", ...o.headers },
      },
      (res) => {
        const fingerprint = (res.socket as TLSSocket).getPeerCertificate().fingerprint256 ?? "";
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (text += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text, fingerprint }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`${o.method ?? "POST"} ${url}: no answer in ${timeoutMs / 1000} s`)));
    req.end(body);
  });
}
