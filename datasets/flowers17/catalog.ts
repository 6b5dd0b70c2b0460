/**
 * The images of Oxford Flowers 17 (Nilsback & Zisserman, 2006): 1,360 files
 * `jpg/image_0001.jpg` … `image_1360.jpg`, 80 per class in class order, so
 * the label of image N is ⌊(N−1)/80⌋.
 *
 * @module
 */

import { FormatError, InklingError } from "../../autograd/errors.ts";
import { readFileLimited } from "../../formats/files.ts";

/**
 * The 17 class names in label order. The data set ships no names file; this
 * is the order commonly listed (e.g. on the VGG page and in torchvision-style
 * loaders), recorded in the data manifest.
 */
export const FLOWERS17_CLASSES: readonly string[] = Object.freeze([
  "daffodil",
  "snowdrop",
  "lily of the valley",
  "bluebell",
  "crocus",
  "iris",
  "tigerlily",
  "tulip",
  "fritillary",
  "sunflower",
  "daisy",
  "colts' foot",
  "dandelion",
  "cowslip",
  "buttercup",
  "windflower",
  "pansy",
]);

/** Number of images in the data set. */
export const FLOWERS17_IMAGE_COUNT = 1360;
/** Images per class. */
export const FLOWERS17_IMAGES_PER_CLASS = 80;

/** One image of the data set. */
export interface Flowers17Image {
  /** 1-based image number N of `image_NNNN.jpg`. */
  readonly index: number;
  /** File name, e.g. `image_0001.jpg`. */
  readonly name: string;
  /** Path of the file (`<dir>/jpg/<name>`). */
  readonly path: string;
  /** Class index 0–16 into {@linkcode FLOWERS17_CLASSES}. */
  readonly label: number;
}

/** The class of image number `index` (1-based): ⌊(index−1)/80⌋. */
export function flowers17Label(index: number): number {
  if (!Number.isInteger(index) || index < 1 || index > FLOWERS17_IMAGE_COUNT) {
    throw new InklingError(
      `Flowers 17 image numbers run from 1 to ${FLOWERS17_IMAGE_COUNT}, not ${index}`,
    );
  }
  return Math.floor((index - 1) / FLOWERS17_IMAGES_PER_CLASS);
}

/** The file name of image number `index`: `image_0001.jpg` for 1. */
export function flowers17ImageName(index: number): string {
  return `image_${String(index).padStart(4, "0")}.jpg`;
}

/** The image number of a file name `image_NNNN.jpg` in range, else `undefined`. */
export function parseFlowers17ImageName(name: string): number | undefined {
  const match = /^image_(\d{4})\.jpg$/.exec(name);
  if (match === null) return undefined;
  const index = Number(match[1]);
  return index >= 1 && index <= FLOWERS17_IMAGE_COUNT ? index : undefined;
}

/** The image record of number `index` under the data set folder `dir`. */
export function flowers17Image(dir: string, index: number): Flowers17Image {
  const name = flowers17ImageName(index);
  return { index, name, path: `${dir}/jpg/${name}`, label: flowers17Label(index) };
}

/**
 * All 1,360 images of the data set folder `dir` (the folder holding `jpg/`),
 * in image order. Checks that every file is present, and, when the archive's
 * `jpg/files.txt` is there, that it lists exactly those files.
 */
export async function listFlowers17(dir: string): Promise<Flowers17Image[]> {
  const jpgDir = `${dir}/jpg`;
  const present = new Set<string>();
  try {
    for await (const entry of Deno.readDir(jpgDir)) if (entry.isFile) present.add(entry.name);
  } catch (error) {
    throw new InklingError(
      `${jpgDir}: cannot list the Flowers 17 images (${(error as Error).message}); ` +
        `expected jpg/image_0001.jpg … image_1360.jpg from 17flowers.tgz`,
    );
  }
  const images = Array.from(
    { length: FLOWERS17_IMAGE_COUNT },
    (_, i) => flowers17Image(dir, i + 1),
  );
  const missing = images.filter((image) => !present.has(image.name)).map((image) => image.name);
  if (missing.length > 0) {
    // A FormatError like a corrupt image's: either way a named file cannot be used.
    throw new FormatError(
      `${jpgDir}: ${missing.length} of the ${FLOWERS17_IMAGE_COUNT} Flowers 17 images are missing ` +
        `(${missing.slice(0, 3).join(", ")}${missing.length > 3 ? ", …" : ""})`,
    );
  }
  if (present.has("files.txt")) await checkFilesList(`${jpgDir}/files.txt`);
  return images;
}

/** `jpg/files.txt` must name image_0001.jpg … image_1360.jpg, one per line, in order. */
async function checkFilesList(path: string): Promise<void> {
  const text = new TextDecoder().decode(
    await readFileLimited(path, { maxBytes: 1 << 20, what: "file list" }),
  );
  let count = 0;
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === "") return;
    count++;
    if (line.trim() !== flowers17ImageName(count)) {
      throw new FormatError(
        `${path}:${i + 1}: expected ${flowers17ImageName(count)}, found "${line}"`,
      );
    }
  });
  if (count !== FLOWERS17_IMAGE_COUNT) {
    throw new FormatError(`${path}: lists ${count} images, expected ${FLOWERS17_IMAGE_COUNT}`);
  }
}
