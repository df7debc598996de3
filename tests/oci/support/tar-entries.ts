import { Readable } from "node:stream";
import { extract } from "tar-stream";

export interface TarEntry {
  name: string;
  /** tar-stream's names for the type flag: "file", "directory", "symlink", ... */
  type: string;
  /** Seconds since 1970. */
  mtime: number;
  data: Buffer;
}

/** Every entry of an uncompressed tar archive, in order (tar-stream reads ustar, PAX and GNU long names). */
export async function tarEntries(archive: Uint8Array): Promise<TarEntry[]> {
  const reader = extract();
  Readable.from([Buffer.from(archive)]).pipe(reader);
  const entries: TarEntry[] = [];
  for await (const entry of reader) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    const { name, type, mtime } = entry.header;
    entries.push({ name, type: type ?? "file", mtime: mtime ? mtime.getTime() / 1000 : 0, data: Buffer.concat(chunks) });
  }
  return entries;
}
