// Drives call chains through a sidecar pod (tests/support/sidecar-pod.ts) over keep-alive connections:
// each chain is one request into the inbound listener, the app's call out through the outbound
// listener, and the lane that call was routed by, read from the reply. Nothing is kept per chain, so
// a million chains cost the driver no memory.
import http from "node:http";
import { get } from "../../scripts/lib/http.ts";
import { laneOfVersion, mockcVersion, ROUTE, TRACE } from "../support/sidecar-pod.ts";

export interface Chain {
  trace: string;
  /** The lane the inbound request carries, as the gateway wrote it. */
  lane: string;
}

/** How a chain ended: the lane its last hop was routed by, or what went wrong. */
export type ChainEnd = { lane: "s1" | "s2" } | { problem: string };

export interface ChainRunOptions {
  inboundUrl: string;
  count: number;
  concurrency: number;
  chainAt(index: number): Chain;
  onEnd(chain: Chain, end: ChainEnd): void;
  /** Called after every `progressEvery` chains have ended, with how many have. */
  onProgress?(ended: number): void;
  progressEvery?: number;
}

async function runChain(inboundUrl: string, chain: Chain, agent: http.Agent): Promise<ChainEnd> {
  try {
    const reply = await get(inboundUrl, { headers: { [TRACE]: chain.trace, [ROUTE]: chain.lane }, agent });
    const version = mockcVersion(reply.body);
    if (reply.status !== 200 || !version) return { problem: `HTTP ${reply.status} ${reply.body.trim()}` };
    return { lane: laneOfVersion(version) };
  } catch (e) {
    return { problem: (e as Error).message };
  }
}

/** Runs `count` chains with `concurrency` in flight; returns the seconds they took. */
export async function runChains(o: ChainRunOptions): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: o.concurrency });
  const started = Date.now();
  let next = 0;
  let ended = 0;
  const worker = async () => {
    while (next < o.count) {
      const chain = o.chainAt(next++);
      o.onEnd(chain, await runChain(o.inboundUrl, chain, agent));
      ended++;
      if (o.progressEvery && ended % o.progressEvery === 0) o.onProgress?.(ended);
    }
  };
  try {
    await Promise.all(Array.from({ length: o.concurrency }, worker));
  } finally {
    agent.destroy();
  }
  return (Date.now() - started) / 1000;
}

/** Tallies chains that did not end on the lane wanted, keeping the first few as examples. */
export class BrokenChains {
  count = 0;
  readonly examples: string[] = [];

  check(chain: Chain, end: ChainEnd, want: string): void {
    if ("lane" in end && end.lane === want) return;
    this.count++;
    if (this.examples.length < 5) this.examples.push(`${chain.trace}: want ${want}, got ${"lane" in end ? end.lane : end.problem}`);
  }

  toString(): string {
    return `${this.count} chain(s) broke, e.g. ${this.examples.join("; ")}`;
  }
}
