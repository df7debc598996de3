import { readFile } from "node:fs/promises";

/** Every Wasm binary starts with these four bytes; Istio refuses a module without them. */
export const WASM_MAGIC = Uint8Array.of(0x00, 0x61, 0x73, 0x6d);

export const RELEASE_WASM_PATH = "build/plugin.wasm";

export function hasWasmMagic(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && WASM_MAGIC.every((byte, i) => bytes[i] === byte);
}

/** Reads the release module that goes into the image, refusing anything that is not a Wasm binary. */
export async function readReleaseWasm(path: string): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new Error(`${path} does not exist: run \`npm run asbuild\` first (it writes the release module there)`);
    }
    throw error;
  }
  if (!hasWasmMagic(bytes)) {
    const head = Buffer.from(bytes.subarray(0, 4)).toString("hex");
    throw new Error(`${path} is not a Wasm module: it starts with 0x${head || "(empty file)"}, expected 0x0061736d ("\\0asm"); rebuild it with \`npm run asbuild\``);
  }
  return bytes;
}
