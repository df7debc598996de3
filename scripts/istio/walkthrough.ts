// The README's walk-through asked of a running gateway: one request per user, the chain it answered.
import { USER_HEADER, WALKTHROUGH_USERS } from "../../src/envoy/topology.ts";

export interface Answer {
  status: number;
  body: string;
  headers: Headers;
}

export async function ask(gatewayUrl: string, user?: string): Promise<Answer> {
  const r = await fetch(`${gatewayUrl}/`, { headers: user === undefined ? {} : { [USER_HEADER]: user }, signal: AbortSignal.timeout(10_000) });
  return { status: r.status, body: (await r.text()).trimEnd(), headers: r.headers };
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
