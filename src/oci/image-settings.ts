import type { ManifestFormat } from "./image-builder.ts";
import type { BuilderChoice } from "./select-builder.ts";
import type { BuildahStorage } from "./buildah.ts";
import { defaultImageName, parseImageReference, type ImageReference } from "./image-reference.ts";

/** Everything `npm run image*` reads from the environment (and `--tls-verify=` on the command line). */
export interface ImageSettings {
  image: ImageReference;
  format: ManifestFormat;
  builder: BuilderChoice;
  tlsVerify: boolean;
  sourceDateEpoch: number;
  buildahStorage: BuildahStorage;
}

function parseBoolean(text: string, where: string): boolean {
  const lowered = text.trim().toLowerCase();
  if (["true", "1", "yes"].includes(lowered)) return true;
  if (["false", "0", "no"].includes(lowered)) return false;
  throw new Error(`${where}=${JSON.stringify(text)}: expected true or false`);
}

function oneOf<T extends string>(text: string, allowed: readonly T[], where: string): T {
  if ((allowed as readonly string[]).includes(text)) return text as T;
  throw new Error(`${where}=${JSON.stringify(text)}: expected one of ${allowed.join(", ")}`);
}

/** `--tls-verify=false` (or `--tls-verify false`) among the script's arguments wins over TLS_VERIFY. */
function tlsVerifyFlag(argv: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i].startsWith("--tls-verify=")) return argv[i].slice("--tls-verify=".length);
    if (argv[i] === "--tls-verify") return argv[i + 1] ?? "true";
  }
  return undefined;
}

export function readImageSettings(env: NodeJS.ProcessEnv, argv: string[], packageVersion: string): ImageSettings {
  const unknown = argv.filter((arg, i) => !arg.startsWith("--tls-verify") && argv[i - 1] !== "--tls-verify");
  if (unknown.length > 0) throw new Error(`unknown argument ${unknown.join(" ")}: the only option is --tls-verify=true|false`);

  const flag = tlsVerifyFlag(argv);
  const epochText = env.SOURCE_DATE_EPOCH ?? "0";
  if (!/^\d{1,12}$/.test(epochText)) throw new Error(`SOURCE_DATE_EPOCH=${JSON.stringify(epochText)}: expected whole seconds since 1970`);

  return {
    image: parseImageReference(env.IMAGE || defaultImageName(packageVersion), env.IMAGE ? "IMAGE" : "default image name"),
    format: oneOf(env.IMAGE_FORMAT || "docker", ["docker", "oci"] as const, "IMAGE_FORMAT"),
    builder: oneOf(env.IMAGE_BUILDER || "auto", ["auto", "docker", "buildah"] as const, "IMAGE_BUILDER"),
    tlsVerify: flag !== undefined ? parseBoolean(flag, "--tls-verify") : parseBoolean(env.TLS_VERIFY ?? "true", "TLS_VERIFY"),
    // Image date 1970-01-01 by default: a fixed date is what makes two builds of one wasm share a digest.
    sourceDateEpoch: Number(epochText),
    buildahStorage: { driver: env.STORAGE_DRIVER || "vfs" },
  };
}
