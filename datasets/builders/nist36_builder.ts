/**
 * Builds a NIST36 look-alike from UNIPEN on-line handwriting: the 36 classes
 * A–Z (UNIPEN 1b) and 0–9 (1a), rendered 32×32 with black ink (0) on white
 * (1), each glyph stored transposed, written as `nist36_train.mat`,
 * `nist36_valid.mat` and `nist36_test.mat` with the assignment's variable
 * names (`<split>_data` N×1024, `<split>_labels` N×36 one-hot) plus
 * `<split>_writers` (N×1 int32 writer index), and `nist36_manifest.json`.
 *
 * Values are stored as **single** (float32), zlib-compressed like MATLAB's
 * `-v7`: the renderer computes float32, so doubles would only double the
 * size; `scipy.io.loadmat` and {@linkcode loadNist36} read either.
 *
 * Splits are writer-disjoint; by default 300 / 100 / 50 glyphs per class
 * (10,800 / 3,600 / 1,800, as the original). Training glyphs get a random pen
 * width in [1.92, 3.84] px (0.75–1.5 × the renderer's default 2.56 px), since
 * photographed handwriting varies in stroke width; validation and test
 * glyphs use 2.56 px. The same seed gives the same bytes.
 *
 * @module
 */

import { encodeMat } from "../../formats/mat/writer.ts";
import { NIST36_CLASSES, NIST36_SIZE, NIST36_SPLITS, type Nist36SplitName } from "../nist36.ts";
import { describeGlyphSet } from "./glyph_manifest.ts";
import {
  buildGlyphSet,
  type GlyphSetSpec,
  type PenWidth,
  type RenderedSplit,
} from "./glyph_set.ts";
import {
  type BuiltDataset,
  type OutputFile,
  resolveOutputDir,
  writeWithManifest,
} from "./output.ts";
import { resolveUnipenDir } from "./unipen_pool.ts";

/** Options of {@linkcode buildNist36}. */
export interface BuildNist36Options {
  /** UNIPEN `train_r01_v07` folder (default `<data dir>/unipen-train_r01_v07`). */
  unipenDir?: string;
  /** Output folder (default `<cache dir>/nist36`; never inside a git work tree). */
  outDir?: string;
  /** Seed of the writer split, the sampling and the pen widths (default 0). */
  seed?: number;
  /** Glyphs per class and split (default 300 / 100 / 50), or `"all"` (unbalanced, every usable sample). */
  perClass?: Readonly<Record<Nist36SplitName, number>> | "all";
  /** Pen width of training glyphs in pixels (default the range `[1.92, 3.84]`). */
  penWidth?: PenWidth;
  /** Pen width of validation and test glyphs in pixels (default 2.56). */
  evalPenWidth?: number;
  /** Drop samples wider than this many times their height (default 3). */
  maxAspect?: number;
}

/** Default glyphs per class: the original NIST36 sizes 10,800 / 3,600 / 1,800. */
export const NIST36_PER_CLASS: Readonly<Record<Nist36SplitName, number>> = {
  train: 300,
  valid: 100,
  test: 50,
};

/** The renderer's default pen width at 32×32 (0.08 × size). */
const DEFAULT_PEN = 0.08 * NIST36_SIZE;

/** Name of the manifest written beside the MAT-files. */
export const NIST36_MANIFEST = "nist36_manifest.json";

/** Builds the three NIST36 MAT-files and the manifest; see the module doc. */
export async function buildNist36(
  options: BuildNist36Options = {},
): Promise<BuiltDataset<Nist36SplitName>> {
  const perClass = options.perClass ?? NIST36_PER_CLASS;
  const classNames = [...NIST36_CLASSES];
  const spec: GlyphSetSpec<Nist36SplitName> = {
    what: "nist36",
    unipenDir: options.unipenDir ?? await resolveUnipenDir(),
    categories: ["1b", "1a"],
    classNames,
    classOf: new Map(classNames.map((name, i) => [name, i])),
    shares: inSplitOrder(perClass === "all" ? NIST36_PER_CLASS : perClass),
    perClass,
    seed: options.seed ?? 0,
    size: NIST36_SIZE,
    margin: NIST36_SIZE / 8,
    ink: "black",
    trainSplit: "train",
    penWidth: options.penWidth ?? [0.75 * DEFAULT_PEN, 1.5 * DEFAULT_PEN],
    evalPenWidth: options.evalPenWidth ?? DEFAULT_PEN,
    maxAspect: options.maxAspect,
  };
  const outDir = await resolveOutputDir(options.outDir, "nist36");
  const set = await buildGlyphSet(spec);
  const files: OutputFile[] = [];
  for (const split of NIST36_SPLITS) {
    files.push({ name: `nist36_${split}.mat`, bytes: await encodeSplit(split, set.splits[split]) });
  }
  const written = await writeWithManifest(outDir, files, {
    name: NIST36_MANIFEST,
    body: {
      ...describeGlyphSet(spec, set),
      format: "MAT v5 (zlib-compressed), per split <split>_data N×1024 single in [0,1] " +
        "(32×32 glyph stored transposed: reshape(32,32)' is upright; ink 0, background 1), " +
        "<split>_labels N×36 single one-hot (classes A–Z then 0–9), " +
        "<split>_writers N×1 int32 index into 'writers'",
    },
  });
  return {
    outDir,
    manifestPath: `${outDir}/${NIST36_MANIFEST}`,
    files: written,
    samples: {
      train: set.splits.train.classes.length,
      valid: set.splits.valid.classes.length,
      test: set.splits.test.classes.length,
    },
  };
}

/** The same record with keys in split order (the writer split deals in key order). */
function inSplitOrder(
  values: Readonly<Record<Nist36SplitName, number>>,
): Record<Nist36SplitName, number> {
  return Object.fromEntries(NIST36_SPLITS.map((s) => [s, values[s]])) as Record<
    Nist36SplitName,
    number
  >;
}

async function encodeSplit(split: Nist36SplitName, rendered: RenderedSplit): Promise<Uint8Array> {
  const n = rendered.classes.length;
  const classes = NIST36_CLASSES.length;
  const oneHot = new Float32Array(n * classes);
  rendered.classes.forEach((c, i) => oneHot[i * classes + c] = 1);
  return await encodeMat({
    [`${split}_data`]: { shape: [n, NIST36_SIZE * NIST36_SIZE], data: rendered.images },
    [`${split}_labels`]: { shape: [n, classes], data: oneHot },
    [`${split}_writers`]: { shape: [n, 1], data: rendered.writers },
  }, { compress: true });
}
