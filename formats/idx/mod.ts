/**
 * IDX files — the format of MNIST and EMNIST — raw or gzip-compressed:
 * {@linkcode readIdx}/{@linkcode parseIdx} for any element type, and
 * {@linkcode writeIdx}/{@linkcode encodeIdx} to build IDX data sets. The MNIST
 * and EMNIST readers on top are in `datasets/`. It imports only the engine's
 * error types and the rest of `formats/`.
 *
 * @example
 * ```ts
 * import { readIdx } from "./mod.ts";
 * const images = await readIdx("../shared/data/mnist/t10k-images-idx3-ubyte.gz");
 * console.log(images.shape); // [10000, 28, 28]
 * ```
 *
 * @module
 */

export { type IdxArray, type IdxData, type IdxType } from "./format.ts";
export { DEFAULT_MAX_IDX_BYTES, parseIdx, type ParseIdxOptions, readIdx } from "./reader.ts";
export { encodeIdx, type EncodeIdxOptions, type IdxWritable, writeIdx } from "./writer.ts";
