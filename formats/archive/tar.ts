/**
 * A streaming reader of tar archives (POSIX ustar, with the GNU long-name and
 * pax `path`/`size` extensions that real-world archives use): members come
 * one at a time from a byte stream, so a `.tgz` is read as
 * `file → DecompressionStream("gzip") → readTar` without holding it whole.
 * Every header checksum is verified.
 *
 * @module
 */

import { FormatError } from "../../autograd/errors.ts";
import { ByteReader } from "./byte_reader.ts";
import type { ArchiveEntry } from "./entry.ts";

const BLOCK = 512;
// A long name or pax header larger than this is not a name: refuse it instead of buffering it.
const MAX_META_BYTES = 1 << 20;

/** Header fields of one 512-byte tar header. */
interface TarHeader {
  readonly name: string;
  readonly size: number;
  readonly typeflag: string;
}

/**
 * Yields the members of the tar archive in `stream`. A bad header checksum,
 * a stream that ends inside a member, or a non-tar stream is a
 * {@linkcode FormatError} naming `what`.
 */
export async function* readTar(
  stream: ReadableStream<Uint8Array>,
  what: string,
): AsyncGenerator<ArchiveEntry> {
  const reader = new ByteReader(stream, what);
  try {
    let longName: string | undefined; // from a GNU 'L' member, for the next member
    let pax: Map<string, string> = new Map(); // from a pax 'x' member, for the next member
    for (;;) {
      const at = reader.offset;
      const block = await reader.readExact(BLOCK);
      if (block === null || block.every((b) => b === 0)) return; // end-of-archive marker (or plain EOF)
      const header = parseHeader(block, `${what}: header at byte ${at}`);
      const size = pax.has("size")
        ? parseDecimal(pax.get("size")!, `${what}: pax size at byte ${at}`)
        : header.size;
      const padded = Math.ceil(size / BLOCK) * BLOCK;
      if (header.typeflag === "L" || header.typeflag === "x") {
        if (size > MAX_META_BYTES) {
          throw new FormatError(`${what}: ${size}-byte name record at byte ${at}`);
        }
        const record = await reader.readExact(padded);
        if (record === null) throw new FormatError(`${what}: ends after the header at byte ${at}`);
        const value = new TextDecoder().decode(record.subarray(0, size));
        if (header.typeflag === "L") longName = value.replace(/\0.*$/s, "");
        else pax = parsePax(value, `${what}: pax header at byte ${at}`);
        continue;
      }
      if (header.typeflag === "g") {
        // A global pax header (git archive writes one) is metadata, not a member to unpack.
        await reader.skip(padded);
        continue;
      }
      const path = (pax.get("path") ?? longName ?? header.name).replace(/^\.\//, "").replace(
        /\/+$/,
        "",
      );
      longName = undefined;
      pax = new Map();
      let consumed = 0;
      yield {
        path,
        type: header.typeflag === "0" || header.typeflag === "\0" || header.typeflag === "7"
          ? "file"
          : header.typeflag === "5"
          ? "directory"
          : "other",
        size,
        body: async function* () {
          for await (const piece of reader.pieces(size - consumed)) {
            consumed += piece.length;
            yield piece;
          }
        },
      };
      await reader.skip(padded - consumed); // unread body and padding
    }
  } finally {
    await reader.close();
  }
}

function parseHeader(block: Uint8Array, what: string): TarHeader {
  const stored = parseOctal(block.subarray(148, 156));
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i];
  if (stored !== sum) {
    throw new FormatError(
      `${what}: checksum ${stored} does not match ${sum} (not a tar archive, or corrupt)`,
    );
  }
  const magic = text(block.subarray(257, 263));
  const name = text(block.subarray(0, 100));
  // Only POSIX ustar has the 155-byte prefix; old GNU headers keep other fields there.
  const prefix = magic === "ustar" && block[262] === 0 ? text(block.subarray(345, 500)) : "";
  return {
    name: prefix === "" ? name : `${prefix}/${name}`,
    size: parseSize(block.subarray(124, 136), what),
    typeflag: String.fromCharCode(block[156]),
  };
}

/** A size field: octal text, or GNU base-256 when the top bit of the first byte is set. */
function parseSize(field: Uint8Array, what: string): number {
  if (field[0] & 0x80) {
    let value = field[0] & 0x7f;
    for (let i = 1; i < field.length; i++) value = value * 256 + field[i];
    if (!Number.isSafeInteger(value)) throw new FormatError(`${what}: member size out of range`);
    return value;
  }
  const value = parseOctal(field);
  if (Number.isNaN(value)) throw new FormatError(`${what}: size field is not a number`);
  return value;
}

function parseOctal(field: Uint8Array): number {
  const digits = text(field).trim();
  return /^[0-7]+$/.test(digits) ? parseInt(digits, 8) : digits === "" ? 0 : NaN;
}

function parseDecimal(value: string, what: string): number {
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new FormatError(`${what}: "${value}" is not a size`);
  }
  return Number(value);
}

/** pax records: `<length> <key>=<value>\n`, the length counting the whole record. */
function parsePax(textValue: string, what: string): Map<string, string> {
  const records = new Map<string, string>();
  const bytes = new TextEncoder().encode(textValue);
  let at = 0;
  while (at < bytes.length && bytes[at] !== 0) {
    const space = bytes.indexOf(0x20, at);
    const length = space < 0 ? NaN : Number(new TextDecoder().decode(bytes.subarray(at, space)));
    if (!Number.isInteger(length) || length <= space - at || at + length > bytes.length) {
      throw new FormatError(`${what}: malformed record at offset ${at}`);
    }
    const record = new TextDecoder().decode(bytes.subarray(space + 1, at + length - 1));
    const equals = record.indexOf("=");
    if (equals > 0) records.set(record.slice(0, equals), record.slice(equals + 1));
    at += length;
  }
  return records;
}

/** NUL-terminated ASCII/UTF-8 text of a header field. */
function text(field: Uint8Array): string {
  const end = field.indexOf(0);
  return new TextDecoder().decode(end < 0 ? field : field.subarray(0, end));
}
