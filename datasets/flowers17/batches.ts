/**
 * Streaming batches of labelled image files: each batch is decoded one file
 * at a time straight into its `[B, 3, S, S]` tensor, so at most one
 * full-size image and one batch are in memory however long the list is.
 *
 * @module
 */

import { InklingError } from "../../autograd/errors.ts";
import { Rng } from "../../autograd/rng.ts";
import { Tensor } from "../../autograd/tensor.ts";
import { readFileLimited } from "../../formats/files.ts";
import { listFlowers17 } from "./catalog.ts";
import {
  checkOutputSize,
  DEFAULT_MAX_IMAGE_BYTES,
  type ImageTensorOptions,
  imageToCHW,
} from "./image_tensor.ts";
import { FLOWERS17_SPLIT_NAMES, type Flowers17SplitName, readFlowers17Splits } from "./split.ts";

/** A labelled image file. */
export interface LabelledImageFile {
  /** Path of a JPEG or PNG file. */
  readonly path: string;
  /** Class index. */
  readonly label: number;
}

/** One batch: images, their labels and the files they came from. */
export interface ImageBatch {
  /** float32 tensor `[B, 3, size, size]`. */
  readonly x: Tensor;
  /** `B` class indices. */
  readonly y: Int32Array;
  /** `B` file paths, in batch order. */
  readonly files: readonly string[];
}

/** Options of {@linkcode iterateImageBatches}. */
export interface ImageBatchOptions extends ImageTensorOptions {
  /** Images per batch (default 32); the last batch may be smaller. */
  batchSize?: number;
  /** Visit the files in a random order drawn from `seed` (default false: list order). */
  shuffle?: boolean;
  /** Seed of the shuffle (default 0). */
  seed?: number;
  /** Largest file read, in bytes (default {@linkcode DEFAULT_MAX_IMAGE_BYTES}). */
  maxBytes?: number;
}

/**
 * Yields `files` as batches of preprocessed images (see
 * {@linkcode imageToCHW}). A file that cannot be read or decoded ends the
 * iteration with an error naming it.
 */
export async function* iterateImageBatches(
  files: readonly LabelledImageFile[],
  options: ImageBatchOptions = {},
): AsyncGenerator<ImageBatch> {
  const batchSize = options.batchSize ?? 32;
  const size = checkOutputSize(options.size);
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new InklingError(`batchSize must be a positive integer, not ${batchSize}`);
  }
  const order = options.shuffle
    ? Array.from(new Rng(options.seed ?? 0).permutation(files.length))
    : files.map((_, i) => i);
  const perImage = 3 * size * size;
  for (let first = 0; first < order.length; first += batchSize) {
    const chosen = order.slice(first, first + batchSize).map((i) => files[i]);
    const x = new Float32Array(chosen.length * perImage);
    for (const [slot, file] of chosen.entries()) {
      const bytes = await readFileLimited(file.path, {
        maxBytes: options.maxBytes ?? DEFAULT_MAX_IMAGE_BYTES,
        what: "image",
      });
      imageToCHW(bytes, { ...options, size, out: x, outOffset: slot * perImage, what: file.path });
    }
    yield {
      x: new Tensor(x, [chosen.length, 3, size, size]),
      y: Int32Array.from(chosen, (file) => file.label),
      files: chosen.map((file) => file.path),
    };
  }
}

/** Options of {@linkcode iterateFlowers17}. */
export interface Flowers17BatchOptions extends ImageBatchOptions {
  /** Which part of the split, or `"all"` 1,360 images (default `"train"`). */
  split?: Flowers17SplitName | "all";
}

/**
 * Batches of one part of Flowers 17 from the data set folder `dir` (holding
 * `jpg/` and the split list), e.g. `for await (const { x, y } of
 * iterateFlowers17(dir, { split: "val", ...SQUEEZENET_PREPROCESS }))`.
 */
export async function* iterateFlowers17(
  dir: string,
  options: Flowers17BatchOptions = {},
): AsyncGenerator<ImageBatch> {
  const split = options.split ?? "train";
  if (split !== "all" && !FLOWERS17_SPLIT_NAMES.includes(split)) {
    throw new InklingError(`split must be train, val, test or all, not "${split}"`);
  }
  const images = split === "all"
    ? await listFlowers17(dir)
    : (await readFlowers17Splits(dir))[split];
  yield* iterateImageBatches(images, options);
}
