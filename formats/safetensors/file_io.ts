/**
 * Saving and loading safetensors files on disk.
 *
 * @module
 */

import { readFileLimited, writeFileAtomic } from "../files.ts";
import { type DecodedSafetensors, decodeSafetensors } from "./decode.ts";
import type { SafetensorsTensor } from "./dtypes.ts";
import { type EncodeOptions, encodeSafetensors } from "./encode.ts";

/** Options of {@linkcode loadSafetensors}. */
export interface LoadOptions {
  /** Largest file accepted, in bytes (default: the limit of `readFileLimited`, 2 GiB). */
  maxBytes?: number;
}

/**
 * Encodes `tensors` (see {@linkcode encodeSafetensors}) and writes them to
 * `path` atomically: the file under `path` is either the old one or the
 * complete new one, and an encoding error leaves the old file untouched.
 */
export async function saveSafetensors(
  path: string,
  tensors: Record<string, SafetensorsTensor>,
  options: EncodeOptions = {},
): Promise<void> {
  await writeFileAtomic(path, encodeSafetensors(tensors, options));
}

/**
 * Reads and decodes the safetensors file at `path` (see
 * {@linkcode decodeSafetensors}); a malformed file throws a `FormatError`
 * whose message starts with `path`.
 */
export async function loadSafetensors(
  path: string,
  options: LoadOptions = {},
): Promise<DecodedSafetensors> {
  const bytes = await readFileLimited(path, {
    ...(options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes }),
    what: "safetensors file",
  });
  return decodeSafetensors(bytes, { source: path });
}
