// The walk-through (scripts/istio/README.md) asked of a running gateway: one request per user, the chain it answered.
import { request } from "node:http";
import { USER_HEADER, WALKTHROUGH_USERS } from "../lib/envoy/topology.ts";

export interface Answer {
  status: number;
  body: string;
}

/**
 * One GET on a connection of its own, as curl does: a pooled connection would stay on the listener it
 * was accepted by, and so could see a filter chain Envoy has already replaced.
 */
export function ask(gatewayUrl: string, user?: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const all = { ...headers, ...(user === undefined ? {} : { [USER_HEADER]: user }) };
    const req = request(`${gatewayUrl}/`, { headers: all, agent: false, timeout: 10_000 }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: body.trimEnd() }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`GET ${gatewayUrl}/: no answer in 10 s`)));
    req.on("error", reject);
    req.end();
  });
}

/** Lines as the README prints them: the chain, then who asked. */
export async function walkthrough(gatewayUrl: string): Promise<string[]> {
  const lines: string[] = [];
  for (const user of WALKTHROUGH_USERS) {
    const a = await ask(gatewayUrl, user);
    lines.push(`${a.status === 200 ? a.body : `HTTP ${a.status}: ${a.body}`}   user ${user} requested`);
  }
  return lines;
}
