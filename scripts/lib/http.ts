// The one HTTP GET the tooling uses against Envoy and the sample app: node:http rather than fetch,
// so callers choose keep-alive (an Agent) or a fresh connection, and every request has a deadline.
import http from "node:http";

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface GetOptions {
  headers?: Record<string, string>;
  /** Keep-alive connections to reuse; by default each request opens its own. */
  agent?: http.Agent;
  timeoutMs?: number;
}

export function get(url: string, o: GetOptions = {}): Promise<Reply> {
  const timeoutMs = o.timeoutMs ?? 10_000;
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: o.headers, agent: o.agent ?? false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`GET ${url}: no answer in ${timeoutMs / 1000} s`)));
  });
}
