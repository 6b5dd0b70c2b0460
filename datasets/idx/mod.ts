/**
 * IDX files — the format of MNIST and EMNIST — raw or gzip-compressed:
 * {@linkcode readIdx}/{@linkcode parseIdx} for any element type,
 * {@linkcode writeIdx}/{@linkcode encodeIdx} to build IDX data sets, and
 * {@linkcode readMnist}/{@linkcode readEmnist} for the two data sets (EMNIST's
 * transposed image storage turned upright, its class mapping read).
 *
 * @example
 * ```ts
 * import { readMnist } from "./mod.ts";
 * const train = await readMnist("../shared/data/mnist", { split: "train" });
 * console.log(train.count, train.rows, train.cols); // 60000 28 28
 * ```
 *
 * @module
 */

export { type IdxArray, type IdxData, type IdxType } from "./format.ts";
export { DEFAULT_MAX_IDX_BYTES, parseIdx, type ParseIdxOptions, readIdx } from "./reader.ts";
export { encodeIdx, type EncodeIdxOptions, type IdxWritable, writeIdx } from "./writer.ts";
export { type ImageLabelSet, readMnist, type Split } from "./mnist.ts";
export {
  type EmnistClass,
  type EmnistMapping,
  type EmnistSet,
  parseEmnistMapping,
  readEmnist,
  readEmnistMapping,
  type ReadEmnistOptions,
} from "./emnist.ts";
