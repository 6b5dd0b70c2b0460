/**
 * The pipeline both data-set builders share: collect UNIPEN samples, split
 * them by writer, pick a class-balanced subset per split and render each
 * chosen sample as a square glyph in **transposed storage** (element
 * `c * size + r` holds upright pixel (r, c)), which is how both NIST36 and
 * EMNIST store their images. Training glyphs may be drawn with a random pen
 * width; the other splits use one fixed width, so evaluation is repeatable.
 *
 * @module
 */

import { InklingError } from "../../autograd/errors.ts";
import { Rng } from "../../autograd/rng.ts";
import { renderGlyph } from "../unipen/render_glyph.ts";
import { collectGlyphSamples, type PoolReport } from "./unipen_pool.ts";
import { type PerClass, splitByWriter, type WriterSplit } from "./writer_split.ts";

/** Pen width in pixels: one value, or a `[min, max]` range drawn per glyph. */
export type PenWidth = number | readonly [number, number];

/** Everything that defines a glyph set. */
export interface GlyphSetSpec<S extends string> {
  /** Data set name, for messages and the manifest. */
  readonly what: string;
  /** UNIPEN `train_r01_v07` folder. */
  readonly unipenDir: string;
  /** UNIPEN categories to read. */
  readonly categories: readonly string[];
  /** Name of each class, by index. */
  readonly classNames: readonly string[];
  /** UNIPEN label → class index. */
  readonly classOf: ReadonlyMap<string, number>;
  /** Relative split sizes, in split order. */
  readonly shares: Readonly<Record<S, number>>;
  /** Samples per class and split, or `"all"` (per split or for all). */
  readonly perClass: PerClass<S>;
  /** Seed of every random choice. */
  readonly seed: number;
  /** Image side in pixels. */
  readonly size: number;
  /** Pixels between the border and the glyph's centreline box. */
  readonly margin: number;
  /** `"black"` ink on white (NIST36) or `"white"` ink on black (EMNIST). */
  readonly ink: "black" | "white";
  /** The split drawn with `penWidth`; the others use `evalPenWidth`. */
  readonly trainSplit: S;
  /** Pen width of training glyphs. */
  readonly penWidth: PenWidth;
  /** Pen width of the other splits. */
  readonly evalPenWidth: number;
  /** Aspect-ratio filter of the pool (see `unipen_pool.ts`). */
  readonly maxAspect?: number;
}

/** One rendered split. */
export interface RenderedSplit {
  /** `count × size²` values in [0, 1], each glyph transposed. */
  readonly images: Float32Array;
  /** Class index per glyph. */
  readonly classes: Int32Array;
  /** Writer index per glyph (into {@linkcode WriterSplit.writers}). */
  readonly writers: Int32Array;
}

/** A built glyph set with what is needed to describe it. */
export interface GlyphSet<S extends string> {
  /** The rendered splits. */
  readonly splits: Readonly<Record<S, RenderedSplit>>;
  /** Writers, their splits and the per-class availability. */
  readonly split: WriterSplit<S>;
  /** What was read from UNIPEN and filtered out. */
  readonly pool: PoolReport;
}

// Rendering draws from its own stream so the choice of samples does not
// depend on how many pen widths were drawn.
const RENDER_STREAM = 0x5eed_91a5;

/** Runs the pipeline; errors name the data set and what is wrong. */
export async function buildGlyphSet<S extends string>(spec: GlyphSetSpec<S>): Promise<GlyphSet<S>> {
  checkNumbers(spec);
  const { samples, report } = await collectGlyphSamples(spec.unipenDir, spec);
  const split = splitByWriter(samples, {
    classes: spec.classNames.length,
    classNames: spec.classNames,
    shares: spec.shares,
    perClass: spec.perClass,
    seed: spec.seed,
    what: spec.what,
  });
  const writerIndex = new Map(split.writers.map((w, i) => [w, i]));
  const rng = new Rng((spec.seed ^ RENDER_STREAM) >>> 0);
  const pixels = spec.size * spec.size;
  const upright = new Float32Array(pixels);
  const splits = {} as Record<S, RenderedSplit>;
  for (const name of Object.keys(spec.shares) as S[]) {
    const chosen = split.chosen[name];
    const images = new Float32Array(chosen.length * pixels);
    const penWidth = name === spec.trainSplit ? spec.penWidth : spec.evalPenWidth;
    chosen.forEach((sampleIndex, n) => {
      renderGlyph(samples[sampleIndex].strokes, {
        size: spec.size,
        margin: spec.margin,
        penWidth,
        rng,
        ink: spec.ink,
        out: upright,
      });
      transposeInto(upright, images.subarray(n * pixels, (n + 1) * pixels), spec.size);
    });
    splits[name] = {
      images,
      classes: Int32Array.from(chosen, (i) => samples[i].classIndex),
      writers: Int32Array.from(chosen, (i) => writerIndex.get(samples[i].writer)!),
    };
  }
  return { splits, split, pool: report };
}

/** Samples per class in a rendered split. */
export function classCounts(split: RenderedSplit, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (const c of split.classes) counts[c]++;
  return counts;
}

function transposeInto(upright: Float32Array, out: Float32Array, size: number): void {
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) out[c * size + r] = upright[r * size + c];
  }
}

function checkNumbers<S extends string>(spec: GlyphSetSpec<S>): void {
  if (!Number.isInteger(spec.seed) || spec.seed < 0 || spec.seed >= 2 ** 32) {
    throw new InklingError(`${spec.what}: seed must be an integer in [0, 2^32), got ${spec.seed}`);
  }
  if (spec.perClass === "all") return;
  for (const split of Object.keys(spec.shares) as S[]) {
    const n: number | "all" = spec.perClass[split];
    if (n !== "all" && (!Number.isInteger(n) || n < 0)) {
      throw new InklingError(
        `${spec.what}: perClass.${split} must be an integer >= 0, got ${n}`,
      );
    }
  }
}
