/**
 * A reader of ZIP archives on disk: the central directory at the end of the
 * file gives each member's place, sizes and CRC-32; members are streamed
 * from the file and inflated with `DecompressionStream("deflate-raw")`
 * (method 8) or copied (method 0), then checked against both. Encrypted
 * members, other methods and ZIP64 archives (members or archives of 4 GiB or
 * more) are refused with a {@linkcode FormatError}. Symbolic links (Unix
 * mode bits in the external attributes) are reported as `other`, never as
 * files.
 *
 * @module
 */

import { FormatError } from "../../autograd/errors.ts";
import { crc32 } from "../crc32.ts";
import type { ArchiveEntry } from "./entry.ts";

const END_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const END_RECORD_BYTES = 22;
const MAX_COMMENT_BYTES = 0xffff;
const READ_PIECE = 64 * 1024;
// "Version made by" hosts whose external attributes carry Unix mode bits: Unix, OS X.
const UNIX_HOSTS = new Set([3, 19]);
const MODE_TYPE = 0o170000;
const MODE_FILE = 0o100000;
const MODE_DIRECTORY = 0o040000;

/** A member as the central directory describes it. */
interface CentralRecord {
  readonly path: string;
  readonly type: ArchiveEntry["type"];
  readonly method: number;
  readonly flags: number;
  readonly crc: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly localOffset: number;
}

/**
 * Yields the members of the ZIP file at `path` in central-directory order.
 * Each body is checked while it streams: more bytes than declared, fewer, or
 * a CRC-32 mismatch end it with a {@linkcode FormatError} naming the file
 * (as `what`, default the path) and the member.
 */
export async function* readZip(path: string, what: string = path): AsyncGenerator<ArchiveEntry> {
  using file = await Deno.open(path, { read: true }).catch((error: Error) => {
    throw new FormatError(`${what}: cannot open (${error.message})`, { cause: error });
  });
  const fileSize = (await file.stat().catch((error: Error) => {
    throw new FormatError(`${what}: cannot read (${error.message})`, { cause: error });
  })).size;
  const records = await readCentralDirectory(file, fileSize, what);
  for (const record of records) {
    const member = `${what}: member ${record.path}`;
    yield {
      path: record.path.replace(/\/+$/, ""),
      type: record.type,
      size: record.size,
      body: () => memberBody(file, fileSize, record, member),
    };
  }
}

async function readCentralDirectory(
  file: Deno.FsFile,
  fileSize: number,
  path: string,
): Promise<CentralRecord[]> {
  const tailLength = Math.min(fileSize, END_RECORD_BYTES + MAX_COMMENT_BYTES);
  const tail = await readAt(file, fileSize - tailLength, tailLength, path);
  const view = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  let end = -1;
  for (let i = tail.length - END_RECORD_BYTES; i >= 0; i--) {
    if (view.getUint32(i, true) === END_SIGNATURE) {
      end = i;
      break;
    }
  }
  if (end < 0) {
    throw new FormatError(`${path}: not a ZIP archive (no end-of-central-directory record)`);
  }
  const count = view.getUint16(end + 10, true);
  const directorySize = view.getUint32(end + 12, true);
  const directoryOffset = view.getUint32(end + 16, true);
  if (count === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) {
    throw new FormatError(`${path}: ZIP64 archives are not supported`);
  }
  if (directoryOffset + directorySize > fileSize) {
    throw new FormatError(
      `${path}: central directory (${directorySize} bytes at ${directoryOffset}) lies beyond the ${fileSize}-byte file (truncated?)`,
    );
  }
  const directory = await readAt(file, directoryOffset, directorySize, path);
  return parseCentralDirectory(directory, count, path);
}

function parseCentralDirectory(
  directory: Uint8Array,
  count: number,
  path: string,
): CentralRecord[] {
  const view = new DataView(directory.buffer, directory.byteOffset, directory.byteLength);
  const records: CentralRecord[] = [];
  let at = 0;
  for (let n = 0; n < count; n++) {
    if (at + 46 > directory.length || view.getUint32(at, true) !== CENTRAL_SIGNATURE) {
      throw new FormatError(`${path}: central directory entry ${n} is damaged`);
    }
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    if (at + 46 + nameLength > directory.length) {
      throw new FormatError(`${path}: central directory entry ${n} is cut short`);
    }
    const name = new TextDecoder().decode(directory.subarray(at + 46, at + 46 + nameLength));
    const record: CentralRecord = {
      path: name,
      type: memberType(name, {
        madeBy: view.getUint16(at + 4, true),
        external: view.getUint32(at + 38, true),
      }),
      flags: view.getUint16(at + 8, true),
      method: view.getUint16(at + 10, true),
      crc: view.getUint32(at + 16, true),
      compressedSize: view.getUint32(at + 20, true),
      size: view.getUint32(at + 24, true),
      localOffset: view.getUint32(at + 42, true),
    };
    if (
      record.compressedSize === 0xffffffff || record.size === 0xffffffff ||
      record.localOffset === 0xffffffff
    ) {
      throw new FormatError(`${path}: member ${record.path} needs ZIP64, which is not supported`);
    }
    records.push(record);
    at += 46 + nameLength + extraLength + commentLength;
  }
  return records;
}

