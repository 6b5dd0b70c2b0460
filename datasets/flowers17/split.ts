/**
 * The train/val/test split of Flowers 17 used by the assignment: VGG's
 * `datasplits.mat` split 2 (`trn2`/`val2`/`tst2`, 680/340/340 images, 40/20/20
 * per class). It is read from the text list `hw5_split_trn2_val2_tst2.txt`
 * (`image_NNNN.jpg <train|val|test> <class>` per line, `#` comments) or,
 * when that is absent, from VGG's `datasplits.mat` itself.
 *
 * @module
 */

import { FormatError, InklingError } from "../../autograd/errors.ts";
import { readFileLimited } from "../../formats/files.ts";
import { readMat } from "../../formats/mat/mod.ts";
import {
  FLOWERS17_IMAGE_COUNT,
  type Flowers17Image,
  flowers17ImageName,
  flowers17Label,
  listFlowers17,
  parseFlowers17ImageName,
} from "./catalog.ts";

/** The three parts of the split. */
export type Flowers17SplitName = "train" | "val" | "test";

/** Names of the parts, in file order. */
export const FLOWERS17_SPLIT_NAMES: readonly Flowers17SplitName[] = Object.freeze([
  "train",
  "val",
  "test",
]);

/** File name of the assignment's split list inside the data set folder. */
export const FLOWERS17_SPLIT_FILE = "hw5_split_trn2_val2_tst2.txt";

/** VGG's official split file (variables `trn1..3`, `val1..3`, `tst1..3`). */
export const FLOWERS17_DATASPLITS_FILE = "datasplits.mat";

/** Images of each part, in image order. */
export type Flowers17Splits = Readonly<Record<Flowers17SplitName, readonly Flowers17Image[]>>;

/**
 * Parses the text of a split list into image number → part, checking every
 * line (a {@linkcode FormatError} names `file` and the line) and that each of
 * the 1,360 images appears exactly once with its own class.
 */
export function parseFlowers17Split(
  text: string,
  options: { file?: string } = {},
): Map<number, Flowers17SplitName> {
  const file = options.file ?? FLOWERS17_SPLIT_FILE;
  const parts = new Map<number, Flowers17SplitName>();
  text.split(/\r?\n/).forEach((line, i) => {
    const where = `${file}:${i + 1}`;
    const content = line.trim();
    if (content === "" || content.startsWith("#")) return;
    const fields = content.split(/\s+/);
    if (fields.length !== 3) {
      throw new FormatError(
        `${where}: expected "image_NNNN.jpg <train|val|test> <class>", found "${content}"`,
      );
    }
    const [name, part, classText] = fields;
    const index = parseFlowers17ImageName(name);
    if (index === undefined) {
      throw new FormatError(`${where}: "${name}" is not a file image_0001.jpg … image_1360.jpg`);
    }
    if (!isSplitName(part)) {
      throw new FormatError(`${where}: split "${part}" is not train, val or test`);
    }
    if (classText !== String(flowers17Label(index))) {
      throw new FormatError(
        `${where}: ${name} belongs to class ${flowers17Label(index)}, the line says ${classText}`,
      );
    }
    assign(parts, index, part, where);
  });
  checkComplete(parts, file);
  return parts;
}

/**
 * The split of the data set folder `dir`: its images (see
 * {@linkcode listFlowers17}) grouped by the split list, or by `datasplits.mat`
 * when there is no list.
 */
export async function readFlowers17Splits(dir: string): Promise<Flowers17Splits> {
  const images = await listFlowers17(dir);
  const parts = await readSplitAssignment(dir);
  const grouped: Record<Flowers17SplitName, Flowers17Image[]> = { train: [], val: [], test: [] };
  for (const image of images) grouped[parts.get(image.index)!].push(image);
  return grouped;
}

/** Image number → part from the split list in `dir`, else from `datasplits.mat`. */
async function readSplitAssignment(dir: string): Promise<Map<number, Flowers17SplitName>> {
  const listPath = `${dir}/${FLOWERS17_SPLIT_FILE}`;
  if (await isFile(listPath)) {
    const bytes = await readFileLimited(listPath, { maxBytes: 1 << 20, what: "split list" });
    return parseFlowers17Split(new TextDecoder().decode(bytes), { file: listPath });
  }
  const matPath = `${dir}/${FLOWERS17_DATASPLITS_FILE}`;
  if (await isFile(matPath)) return await readDatasplitsMat(matPath);
  throw new InklingError(
    `${dir}: no Flowers 17 split: expected ${FLOWERS17_SPLIT_FILE} or VGG's ${FLOWERS17_DATASPLITS_FILE} ` +
      `(https://www.robots.ox.ac.uk/~vgg/data/flowers/17/datasplits.mat)`,
  );
}

/** Split 2 of VGG's `datasplits.mat`: `trn2`, `val2`, `tst2` hold 1-based image numbers. */
async function readDatasplitsMat(path: string): Promise<Map<number, Flowers17SplitName>> {
  const variables = { train: "trn2", val: "val2", test: "tst2" } as const;
  const mat = await readMat(path, { variables: Object.values(variables) });
  const parts = new Map<number, Flowers17SplitName>();
  for (const part of FLOWERS17_SPLIT_NAMES) {
    const name = variables[part];
    const data = mat.get(name)?.data;
    if (
      !ArrayBuffer.isView(data) || data instanceof BigInt64Array || data instanceof BigUint64Array
    ) {
      throw new FormatError(`${path}: ${name} is not a numeric array of image numbers`);
    }
    for (const value of data) {
      if (!Number.isInteger(value) || value < 1 || value > FLOWERS17_IMAGE_COUNT) {
        throw new FormatError(
          `${path}: ${name} holds ${value}, not an image number 1–${FLOWERS17_IMAGE_COUNT}`,
        );
      }
      assign(parts, value, part, `${path}: ${name}`);
    }
  }
  checkComplete(parts, path);
  return parts;
}

function assign(
  parts: Map<number, Flowers17SplitName>,
  index: number,
  part: Flowers17SplitName,
  where: string,
): void {
  const previous = parts.get(index);
  if (previous !== undefined) {
    throw new FormatError(
      `${where}: ${flowers17ImageName(index)} is listed again (already in ${previous})`,
    );
  }
  parts.set(index, part);
}

function checkComplete(parts: ReadonlyMap<number, Flowers17SplitName>, file: string): void {
  if (parts.size === FLOWERS17_IMAGE_COUNT) return;
  let first = 1;
  while (parts.has(first)) first++;
  throw new FormatError(
    `${file}: ${FLOWERS17_IMAGE_COUNT - parts.size} images have no split (first: ${
      flowers17ImageName(first)
    })`,
  );
}

function isSplitName(value: string): value is Flowers17SplitName {
  return (FLOWERS17_SPLIT_NAMES as readonly string[]).includes(value);
}

async function isFile(path: string): Promise<boolean> {
  return (await Deno.stat(path).catch(() => undefined))?.isFile ?? false;
}
