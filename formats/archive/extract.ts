/**
 * Writing streamed bytes to disk with their digests, gunzipping as a
 * stream, and unpacking whole archives (`.tar.gz`/`.tgz`, `.tar`, `.zip`) into a
 * folder with a caller-chosen mapping from member path to output path and a
 * cap on the total unpacked size.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { FormatError, InklingError } from "../../autograd/errors.ts";
import { type ArchiveEntry, safeMemberPath } from "./entry.ts";
import { readTar } from "./tar.ts";
import { readZip } from "./zip.ts";

/** Size and digests of bytes written by {@linkcode saveChunks}. */
export interface SavedFile {
  /** Bytes written. */
  readonly bytes: number;
  /** Lower-case hex SHA-256. */
  readonly sha256: string;
  /** Lower-case hex MD5 (several data sets publish only this). */
  readonly md5: string;
}

/** Archive formats {@linkcode extractArchive} reads. */
export type ArchiveFormat = "tar.gz" | "tar" | "zip";

/** Options of {@linkcode extractArchive}. */
export interface ExtractOptions {
  /** Container format of the archive. */
  format: ArchiveFormat;
  /**
   * Output path (relative to the output folder) of a member, or `undefined`
   * to skip it. Default: the member's own path.
   */
  place?: (member: string) => string | undefined;
  /** Refuse archives unpacking to more than this many bytes in total (default 8 GiB). */
  maxBytes?: number;
  /** Name of the archive in error messages, e.g. the URL it came from (default: its path). */
  what?: string;
}

/**
 * Writes `chunks` to a new file at `path` (replacing one that exists) and
 * returns its size and digests. More than `maxBytes` bytes is a
 * {@linkcode FormatError} naming `what`; the partial file is then removed.
 */
export async function saveChunks(
  chunks: AsyncIterable<Uint8Array>,
  path: string,
  options: { maxBytes?: number; what?: string } = {},
): Promise<SavedFile> {
  const sha256 = createHash("sha256");
  const md5 = createHash("md5");
  let bytes = 0;
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  try {
    for await (const chunk of chunks) {
      bytes += chunk.length;
      if (options.maxBytes !== undefined && bytes > options.maxBytes) {
        throw new FormatError(
          `${options.what ?? path}: more than the ${options.maxBytes} bytes expected`,
        );
      }
      sha256.update(chunk);
      md5.update(chunk);
      for (let at = 0; at < chunk.length;) at += await file.write(chunk.subarray(at));
    }
  } catch (error) {
    file.close();
    await Deno.remove(path).catch(() => {});
    throw error;
  }
  file.close();
  return { bytes, sha256: sha256.digest("hex"), md5: md5.digest("hex") };
}

/** SHA-256 and size of `chunks`, without writing them anywhere. */
export async function digestChunks(
  chunks: AsyncIterable<Uint8Array>,
): Promise<{ bytes: number; sha256: string }> {
  const sha256 = createHash("sha256");
  let bytes = 0;
  for await (const chunk of chunks) {
    bytes += chunk.length;
    sha256.update(chunk);
  }
  return { bytes, sha256: sha256.digest("hex") };
}

/**
 * The decompressed pieces of the gzip file at `path`; a corrupt stream is a
 * {@linkcode FormatError} naming `what` (default: the path).
 */
export async function* gunzipPieces(path: string, what: string = path): AsyncGenerator<Uint8Array> {
  const file = await Deno.open(path, { read: true });
  yield* streamPieces(file.readable.pipeThrough(new DecompressionStream("gzip")), what, "gzip");
}

/**
 * Unpacks the archive at `archivePath` into `outDir`: regular files only
 * (directories are created as needed; links and devices are skipped), each
 * to `place(member)`. Returns output path → SHA-256 of what was written.
 * Member paths leaving `outDir`, a corrupt archive or more than `maxBytes`
 * in total are a {@linkcode FormatError} naming the archive.
 */
export async function extractArchive(
  archivePath: string,
  outDir: string,
  options: ExtractOptions,
): Promise<Map<string, string>> {
  const maxBytes = options.maxBytes ?? 8 * 2 ** 30;
  const what = options.what ?? archivePath;
  const written = new Map<string, string>();
  let total = 0;
  for await (const entry of archiveEntries(archivePath, options.format, what)) {
    if (entry.type !== "file") continue;
    const member = safeMemberPath(entry.path, what);
    const target = options.place ? options.place(member) : member;
    if (target === undefined) continue;
    const relative = safeMemberPath(target, `${what}: placing ${member}`);
    total += entry.size;
    if (total > maxBytes) {
      throw new FormatError(`${what}: unpacks to more than the ${maxBytes} bytes allowed`);
    }
    const path = `${outDir}/${relative}`;
    await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
    const saved = await saveChunks(entry.body(), path, {
      maxBytes: entry.size,
      what: `${what}: ${member}`,
    });
    if (saved.bytes !== entry.size) {
      throw new FormatError(
        `${what}: ${member} holds ${saved.bytes} bytes, its header says ${entry.size}`,
      );
    }
    written.set(relative, saved.sha256);
  }
  return written;
}

function archiveEntries(
  path: string,
  format: ArchiveFormat,
  what: string,
): AsyncIterable<ArchiveEntry> {
  if (format === "zip") return readZip(path, what);
  if (format !== "tar" && format !== "tar.gz") {
    throw new InklingError(`unknown archive format "${format}"`);
  }
  return (async function* () {
    const stream = (await Deno.open(path, { read: true })).readable;
    yield* readTar(
      format === "tar.gz" ? stream.pipeThrough(new DecompressionStream("gzip")) : stream,
      what,
    );
  })();
}

/** The pieces of `stream`, with a read failure turned into a {@linkcode FormatError} naming `what`. */
async function* streamPieces(
  stream: ReadableStream<Uint8Array>,
  what: string,
  format: string,
): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read().catch((error: Error) => {
        throw new FormatError(`${what}: corrupt ${format} data (${error.message})`);
      });
      if (done) return;
      yield value;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}
