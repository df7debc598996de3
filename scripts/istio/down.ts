// npm run istio:down: stops what `npm run istio:up` started, by the pids it recorded, and removes its state.
import { existsSync } from "node:fs";
import { stopLocalIstio } from "./local-istio.ts";
import { UP_STATE_DIR } from "./state.ts";

if (!existsSync(UP_STATE_DIR)) {
  console.log(`istio:down: nothing to stop (${UP_STATE_DIR} does not exist)`);
} else {
  const stopped = await stopLocalIstio(UP_STATE_DIR);
  console.log(`istio:down: stopped ${stopped.length ? stopped.join(", ") : "nothing (all had exited)"}; removed ${UP_STATE_DIR}`);
}
