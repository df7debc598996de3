// `npx hash-tagging webhook --cert FILE --key FILE [--port N] [--image-prefix PREFIX]`: serves until
// SIGTERM or SIGINT, then stops taking connections and exits 0 (a rolling update or a drain).
import { CliError } from "../cli-error.ts";
import { startWebhook } from "./server.ts";

export interface WebhookCommandOptions {
  cert: string;
  key: string;
  port: number;
  host: string;
  imagePrefix?: string;
  wasm: string;
}

export function portNumber(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new CliError(`--port ${JSON.stringify(value)}: expected an integer from 0 to 65535`);
  return n;
}

export async function webhook(options: WebhookCommandOptions): Promise<number> {
  let running;
  try {
    running = await startWebhook({
      certFile: options.cert,
      keyFile: options.key,
      wasmFile: options.wasm,
      port: options.port,
      host: options.host,
      imagePrefix: options.imagePrefix,
    });
  } catch (e) {
    throw new CliError(`webhook: ${(e as Error).message}`);
  }
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once("SIGTERM", () => resolve("SIGTERM"));
    process.once("SIGINT", () => resolve("SIGINT"));
  });
  console.log(`${signal}: closing`);
  await running.close();
  return 0;
}
