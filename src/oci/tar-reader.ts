/** One regular file, directory or link in a tar archive. */
export interface TarEntry {
  name: string;
  /** The ustar type flag: "0" file, "5" directory, "2" symlink, ... */
  type: string;
  mode: number;
  mtime: number;
  size: number;
  data: Uint8Array;
}

const BLOCK = 512;

function text(block: Uint8Array, offset: number, length: number): string {
  const field = block.subarray(offset, offset + length);
  const end = field.indexOf(0);
  return Buffer.from(end >= 0 ? field.subarray(0, end) : field).toString("utf8");
}

function octal(block: Uint8Array, offset: number, length: number, where: string): number {
  const field = text(block, offset, length).trim();
  if (field === "") return 0;
  if (!/^[0-7]+$/.test(field)) throw new Error(`tar header at byte ${where}: ${JSON.stringify(field)} is not an octal number`);
  return parseInt(field, 8);
}

function checksumMatches(block: Uint8Array, at: number): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i];
  return sum === octal(block, 148, 8, String(at));
}

/** PAX extended headers: "LEN key=value\n" records; only `path` matters for finding a file by name. */
function paxPath(data: Uint8Array): string | undefined {
  const records = Buffer.from(data).toString("utf8");
  let position = 0;
  while (position < records.length) {
    const space = records.indexOf(" ", position);
    const length = parseInt(records.slice(position, space), 10);
    if (!(length > 0)) break;
    const record = records.slice(space + 1, position + length - 1);
    const equals = record.indexOf("=");
    if (record.slice(0, equals) === "path") return record.slice(equals + 1);
    position += length;
  }
  return undefined;
}

/** Reads an uncompressed tar (ustar, with PAX and GNU long-name headers) into its entries. */
export function readTar(archive: Uint8Array): TarEntry[] {
  const entries: TarEntry[] = [];
  let offset = 0;
  let longName: string | undefined;
  while (offset + BLOCK <= archive.length) {
    const header = archive.subarray(offset, offset + BLOCK);
    if (header.every((byte) => byte === 0)) break; // end-of-archive marker
    if (!checksumMatches(header, offset)) throw new Error(`tar header at byte ${offset}: checksum mismatch (not a tar archive, or corrupt)`);
    const size = octal(header, 124, 12, String(offset));
    const type = text(header, 156, 1) || "0";
    const dataStart = offset + BLOCK;
    if (dataStart + size > archive.length) throw new Error(`tar entry at byte ${offset}: ${size} bytes of data run past the archive's end`);
    const data = archive.subarray(dataStart, dataStart + size);
    offset = dataStart + Math.ceil(size / BLOCK) * BLOCK;

    if (type === "x" || type === "L") {
      longName = type === "x" ? paxPath(data) : text(data, 0, data.length);
      continue;
    }
    if (type === "g") continue;
    const prefix = text(header, 345, 155);
    const name = longName ?? (prefix ? `${prefix}/${text(header, 0, 100)}` : text(header, 0, 100));
    longName = undefined;
    entries.push({ name, type, mode: octal(header, 100, 8, String(offset)), mtime: octal(header, 136, 12, String(offset)), size, data });
  }
  return entries;
}
