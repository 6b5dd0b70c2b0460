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
import { type ArchiveEntry, MemberTree, safeMemberPath } from "./entry.ts";
import { StagedOutput } from "./staged_output.ts";
import { readTar } from "./tar.ts";
import { readZip } from "./zip.ts";

/**
 * Default cap on what {@linkcode extractArchive} unpacks: 2 GiB, the largest
 * `maxBytes` of the data sets registered in `datasets/sources.ts` (EMNIST),
 * which every download passes explicitly anyway. The default only guards other
 * callers against an archive that inflates without end; a test keeps it at
 * least every registered cap and at most twice the largest (formats/ cannot
 * import the registry to compute it).
 */
export const DEFAULT_MAX_UNPACKED_BYTES = 2 * 2 ** 30;

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
  /** Refuse archives unpacking to more than this many bytes in total (default {@linkcode DEFAULT_MAX_UNPACKED_BYTES}). */
  maxBytes?: number;
  /** Name of the archive in error messages, e.g. the URL it came from (default: its path). */
  what?: string;
}

/**
 * Writes `chunks` to a new file at `path` (replacing one that exists, unless
 * `createNew`: then anything already at `path`, a link included, is an
 * error) and returns its size and digests. More than `maxBytes` bytes is a
 * {@linkcode FormatError} naming `what`; the partial file is then removed.
 */
export async function saveChunks(
  chunks: AsyncIterable<Uint8Array>,
  path: string,
  options: { maxBytes?: number; what?: string; createNew?: boolean } = {},
): Promise<SavedFile> {
  const sha256 = createHash("sha256");
  const md5 = createHash("md5");
  let bytes = 0;
  const file = await Deno.open(
    path,
    options.createNew
      ? { write: true, createNew: true }
      : { write: true, create: true, truncate: true },
  );
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
  const file = await openArchive(path, what);
  yield* streamPieces(file.readable.pipeThrough(new DecompressionStream("gzip")), what, "gzip");
}

/**
 * Unpacks the archive at `archivePath` into `outDir`: regular files only
 * (directories are created as needed; links and devices are skipped), each
 * to `place(member)`. Returns output path → SHA-256 of what was written.
 *
 * Everything is written to a private folder inside `outDir` first and moved
 * into place only once the whole archive has been read, so a failure leaves
 * `outDir` as it was. Any failure is a {@linkcode FormatError} naming the
 * archive (and the member): member paths leaving `outDir`, holding a NUL or
 * naming `outDir` itself; an archive contradicting itself (`a` and `a/b`, a
 * link and a member below it, a member twice); a symbolic link, or a file
 * where a folder is needed, in `outDir`; a corrupt archive; more than
 * `maxBytes` in total; or a file-system error.
 */
export async function extractArchive(
  archivePath: string,
  outDir: string,
  options: ExtractOptions,
): Promise<Map<string, string>> {
  const what = options.what ?? archivePath;
  let output: StagedOutput | undefined;
  try {
    output = await StagedOutput.open(outDir);
    const written = await unpackEntries(archivePath, output, options);
    await output.commit();
    return written;
  } catch (error) {
    if (error instanceof InklingError) throw error;
    throw new FormatError(
      `${what}: cannot unpack into ${outDir} (${(error as Error).message})`,
      { cause: error },
    );
  } finally {
    await output?.close();
  }
}

/** Reads every member and stages the files to keep; returns output path → SHA-256. */
async function unpackEntries(
  archivePath: string,
  output: StagedOutput,
  options: ExtractOptions,
): Promise<Map<string, string>> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_UNPACKED_BYTES;
  const what = options.what ?? archivePath;
  const members = new MemberTree(what);
  const written = new Map<string, string>();
  let total = 0;
  for await (const entry of archiveEntries(archivePath, options.format, what)) {
    // Every member is checked, skipped ones too: a link or a clash anywhere marks a hostile archive.
    const member = members.add(entry);
    if (member === undefined || entry.type !== "file") continue;
    const target = options.place ? options.place(member) : member;
    if (target === undefined) continue;
    const relative = safeMemberPath(target, `${what}: placing ${member}`);
    total += entry.size;
    if (total > maxBytes) {
      throw new FormatError(`${what}: unpacks to more than the ${maxBytes} bytes allowed`);
    }
    const label = `${what}: ${member}`;
    const saved = await output.create(relative, label).then((path) =>
      saveChunks(entry.body(), path, { maxBytes: entry.size, what: label, createNew: true })
    ).catch((error: Error) => {
      if (error instanceof InklingError) throw error;
      // A full disk or a permission problem: still one error naming the member.
      throw new FormatError(`${label}: cannot write ${relative} (${error.message})`, {
        cause: error,
      });
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
    const stream = (await openArchive(path, what)).readable;
    yield* readTar(
      format === "tar.gz" ? stream.pipeThrough(new DecompressionStream("gzip")) : stream,
      what,
    );
  })();
}

/** `path` opened for reading; failing to is a {@linkcode FormatError} naming `what`. */
async function openArchive(path: string, what: string): Promise<Deno.FsFile> {
  try {
    return await Deno.open(path, { read: true });
  } catch (error) {
    throw new FormatError(`${what}: cannot open (${(error as Error).message})`, { cause: error });
  }
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
