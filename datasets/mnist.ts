/**
 * MNIST as distributed by LeCun et al.: `train-images-idx3-ubyte`,
 * `train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte`,
 * `t10k-labels-idx1-ubyte`, each raw or `.gz` (the dotted spelling
 * `train-images.idx3-ubyte` of some mirrors is accepted too).
 *
 * @module
 */

import { FormatError, InklingError } from "../autograd/errors.ts";
import { readIdx } from "../formats/idx/reader.ts";

/** Images and labels of one split, images row-major `count × rows × cols`. */
export interface ImageLabelSet {
  /** Pixels, 0 (background) to 255 (ink), image after image. */
  readonly images: Uint8Array;
  /** One class index per image. */
  readonly labels: Uint8Array;
  /** Number of images. */
  readonly count: number;
  /** Image height. */
  readonly rows: number;
  /** Image width. */
  readonly cols: number;
}

/** Which half of a data set. */
export type Split = "train" | "test";

/** Reads one MNIST split from `dir` (default: the training set). */
export async function readMnist(
  dir: string,
  options: { split?: Split } = {},
): Promise<ImageLabelSet> {
  const prefix = { train: "train", test: "t10k" }[checkSplit(options.split)];
  const images = await findDataFile(dir, [
    `${prefix}-images-idx3-ubyte`,
    `${prefix}-images.idx3-ubyte`,
  ], "MNIST images");
  const labels = await findDataFile(dir, [
    `${prefix}-labels-idx1-ubyte`,
    `${prefix}-labels.idx1-ubyte`,
  ], "MNIST labels");
  const set = await readImagesAndLabels(images, labels);
  const bad = set.labels.findIndex((label) => label > 9);
  if (bad >= 0) {
    throw new FormatError(`${labels}: label ${set.labels[bad]} of image ${bad} is not a digit`);
  }
  return set;
}

/** The split asked for (default `"train"`), refusing anything but train/test. */
export function checkSplit(split: Split | undefined): Split {
  if (split === undefined) return "train";
  if (split !== "train" && split !== "test") {
    throw new InklingError(`split must be "train" or "test", not "${split}"`);
  }
  return split;
}

/**
 * The path of the first of `names` (each tried raw, then with `.gz`) present
 * in `dir`; an {@linkcode InklingError} listing what was tried otherwise.
 */
export async function findDataFile(
  dir: string,
  names: readonly string[],
  what: string,
): Promise<string> {
  const candidates = names.flatMap((name) => [`${dir}/${name}`, `${dir}/${name}.gz`]);
  for (const path of candidates) {
    const info = await Deno.stat(path).catch(() => undefined);
    if (info?.isFile) return path;
  }
  throw new InklingError(
    `no ${what} file in ${dir} (looked for ${
      candidates.map((p) => p.slice(dir.length + 1)).join(", ")
    })`,
  );
}

/** Reads an IDX image file (ubyte, 3-D) and its label file (ubyte, 1-D) and checks they match. */
export async function readImagesAndLabels(
  imagesPath: string,
  labelsPath: string,
): Promise<ImageLabelSet> {
  const [images, labels] = await Promise.all([readIdx(imagesPath), readIdx(labelsPath)]);
  if (images.type !== "ubyte" || images.shape.length !== 3) {
    throw new FormatError(
      `${imagesPath}: expected a 3-D ubyte IDX array of images, found ${images.shape.length}-D ${images.type}`,
    );
  }
  if (labels.type !== "ubyte" || labels.shape.length !== 1) {
    throw new FormatError(
      `${labelsPath}: expected a 1-D ubyte IDX array of labels, found ${labels.shape.length}-D ${labels.type}`,
    );
  }
  const [count, rows, cols] = images.shape;
  if (labels.shape[0] !== count) {
    throw new FormatError(
      `${labelsPath} has ${labels.shape[0]} labels but ${imagesPath} has ${count} images`,
    );
  }
  return { images: images.data, labels: labels.data, count, rows, cols };
}