/**
 * File, directory or other (a link, a device) from the name and, when the
 * archiver was a Unix one, the mode bits in the top half of the external
 * attributes. Without mode bits a member is a file unless its name ends in `/`.
 */
function memberType(
  name: string,
  { madeBy, external }: { madeBy: number; external: number },
): ArchiveEntry["type"] {
  if (name.endsWith("/")) return "directory";
  const mode = external >>> 16;
  if (!UNIX_HOSTS.has(madeBy >> 8) || mode === 0) return "file";
  const kind = mode & MODE_TYPE;
  return kind === 0 || kind === MODE_FILE
    ? "file"
    : kind === MODE_DIRECTORY
    ? "directory"
    : "other";
}

async function* memberBody(
  file: Deno.FsFile,
  fileSize: number,
  record: CentralRecord,
  what: string,
): AsyncGenerator<Uint8Array> {
  if (record.flags & 1) throw new FormatError(`${what}: encrypted members are not supported`);
  if (record.method !== 0 && record.method !== 8) {
    throw new FormatError(
      `${what}: compression method ${record.method} is not supported (only stored and deflate)`,
    );
  }
  const local = await readAt(file, record.localOffset, 30, what);
  const localView = new DataView(local.buffer, local.byteOffset, 30);
  if (localView.getUint32(0, true) !== LOCAL_SIGNATURE) {
    throw new FormatError(`${what}: local header is damaged`);
  }
  const dataStart = record.localOffset + 30 + localView.getUint16(26, true) +
    localView.getUint16(28, true);
  if (dataStart + record.compressedSize > fileSize) {
    throw new FormatError(`${what}: data runs past the end of the file (truncated archive)`);
  }
  const raw = fileRange(file, dataStart, record.compressedSize, what);
  const body = record.method === 8 ? raw.pipeThrough(new DecompressionStream("deflate-raw")) : raw;
  const reader = body.getReader();
  let produced = 0;
  let crc = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read().catch((error: Error) => {
        if (error instanceof FormatError) throw error;
        throw new FormatError(`${what}: corrupt deflate data (${error.message})`);
      });
      if (done) break;
      produced += value.length;
      if (produced > record.size) {
        throw new FormatError(`${what}: inflates past its declared ${record.size} bytes`);
      }
      crc = crc32(value, crc);
      yield value;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  if (produced !== record.size) {
    throw new FormatError(`${what}: ${produced} bytes, the directory says ${record.size}`);
  }
  if (crc !== record.crc) throw new FormatError(`${what}: CRC-32 mismatch (corrupt member)`);
}

/** `length` bytes of `file` from `offset`, as a stream of pieces. */
function fileRange(
  file: Deno.FsFile,
  offset: number,
  length: number,
  what: string,
): ReadableStream<Uint8Array<ArrayBuffer>> {
  let done = 0;
  return new ReadableStream<Uint8Array<ArrayBuffer>>({
    async pull(controller) {
      if (done >= length) {
        controller.close();
        return;
      }
      const piece = await readAt(file, offset + done, Math.min(READ_PIECE, length - done), what);
      done += piece.length;
      controller.enqueue(piece);
    },
  });
}

/** Exactly `length` bytes of `file` at `offset` (a {@linkcode FormatError} if the file is shorter). */
async function readAt(
  file: Deno.FsFile,
  offset: number,
  length: number,
  what: string,
): Promise<Uint8Array<ArrayBuffer>> {
  const out = new Uint8Array(length);
  const fail = (error: Error): never => {
    throw new FormatError(`${what}: cannot read at byte ${offset} (${error.message})`, {
      cause: error,
    });
  };
  await file.seek(offset, Deno.SeekMode.Start).catch(fail);
  let filled = 0;
  while (filled < length) {
    const n = await file.read(out.subarray(filled)).catch(fail);
    if (n === null) {
      throw new FormatError(
        `${what}: file ends at byte ${offset + filled}, ${length - filled} bytes early`,
      );
    }
    filled += n;
  }
  return out;
}
