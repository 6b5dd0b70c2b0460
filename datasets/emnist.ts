/**
 * EMNIST (Cohen et al. 2017) in its IDX distribution:
 * `emnist-<name>-<train|test>-images-idx3-ubyte[.gz]`, the matching labels
 * file, and `emnist-<name>-mapping.txt` (one line per class: class index and
 * the ASCII code(s) of its character). EMNIST stores every image transposed
 * relative to MNIST (column-major); {@linkcode readEmnist} transposes them
 * back unless asked to keep the raw storage.
 *
 * @module
 */

import { FormatError } from "../autograd/errors.ts";
import { readFileLimited } from "../formats/files.ts";
import {
  checkSplit,
  findDataFile,
  type ImageLabelSet,
  readImagesAndLabels,
  type Split,
} from "./mnist.ts";

/** One EMNIST class: its index, the character code(s) and the character(s). */
export interface EmnistClass {
  /** Class index as used in the label files. */
  readonly index: number;
  /** ASCII codes; `emnist-letters` lists upper- and lower-case codes for one class. */
  readonly codes: readonly number[];
  /** The characters of `codes`, e.g. `"A"` or `"Aa"`. */
  readonly chars: string;
}

/** Class index → class, in file order. */
export type EmnistMapping = ReadonlyMap<number, EmnistClass>;

/** An EMNIST split with its class mapping. */
export interface EmnistSet extends ImageLabelSet {
  /** What each label means. */
  readonly mapping: EmnistMapping;
}

/** Options of {@linkcode readEmnist}. */
export interface ReadEmnistOptions {
  /** Which split (default `"train"`). */
  split?: Split;
  /** Keep EMNIST's transposed storage instead of turning images upright (default false). */
  raw?: boolean;
}

/**
 * Reads the EMNIST data set `name` (`"balanced"`, `"byclass"`, `"digits"`,
 * `"letters"`, …) from `dir`. Images come upright (as MNIST's) unless
 * `raw` is set; every label is checked against the mapping file.
 */
export async function readEmnist(
  dir: string,
  name: string,
  options: ReadEmnistOptions = {},
): Promise<EmnistSet> {
  const split = checkSplit(options.split);
  const stem = `emnist-${name}-${split}`;
  const imagesPath = await findDataFile(
    dir,
    [`${stem}-images-idx3-ubyte`],
    `EMNIST ${name} ${split} images`,
  );
  const labelsPath = await findDataFile(
    dir,
    [`${stem}-labels-idx1-ubyte`],
    `EMNIST ${name} ${split} labels`,
  );
  const set = await readImagesAndLabels(imagesPath, labelsPath);
  const mapping = await readEmnistMapping(`${dir}/emnist-${name}-mapping.txt`);
  const bad = set.labels.findIndex((label) => !mapping.has(label));
  if (bad >= 0) {
    throw new FormatError(
      `${labelsPath}: label ${
        set.labels[bad]
      } of image ${bad} is not in emnist-${name}-mapping.txt`,
    );
  }
  if (options.raw) return { ...set, mapping };
  return { ...transposeImages(set), mapping };
}

/** Reads an `emnist-<name>-mapping.txt` file; see {@linkcode parseEmnistMapping}. */
export async function readEmnistMapping(path: string): Promise<EmnistMapping> {
  const bytes = await readFileLimited(path, { maxBytes: 1 << 20, what: "EMNIST mapping" });
  return parseEmnistMapping(new TextDecoder().decode(bytes), { source: path });
}

/**
 * Parses an EMNIST mapping: per line a class index and one or more decimal
 * character codes, separated by spaces. Throws {@linkcode FormatError} naming
 * the line for anything else or for a repeated index.
 */
export function parseEmnistMapping(text: string, options: { source?: string } = {}): EmnistMapping {
  const source = options.source ?? "EMNIST mapping";
  const mapping = new Map<number, EmnistClass>();
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === "") return;
    const numbers = line.trim().split(/\s+/).map(Number);
    if (
      numbers.length < 2 || !numbers.every((n) => Number.isInteger(n) && n >= 0 && n <= 0x10ffff)
    ) {
      throw new FormatError(
        `${source}:${i + 1}: expected "<class index> <character code>...", found "${line}"`,
      );
    }
    const [index, ...codes] = numbers;
    if (mapping.has(index)) {
      throw new FormatError(`${source}:${i + 1}: class ${index} appears twice`);
    }
    mapping.set(index, { index, codes, chars: String.fromCodePoint(...codes) });
  });
  if (mapping.size === 0) throw new FormatError(`${source}: no classes`);
  return mapping;
}

/** Transposes every image (stored column-major by EMNIST) to row-major; rows and cols swap. */
function transposeImages(set: ImageLabelSet): ImageLabelSet {
  const { images, count, rows, cols } = set;
  const out = new Uint8Array(images.length);
  const size = rows * cols;
  for (let n = 0; n < count; n++) {
    const base = n * size;
    // Stored image s is rows×cols; the upright one is its transpose, cols×rows.
    for (let r = 0; r < cols; r++) {
      for (let c = 0; c < rows; c++) out[base + r * rows + c] = images[base + c * cols + r];
    }
  }
  return { ...set, images: out, rows: cols, cols: rows };
}
