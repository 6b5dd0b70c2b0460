/**
 * Reading IDX files, raw or gzip-compressed (recognised by the gzip magic
 * bytes 1f 8b, not by the file name). The header's dimensions are checked
 * against the bytes present — or, for gzip, against what the compressed bytes
 * can expand to — before the element array is allocated.
 *
 * @module
 */

import { FormatError } from "../../autograd/errors.ts";
import { decompress, MAX_DEFLATE_RATIO } from "../decompress.ts";
import { readFileLimited } from "../files.ts";
import { IDX_TYPES, type IdxArray, parseIdxHeader } from "./format.ts";

/** Default cap on the decoded size of an IDX file (2 GiB). */
export const DEFAULT_MAX_IDX_BYTES = 2 ** 31;

// An IDX header has at most 255 dimensions: 4 + 4 × 255 bytes.
const MAX_HEADER_BYTES = 1024;

/** Options of {@linkcode parseIdx}. */
export interface ParseIdxOptions {
  /** Name of the file or buffer, used in error messages. */
  source?: string;
  /** Refuse files whose (decompressed) size exceeds this many bytes (default 2 GiB). */
  maxBytes?: number;
}

/**
 * Parses an IDX file (gzip-compressed or not) into its element type, shape and
 * row-major data. Throws {@linkcode FormatError} naming `source` when the
 * header is invalid, the data is shorter or longer than the dimensions say, or
 * the gzip stream is corrupt.
 */
export async function parseIdx(
  bytes: Uint8Array,
  options: ParseIdxOptions = {},
): Promise<IdxArray> {
  const source = options.source ?? "IDX data";
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_IDX_BYTES;
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return decodeIdx(bytes, source, maxBytes);
  const what = `${source} (gzip)`;
  const head = await decompress(bytes, {
    format: "gzip",
    maxBytes: Infinity,
    what,
    stopAfter: MAX_HEADER_BYTES,
  });
  const header = parseIdxHeader(head, what);
  const total = header.headerBytes + header.dataBytes;
  const cap = Math.min(maxBytes, MAX_DEFLATE_RATIO * bytes.length + 64);
  if (total > cap) {
    throw new FormatError(
      `${what}: dimensions ${
        header.shape.join("x")
      } need ${total} bytes, more than the ${cap} allowed ` +
        `(${bytes.length} compressed bytes, maxBytes ${maxBytes})`,
    );
  }
  // One byte more than expected is enough to notice trailing data.
  const full = head.length >= total
    ? head
    : await decompress(bytes, { format: "gzip", maxBytes: total + 1, what });
  return decodeIdx(full, what, maxBytes);
}

/** Reads an IDX file (gzip-compressed or not); see {@linkcode parseIdx}. */
export async function readIdx(
  path: string,
  options: Omit<ParseIdxOptions, "source"> = {},
): Promise<IdxArray> {
  const bytes = await readFileLimited(path, {
    maxBytes: options.maxBytes ?? DEFAULT_MAX_IDX_BYTES,
    what: "IDX file",
  });
  return await parseIdx(bytes, { ...options, source: path });
}

/** Decodes an uncompressed IDX file whose whole content is `bytes`. */
function decodeIdx(bytes: Uint8Array, source: string, maxBytes: number): IdxArray {
  const header = parseIdxHeader(bytes, source);
  const total = header.headerBytes + header.dataBytes;
  if (bytes.length !== total || total > maxBytes) {
    throw new FormatError(
      `${source}: dimensions ${header.shape.join("x")} of ${header.type} need ${total} bytes ` +
        `(header included) but the file has ${bytes.length}` +
        (total > maxBytes ? ` (maxBytes ${maxBytes})` : ""),
    );
  }
  const info = IDX_TYPES[header.type];
  const count = header.dataBytes / info.size;
  const data = new info.ctor(count);
  const body = bytes.subarray(header.headerBytes);
  if (info.size === 1) {
    new Uint8Array(data.buffer).set(body);
  } else {
    const view = new DataView(body.buffer, body.byteOffset, body.length);
    for (let i = 0; i < count; i++) data[i] = info.get(view, i * info.size);
  }
  return { type: header.type, shape: header.shape, data } as IdxArray;
}
