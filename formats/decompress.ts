/**
 * Bounded zlib/gzip (de)compression on top of the web `CompressionStream` and
 * `DecompressionStream`. Readers of MAT and IDX files decompress untrusted
 * bytes, so {@linkcode decompress} feeds the input in small pieces, counts the
 * output as it arrives and stops with a {@linkcode FormatError} as soon as it
 * exceeds the caller's cap; a corrupt stream becomes a `FormatError` too.
 *
 * @module
 */

import { FormatError } from "../autograd/errors.ts";

/** Container formats understood by {@linkcode decompress} and {@linkcode compress}. */
export type CompressionFormatName = "deflate" | "gzip";

/**
 * Largest expansion factor of a deflate stream (a run of one byte costs about
 * 1/1032 bytes per output byte). Output larger than this × input is impossible,
 * which gives readers a size bound that needs no trust in the file.
 */
export const MAX_DEFLATE_RATIO = 1032;

// One piece of input per read. `DecompressionStream` inflates a whole input
// chunk at once, so this (× MAX_DEFLATE_RATIO) bounds one output chunk and thus
// the memory touched before the cap check can refuse a stream.
const INPUT_CHUNK = 16 * 1024;

/** Options of {@linkcode decompress}. */
export interface DecompressOptions {
  /** `"deflate"` is the zlib format (RFC 1950) of MAT files; `"gzip"` is RFC 1952. */
  format: CompressionFormatName;
  /** Refuse (with a `FormatError`) output longer than this many bytes. */
  maxBytes: number;
  /** What is being decompressed, for error messages (e.g. `"data.mat: variable 'x'"`). */
  what: string;
  /**
   * Return as soon as at least this many bytes are out (the result may be
   * longer), to peek at a header without inflating the rest.
   */
  stopAfter?: number;
}

/**
 * Decompresses `data` with at most `maxBytes` of output. Throws
 * {@linkcode FormatError} naming `what` if the stream is corrupt or too large.
 * A stream cut short may end without an error: callers compare the length
 * with what they expect.
 */
export async function decompress(
  data: Uint8Array,
  options: DecompressOptions,
): Promise<Uint8Array> {
  let offset = 0;
  const input = new ReadableStream<BufferSource>({
    pull(controller) {
      if (offset >= data.length) {
        controller.close();
        return;
      }
      controller.enqueue(data.slice(offset, offset + INPUT_CHUNK));
      offset += INPUT_CHUNK;
    },
  });
  const reader = input.pipeThrough(new DecompressionStream(options.format)).getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > options.maxBytes) {
        throw new FormatError(
          `${options.what}: ${options.format} data decompresses to more than the ${options.maxBytes} bytes expected`,
        );
      }
      chunks.push(value);
      if (options.stopAfter !== undefined && total >= options.stopAfter) break;
    }
  } catch (error) {
    await reader.cancel().catch(() => {});
    if (error instanceof FormatError) throw error;
    throw new FormatError(
      `${options.what}: corrupt ${options.format} data (${(error as Error).message})`,
    );
  }
  await reader.cancel().catch(() => {});
  return concatBytes(chunks, total);
}

/** Compresses `data` into the zlib (`"deflate"`) or gzip format. */
export async function compress(
  data: Uint8Array,
  format: CompressionFormatName,
): Promise<Uint8Array> {
  const stream = new Blob([data as Uint8Array<ArrayBuffer>]).stream()
    .pipeThrough(new CompressionStream(format));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Joins byte chunks whose total length is known. */
export function concatBytes(chunks: readonly Uint8Array[], total?: number): Uint8Array {
  if (chunks.length === 1 && (total === undefined || total === chunks[0].length)) return chunks[0];
  const out = new Uint8Array(total ?? chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}
