/**
 * File helpers shared by every reader and writer: atomic writes (a crash or a
 * full disk never leaves a half-written file under the real name) and size
 * checks before reading.
 *
 * @module
 */

import { FormatError } from "../autograd/errors.ts";

/**
 * Writes `data` to `path` atomically: the bytes go to a temporary file in the
 * same directory, which is then renamed over `path`. Readers therefore see
 * either the old file or the complete new one.
 */
export async function writeFileAtomic(path: string, data: Uint8Array): Promise<void> {
  const tmp = `${path}.${Deno.pid}.${crypto.randomUUID().slice(0, 8)}.tmp`;
  try {
    await Deno.writeFile(tmp, data);
    await Deno.rename(tmp, path);
  } catch (error) {
    await Deno.remove(tmp).catch(() => {});
    throw error;
  }
}

/**
 * Reads a whole file, refusing (with a {@linkcode FormatError} naming the file)
 * one larger than `maxBytes`, so a wrong path never triggers a huge allocation.
 */
export async function readFileLimited(
  path: string,
  options: { maxBytes?: number; what?: string } = {},
): Promise<Uint8Array> {
  const maxBytes = options.maxBytes ?? 2 ** 31;
  const info = await Deno.stat(path).catch((error) => {
    throw new FormatError(`${path}: cannot read ${options.what ?? "file"} (${error.message})`);
  });
  if (!info.isFile) throw new FormatError(`${path}: not a regular file`);
  if (info.size > maxBytes) {
    throw new FormatError(
      `${path}: ${info.size} bytes is more than the ${maxBytes} allowed for ${
        options.what ?? "this file"
      }`,
    );
  }
  return await Deno.readFile(path);
}
