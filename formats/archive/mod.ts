/**
 * Archive formats the data sets ship in, read natively: a streaming tar reader
 * (ustar, GNU long names, pax), a ZIP reader (central directory, stored and
 * deflate members checked by size and CRC-32), gzip through
 * `DecompressionStream`, and {@linkcode extractArchive} to unpack one into a
 * folder with member paths confined to it (staged in a private folder and
 * moved into place only when the whole archive has been read, never through
 * a symbolic link). Used by `datasets/download.ts`. It
 * imports only the engine's error types and the rest of `formats/`.
 *
 * @example
 * ```ts
 * import { extractArchive } from "./mod.ts";
 * const written = await extractArchive("17flowers.tgz", "flowers17", { format: "tar.gz" });
 * console.log(written.size); // 1361
 * ```
 *
 * @module
 */

export { type ArchiveEntry, safeMemberPath } from "./entry.ts";
export { readTar } from "./tar.ts";
export { readZip } from "./zip.ts";
export { ByteReader } from "./byte_reader.ts";
export {
  type ArchiveFormat,
  DEFAULT_MAX_UNPACKED_BYTES,
  digestChunks,
  extractArchive,
  type ExtractOptions,
  gunzipPieces,
  saveChunks,
  type SavedFile,
} from "./extract.ts";
