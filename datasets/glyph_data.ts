/**
 * The character sets a classifier trains on, in one shape: NIST36 (the
 * assignment's MAT-files, or the UNIPEN-built set), MNIST (LeCun's IDX
 * files) and the 47 classes of EMNIST Balanced (real IDX files, or the
 * UNIPEN-built look-alike, built on first use). Every set comes as rows of
 * `size²` values in NIST36's convention — dark ink on white in [0, 1], each
 * glyph stored transposed (column by column) — so one network, one
 * augmentation and OCR's crops fit them all. Validation is cut from the
 * training files when they have none: writer-disjoint where the files name
 * writers, a seeded random subset otherwise. The test split is only read.
 *
 * @module
 */

import { InklingError } from "../autograd/errors.ts";
import { Rng } from "../autograd/rng.ts";
import { Tensor } from "../autograd/tensor.ts";
import { readIdx } from "../formats/idx/reader.ts";
import {
  buildEmnistBalanced,
  EMNIST_BALANCED_CLASSES,
  EMNIST_BALANCED_MANIFEST,
} from "./builders/emnist_balanced_builder.ts";
import { resolveUnipenDir } from "./builders/unipen_pool.ts";
import { resolveCacheDir, resolveDataDir } from "./data_dir.ts";
import { readEmnist } from "./emnist.ts";
import { type ImageLabelSet, readMnist } from "./mnist.ts";
import { NIST36_CLASSES, NIST36_SIZE } from "./nist36.ts";
import {
  describeNist36Source,
  loadNist36Source,
  type Nist36Data,
  type Nist36Samples,
} from "./nist36_source.ts";

/** The data sets `loadGlyphData` knows. */
export const GLYPH_DATASETS = ["nist36", "mnist", "emnist-balanced"] as const;

/** One of {@linkcode GLYPH_DATASETS}. */
export type GlyphDatasetName = typeof GLYPH_DATASETS[number];

/** How a data set's glyphs look: side, class names, and the margin and pen they are drawn with. */
export interface GlyphShape {
  /** Side of the square glyph. */
  size: number;
  /** Class names in label order. */
  classes: string;
  /** Paper around the glyph on its longer side, pixels (for OCR crops that match). */
  margin: number;
  /** Typical stroke width, pixels. */
  penWidth: number;
}

/**
 * Each data set's glyph shape (a user's EMNIST files must agree): NIST36
 * fits glyphs in 24 of 32 pixels with a 2.56-pixel pen, MNIST centres digits
 * in a 20-pixel box of 28, EMNIST crops to the ink plus 2 pixels.
 */
export const GLYPH_SHAPES: Readonly<Record<GlyphDatasetName, GlyphShape>> = Object.freeze({
  nist36: { size: NIST36_SIZE, classes: NIST36_CLASSES, margin: 4, penWidth: 2.56 },
  mnist: { size: 28, classes: "0123456789", margin: 4, penWidth: 2.24 },
  "emnist-balanced": { size: 28, classes: EMNIST_BALANCED_CLASSES, margin: 2, penWidth: 2.24 },
});

/** One split: glyph rows and their class indices. */
export interface GlyphSplit {
  /** Glyphs `[N, size²]` float32, dark ink on white in [0, 1], stored transposed. */
  readonly x: Tensor;
  /** Class index per glyph. */
  readonly labels: Int32Array;
  /** Writer index per glyph, where the files name writers. */
  readonly writers?: Int32Array;
}

/** A character data set, ready to train on. */
export interface GlyphData {
  /** Which set. */
  name: GlyphDatasetName;
  /** Its name for people: "NIST36", "MNIST", "EMNIST Balanced". */
  title: string;
  /** Class names in label order (one character each). */
  classes: string;
  /** Side of the square glyphs. */
  size: number;
  /** Margin and pen of the glyphs (see {@linkcode GlyphShape}). */
  crop: { margin: number; penWidth: number };
  /** Training split. */
  train: GlyphSplit;
  /** Validation split (for choosing the epoch). */
  valid: GlyphSplit;
  /** Test split (measured once, at the end). */
  test: GlyphSplit;
  /** Folder the files came from. */
  dir: string;
  /** One sentence on where the data came from, for reports. */
  note: string;
}

/** Options of {@linkcode loadGlyphData}. */
export interface GlyphDataOptions {
  /** A folder of the user's own files (NIST36 MAT-files, MNIST or EMNIST IDX files). */
  data?: string;
  /** Data directory holding `mnist/` and `unipen-train_r01_v07` (default: `resolveDataDir`). */
  dataDir?: string;
  /** Cache for built sets (default: `resolveCacheDir`). */
  cacheDir?: string;
  /** Which UNIPEN-built NIST36 set (default "balanced"). */
  samples?: Nist36Samples;
}

