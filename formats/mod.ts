/**
 * File I/O and codecs, the bottom layer above the engine: atomic writes and
 * bounded reads ({@linkcode writeFileAtomic}, {@linkcode readFileLimited}),
 * safetensors (checkpoints), MATLAB MAT v5 (NIST36), IDX (MNIST, EMNIST), PNG
 * encoding and JPEG/PNG header reading, CRC-32, deflate/gzip with a bounded
 * output, and tar/ZIP archives. Every reader checks sizes against the input
 * before it allocates and reports a defect as a `FormatError` naming the file.
 * Imports: only the engine's error types (`autograd/errors.ts`). Layers, data
 * sets, figures and applications build on this folder, never the other way
 * round.
 *
 * @example
 * ```ts
 * import { readMat, writeFileAtomic } from "@inkling/inkling/formats";
 * const vars = await readMat("nist36_valid.mat", { variables: ["valid_data"] });
 * console.log(vars.get("valid_data")!.shape); // [3600, 1024]
 * await writeFileAtomic("notes.txt", new TextEncoder().encode("done\n"));
 * ```
 *
 * @module
 */

export * from "./files.ts";
export * from "./byte_source.ts";
export * from "./environment.ts";
export * from "./crc32.ts";
export * from "./decompress.ts";
export * from "./png.ts";
export * from "./image_header.ts";
export * from "./jpeg/mod.ts";
export * from "./safetensors/mod.ts";
export * from "./mat/mod.ts";
export * from "./idx/mod.ts";
export * from "./archive/mod.ts";
