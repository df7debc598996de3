// npm run istio:up: the local Istio chain with the shipped manifests applied; prints the walk-through as
// the gateway serves it and how to reach it. `npm run istio:down` stops it.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { startLocalIstio, stopLocalIstio } from "./local-istio.ts";
import { waitFor } from "./processes.ts";
import { UP_STATE_DIR } from "./state.ts";
import { BINARIES } from "./versions.ts";
import { walkthrough } from "./walkthrough.ts";

async function main(): Promise<void> {
  if (existsSync(UP_STATE_DIR))
    throw new Error(`${UP_STATE_DIR} exists: the chain is up already (or was not stopped); run \`npm run istio:down\` first`);
  const started = Date.now();
  try {
    const istio = await startLocalIstio(UP_STATE_DIR, (line) => console.log(`istio:up: ${line}`));
    await waitFor(
      "the gateway to serve the walk-through",
      async () => ((await walkthrough(istio.gatewayUrl)).every((l) => l.startsWith("->")) ? true : undefined),
      60_000,
    );
    console.log(`istio:up: ready in ${Math.round((Date.now() - started) / 1000)} s; the walk-through through the gateway:\n`);
    for (const line of await walkthrough(istio.gatewayUrl)) console.log(line);
    console.log(
      [
        "",
        `gateway:     curl -H 'x-user-id: jack' ${istio.gatewayUrl}/`,
        `kubectl:     export KUBECONFIG=${istio.kubeconfig} PATH=${dirname(BINARIES.kubectl)}:$PATH`,
        "             then the README's ramp, promote and roll-back commands work as written",
        `logs:        ${join(UP_STATE_DIR, "logs")}/`,
        "stop:        npm run istio:down",
      ].join("\n"),
    );
  } catch (e) {
    await stopLocalIstio(UP_STATE_DIR);
    throw e;
  }
}

main().catch((e: Error) => {
  console.error(`istio:up: ${e.message}`);
  process.exit(1);
});
