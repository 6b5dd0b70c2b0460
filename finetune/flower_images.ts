/**
 * The Flowers 17 split decoded once into memory: every image of train, val
 * and test as SqueezeNet's input (224 × 224, BGR planes, raw 0–255), so the
 * three modes share one decoding pass instead of reading 1,360 JPEGs each.
 * A missing data folder is one line saying how to get it; a missing or
 * corrupt image is a {@linkcode FormatError} naming the file.
 *
 * @module
 */

import { InklingError, Tensor } from "../autograd/mod.ts";
import { missingDataHint } from "../datasets/data_dir.ts";
import {
  FLOWERS17_SPLIT_NAMES,
  type Flowers17Image,
  type Flowers17SplitName,
  readFlowers17Splits,
  readImageCHW,
  SQUEEZENET_PREPROCESS,
} from "../datasets/flowers17/mod.ts";

/** Side of the decoded images. */
export const IMAGE_SIZE = 224;

/** One part of the split in memory. */
export interface FlowerSet {
  /** float32 `[N, 3, 224, 224]`, BGR planes, raw 0–255. */
  x: Tensor;
  /** N class indices. */
  y: Int32Array;
  /** N image files, in order. */
  files: string[];
}

/** The three parts of the split in memory. */
export type FlowerSplit = Record<Flowers17SplitName, FlowerSet>;

/** Options of {@linkcode loadFlowerSplit}. */
export interface LoadFlowerSplitOptions {
  /** Keep only the first N images of each class in each part (default all: 40/20/20). */
  perClass?: number;
  /** Called after each decoded image with the count so far and the total. */
  onImage?: (done: number, total: number) => void;
}

/**
 * Reads the split of the Flowers 17 folder `dir` and decodes every image it
 * lists. A folder without the data set is an {@linkcode InklingError} of one
 * line with the command that fetches it.
 */
export async function loadFlowerSplit(
  dir: string,
  options: LoadFlowerSplitOptions = {},
): Promise<FlowerSplit> {
  const exists = await Deno.stat(`${dir}/jpg`).then((i) => i.isDirectory, () => false);
  if (!exists) {
    throw new InklingError(`Flowers 17 not found in ${dir}: ${missingDataHint("flowers17")}`);
  }
  const splits = await readFlowers17Splits(dir);
  const chosen = Object.fromEntries(
    FLOWERS17_SPLIT_NAMES.map((part) => [part, firstPerClass(splits[part], options.perClass)]),
  ) as Record<Flowers17SplitName, Flowers17Image[]>;
  const total = FLOWERS17_SPLIT_NAMES.reduce((n, part) => n + chosen[part].length, 0);
  let done = 0;
  const out = {} as FlowerSplit;
  for (const part of FLOWERS17_SPLIT_NAMES) {
    const images = chosen[part];
    const per = 3 * IMAGE_SIZE * IMAGE_SIZE;
    const data = new Float32Array(images.length * per);
    for (const [i, image] of images.entries()) {
      data.set(await readImageCHW(image.path, SQUEEZENET_PREPROCESS), i * per);
      options.onImage?.(++done, total);
    }
    out[part] = {
      x: new Tensor(data, [images.length, 3, IMAGE_SIZE, IMAGE_SIZE]),
      y: Int32Array.from(images, (image) => image.label),
      files: images.map((image) => image.path),
    };
  }
  return out;
}

/** The first `perClass` images of each class, in image order (all when undefined). */
function firstPerClass(images: readonly Flowers17Image[], perClass?: number): Flowers17Image[] {
  if (perClass === undefined) return [...images];
  const seen = new Map<number, number>();
  return images.filter((image) => {
    const count = seen.get(image.label) ?? 0;
    seen.set(image.label, count + 1);
    return count < perClass;
  });
}
