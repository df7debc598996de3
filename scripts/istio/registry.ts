// A docker-registry on 127.0.0.1 that outlives the script starting it (`npm run istio:up` returns while
// the gateway keeps pulling from it), so it is started detached with its data in the state folder.
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REGISTRY_COMMAND } from "../lib/local-registry.ts";
import { freePort, startDetached, waitFor } from "./processes.ts";

/** Starts the registry; resolves to its host:port once /v2/ answers. */
export async function startRegistry(stateDir: string): Promise<string> {
  const dir = join(stateDir, "registry");
  mkdirSync(join(dir, "data"), { recursive: true });
  const host = `127.0.0.1:${await freePort()}`;
  writeFileSync(
    join(dir, "config.yml"),
    [
      "version: 0.1",
      "log: {level: warn, formatter: text}",
      `storage: {filesystem: {rootdirectory: ${JSON.stringify(join(dir, "data"))}}, delete: {enabled: true}}`,
      `http: {addr: "${host}", secret: ${JSON.stringify(randomBytes(16).toString("hex"))}}`,
      "",
    ].join("\n"),
  );
  const registry = startDetached(stateDir, "registry", REGISTRY_COMMAND, ["serve", join(dir, "config.yml")]);
  await waitFor(
    `${REGISTRY_COMMAND} on ${host}`,
    async () => ((await fetch(`http://${host}/v2/`)).status === 200 ? true : undefined),
    30_000,
    registry,
  );
  return host;
}