/** Training samples held out for validation when the files have no validation split. */
const VALID_FRACTION = 1 / 12;

/** Reads the data set `name`; see the module doc for where each comes from. */
export async function loadGlyphData(
  name: GlyphDatasetName,
  options: GlyphDataOptions = {},
): Promise<GlyphData> {
  if (name === "nist36") {
    return nist36GlyphData(await loadNist36Source({ ...options, nist36Dir: options.data }));
  }
  if (name === "mnist") {
    const dir = options.data ?? `${await resolveDataDir(options)}/mnist`;
    const [train, test] = await Promise.all([
      readMnist(dir, { split: "train" }),
      readMnist(dir, { split: "test" }),
    ]);
    const split = randomHoldOut(glyphSplit(train, { upright: true }));
    return {
      name,
      title: "MNIST",
      classes: "0123456789",
      size: train.rows,
      crop: cropOf("mnist"),
      ...split,
      test: glyphSplit(test, { upright: true }),
      dir,
      note: `MNIST from ${dir}; validation: a seeded random ${split.valid.labels.length} of the ` +
        `${train.count} training images.`,
    };
  }
  if (name === "emnist-balanced") return await loadEmnistBalanced(options);
  throw new InklingError(`unknown data set "${name}" (known: ${GLYPH_DATASETS.join(", ")})`);
}

/** NIST36 splits (from `loadNist36Source`) as a {@linkcode GlyphData}. */
export function nist36GlyphData(data: Nist36Data): GlyphData {
  return {
    name: "nist36",
    title: "NIST36",
    classes: NIST36_CLASSES,
    size: NIST36_SIZE,
    crop: cropOf("nist36"),
    train: data.train,
    valid: data.valid,
    test: data.test,
    dir: data.dir,
    note: describeNist36Source(data),
  };
}

async function loadEmnistBalanced(options: GlyphDataOptions): Promise<GlyphData> {
  const name = "emnist-balanced";
  if (options.data) {
    const dir = options.data;
    const [train, test] = await Promise.all([
      readEmnist(dir, "balanced", { split: "train", raw: true }),
      readEmnist(dir, "balanced", { split: "test", raw: true }),
    ]);
    const classes = [...train.mapping.values()].map((c) => c.chars[0]).join("");
    const split = randomHoldOut(glyphSplit(train, { upright: false }));
    return {
      name,
      title: "EMNIST Balanced",
      classes,
      size: train.rows,
      crop: cropOf("emnist-balanced"),
      ...split,
      test: glyphSplit(test, { upright: false }),
      dir,
      note: `EMNIST Balanced IDX files from ${dir}; validation: a seeded random ` +
        `${split.valid.labels.length} of the ${train.count} training images.`,
    };
  }
  const dir = `${await resolveCacheDir(options)}/${name}`;
  if (!await isCurrentEmnistBuild(dir)) {
    await buildEmnistBalanced({ unipenDir: await resolveUnipenDir(options), outDir: dir, seed: 0 });
  }
  const [train, test] = await Promise.all([
    readEmnist(dir, "balanced", { split: "train", raw: true }),
    readEmnist(dir, "balanced", { split: "test", raw: true }),
  ]);
  const writers = await readIdx(`${dir}/emnist-balanced-train-writers-idx1-int.gz`);
  const split = writerHoldOut({
    ...glyphSplit(train, { upright: false }),
    writers: Int32Array.from(writers.data),
  });
  return {
    name,
    title: "EMNIST Balanced",
    classes: EMNIST_BALANCED_CLASSES,
    size: train.rows,
    crop: cropOf("emnist-balanced"),
    ...split,
    test: glyphSplit(test, { upright: false }),
    dir,
    note: `UNIPEN-built EMNIST-Balanced-format set (47 classes, writer-disjoint splits) from ` +
      `${dir}; validation: the ${split.valid.labels.length} training glyphs of a seeded random ` +
      `twelfth of the training writers.`,
  };
}

/**
 * Whether `dir` holds a built 47-class set to use: one is there, and it is
 * not the 500-per-class default of earlier versions, which the current
 * default (every training sample) supersedes. Sets built with other
 * options on purpose are used as they are.
 */
async function isCurrentEmnistBuild(dir: string): Promise<boolean> {
  try {
    const manifest = JSON.parse(await Deno.readTextFile(`${dir}/${EMNIST_BALANCED_MANIFEST}`));
    return JSON.stringify(manifest?.options?.perClass) !== SUPERSEDED_EMNIST_PER_CLASS;
  } catch {
    return false;
  }
}

