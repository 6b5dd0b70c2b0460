/**
 * Bytes from wherever a user keeps them: a file path, a `file:` URL, an
 * `http(s):` URL (a JSR package's own files, a model on a web server), a
 * `Blob` (a browser's file input or canvas), or bytes already in memory.
 * Every route is bounded: a file or Blob larger than `maxBytes` is refused
 * before it is read, and a download stops as soon as it passes the bound,
 * so no source can make the reader allocate more than the caller allowed.
 * Only the path and `file:` routes touch `Deno`, and only when taken, so
 * this module loads in a browser.
 *
 * @module
 */

import { FormatError } from "../autograd/errors.ts";
import { readFileLimited } from "./files.ts";

/** Where bytes can come from. */
export type ByteSource = string | URL | Uint8Array | Blob;

/** Options of {@linkcode readByteSource}. */
export interface ReadByteSourceOptions {
  /** Largest accepted size in bytes (default 2³¹). */
  maxBytes?: number;
  /** What the bytes are, for errors ("an image", "checkpoint"; default "file"). */
  what?: string;
}

/**
 * The name errors give a source: the path, the URL, or `fallback` for bytes
 * and Blobs (a `File`'s own name when it has one).
 */
export function sourceName(source: ByteSource, fallback: string): string {
  if (typeof source === "string") return source;
  if (source instanceof URL) return source.protocol === "file:" ? filePath(source) : source.href;
  if (typeof File !== "undefined" && source instanceof File && source.name) return source.name;
  return fallback;
}

/**
 * Reads all bytes of `source` (see the module doc); a missing file, a failed
 * download or a source over `maxBytes` is a {@linkcode FormatError} naming it.
 */
export async function readByteSource(
  source: ByteSource,
  options: ReadByteSourceOptions = {},
): Promise<Uint8Array> {
  const maxBytes = options.maxBytes ?? 2 ** 31;
  const what = options.what ?? "file";
  if (source instanceof Uint8Array) {
    return checkSize(source, source.length, maxBytes, what, "bytes");
  }
  if (source instanceof Blob) {
    const name = sourceName(source, "Blob");
    checkSize(null, source.size, maxBytes, what, name);
    return new Uint8Array(await source.arrayBuffer());
  }
  const url = typeof source === "string" ? null : source;
  if (url === null || url.protocol === "file:") {
    return await readFileLimited(url === null ? source as string : filePath(url), {
      maxBytes,
      what,
    });
  }
  return await download(url, maxBytes, what);
}

/** The file system path of a `file:` URL (percent-decoded; a Windows drive letter kept). */
function filePath(url: URL): string {
  const path = decodeURIComponent(url.pathname);
  return /^\/[A-Za-z]:\//.test(path) ? path.slice(1) : path;
}

function checkSize<T>(value: T, size: number, maxBytes: number, what: string, name: string): T {
  if (size > maxBytes) {
    throw new FormatError(
      `${name}: ${size} bytes is more than the ${maxBytes} allowed for ${what}`,
    );
  }
  return value;
}

/** Fetches `url`, stopping as soon as the body passes `maxBytes`. */
async function download(url: URL, maxBytes: number, what: string): Promise<Uint8Array> {
  const fail = (reason: string) =>
    new FormatError(`${url.href}: cannot download ${what} (${reason})`);
  const response = await fetch(url).catch((error) => {
    throw fail(error instanceof Error ? error.message : String(error));
  });
  if (!response.ok) {
    await response.body?.cancel();
    throw fail(`HTTP ${response.status} ${response.statusText}`.trim());
  }
  const declared = Number(response.headers.get("content-length") ?? NaN);
  if (declared > maxBytes) {
    await response.body?.cancel();
    checkSize(null, declared, maxBytes, what, url.href);
  }
  if (response.body === null) return new Uint8Array(0);
  return await readStreamLimited(response.body, { maxBytes, name: url.href, what });
}

/**
 * All bytes of `stream` (a download, stdin), cancelling it and giving a
 * {@linkcode FormatError} naming `name` as soon as it passes `maxBytes`.
 */
export async function readStreamLimited(
  stream: ReadableStream<Uint8Array>,
  options: { maxBytes: number; name: string; what?: string },
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = stream.getReader();
  while (true) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > options.maxBytes) {
      await reader.cancel();
      checkSize(null, total, options.maxBytes, options.what ?? "file", options.name);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}
