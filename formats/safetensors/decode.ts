/**
 * Decoding of safetensors files held in memory.
 *
 * @module
 */

import { FormatError } from "../../autograd/errors.ts";
import type { SafetensorsTensor } from "./dtypes.ts";
import { type Fail, parseHeader } from "./header.ts";
import { quote } from "./messages.ts";
import { setEntry } from "./records.ts";

/** Options of {@linkcode decodeSafetensors}. */
export interface DecodeOptions {
  /** Name of the file the bytes came from; every error message starts with it. */
  source?: string;
}

/** The content of a safetensors file. */
export interface DecodedSafetensors {
  /** The tensors by name, in the order of their data in the file. */
  tensors: Record<string, SafetensorsTensor>;
  /** The `__metadata__` strings (an empty object when the file has none). */
  metadata: Record<string, string>;
}

/**
 * Decodes a safetensors file. The header is validated completely (see
 * {@linkcode parseHeader}) before any tensor data is copied, and every problem
 * throws a {@linkcode FormatError} whose message starts with `options.source`.
 *
 * Each tensor's `data` is a fresh copy in its own `ArrayBuffer` (so it is
 * aligned and independent of `bytes`); F16 and BF16 come back as raw bits in a
 * `Uint16Array`, I64/U64 as `BigInt64Array`/`BigUint64Array`.
 */
export function decodeSafetensors(
  bytes: Uint8Array,
  options: DecodeOptions = {},
): DecodedSafetensors {
  const source = options.source ?? "safetensors data";
  const fail: Fail = (message) => new FormatError(`${source}: ${message}`);
  const header = parseHeader(bytes, fail);
  const tensors: Record<string, SafetensorsTensor> = {};
  for (const entry of header.entries) {
    const raw = bytes.subarray(header.dataStart + entry.begin, header.dataStart + entry.end);
    if (entry.dtype.name === "BOOL") {
      const bad = raw.findIndex((byte) => byte > 1);
      if (bad >= 0) {
        throw fail(`tensor ${quote(entry.name)}: BOOL element ${bad} is ${raw[bad]}, not 0 or 1`);
      }
    }
    const data = new entry.dtype.array(raw.slice().buffer);
    setEntry(
      tensors,
      entry.name,
      { dtype: entry.dtype.name, shape: entry.shape, data } as SafetensorsTensor,
    );
  }
  const metadata: Record<string, string> = {};
  for (const [key, value] of header.metadata) setEntry(metadata, key, value);
  return { tensors, metadata };
}