/** The training/test glyphs per class of 47-class sets built before every sample was used. */
const SUPERSEDED_EMNIST_PER_CLASS = JSON.stringify({ train: 500, test: 100 });

function cropOf(name: GlyphDatasetName): GlyphData["crop"] {
  const { margin, penWidth } = GLYPH_SHAPES[name];
  return { margin, penWidth };
}

/**
 * IDX images (white ink on black, 0–255) as NIST36-convention rows: inverted
 * to dark ink on white in [0, 1] and stored transposed — MNIST's upright
 * images are transposed here, EMNIST's already are.
 */
function glyphSplit(set: ImageLabelSet, options: { upright: boolean }): GlyphSplit {
  const { images, count, rows, cols } = set;
  if (rows !== cols) {
    throw new InklingError(`glyphs must be square; these images are ${rows}×${cols}`);
  }
  const x = new Float32Array(images.length);
  const size = rows * cols;
  for (let n = 0; n < count; n++) {
    const base = n * size;
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const from = base + (options.upright ? c * cols + r : r * cols + c);
        x[base + r * cols + c] = 1 - images[from] / 255;
      }
    }
  }
  return { x: new Tensor(x, [count, size]), labels: Int32Array.from(set.labels) };
}

/** Splits rows into train and valid by a boolean per row. */
function partition(split: GlyphSplit, held: Uint8Array): { train: GlyphSplit; valid: GlyphSplit } {
  const pick = (want: number) => {
    const rows: number[] = [];
    held.forEach((h, i) => h === want && rows.push(i));
    const width = split.x.shape[1];
    const x = new Float32Array(rows.length * width);
    rows.forEach((r, i) =>
      x.set((split.x.data as Float32Array).subarray(r * width, (r + 1) * width), i * width)
    );
    const labels = Int32Array.from(rows, (r) => split.labels[r]);
    const writers = split.writers && Int32Array.from(rows, (r) => split.writers![r]);
    return { x: new Tensor(x, [rows.length, width]), labels, ...(writers ? { writers } : {}) };
  };
  return { train: pick(0), valid: pick(1) };
}

/** A seeded random twelfth of the rows as validation (seed 0: every run holds out the same rows). */
function randomHoldOut(split: GlyphSplit): { train: GlyphSplit; valid: GlyphSplit } {
  const count = split.labels.length;
  const held = new Uint8Array(count);
  const order = new Rng(0).permutation(count);
  for (let i = 0; i < Math.round(count * VALID_FRACTION); i++) held[order[i]] = 1;
  return partition(split, held);
}

/** The rows of a seeded random twelfth of the writers as validation. */
function writerHoldOut(split: GlyphSplit): { train: GlyphSplit; valid: GlyphSplit } {
  const writers = split.writers!;
  if (writers.length !== split.labels.length) {
    throw new InklingError(`${writers.length} writer ids for ${split.labels.length} glyphs`);
  }
  const ids = [...new Set(writers)].sort((a, b) => a - b);
  const order = new Rng(0).permutation(ids.length);
  const chosen = new Set<number>();
  for (let i = 0; i < Math.max(1, Math.round(ids.length * VALID_FRACTION)); i++) {
    chosen.add(ids[order[i]]);
  }
  return partition(split, Uint8Array.from(writers, (w) => (chosen.has(w) ? 1 : 0)));
}

/**
 * The first `samples` training glyphs and the first fifth as many validation
 * and test glyphs: a quick run (a smoke test, CI) on a slice of a set.
 */
export function sliceGlyphData(data: GlyphData, samples: number): GlyphData {
  const first = (split: GlyphSplit, n: number): GlyphSplit => {
    const count = Math.min(n, split.labels.length);
    const width = split.x.shape[1];
    const x = new Tensor((split.x.data as Float32Array).slice(0, count * width), [count, width]);
    const writers = split.writers?.slice(0, count);
    return { x, labels: split.labels.slice(0, count), ...(writers ? { writers } : {}) };
  };
  const held = Math.max(1, Math.ceil(samples / 5));
  const train = first(data.train, samples);
  return {
    ...data,
    train,
    valid: first(data.valid, held),
    test: first(data.test, held),
    note: `${data.note} Sliced for a quick run: the first ${train.labels.length} training, ` +
      `${Math.min(held, data.valid.labels.length)} validation and ` +
      `${Math.min(held, data.test.labels.length)} test glyphs.`,
  };
}
