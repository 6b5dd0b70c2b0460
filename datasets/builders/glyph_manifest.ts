/**
 * The part of a built data set's JSON manifest that every glyph set shares:
 * its sources, seed and options, the pool filtering, the writer table
 * (writer index → UNIPEN `contributor/WRITER_ID`) and, per split, its
 * writers and per-class counts (chosen and available) as arrays in the order
 * of `classes` (an object keyed by class name would put "0"–"9" first).
 *
 * @module
 */

import { classCounts, type GlyphSet, type GlyphSetSpec } from "./glyph_set.ts";
import { DEFAULT_MAX_ASPECT } from "./unipen_pool.ts";

/** A JSON-ready description of `set`, built from `spec`. */
export function describeGlyphSet<S extends string>(
  spec: GlyphSetSpec<S>,
  set: GlyphSet<S>,
): Record<string, unknown> {
  const splitNames = Object.keys(spec.shares) as S[];
  return {
    dataset: spec.what,
    builder: "Inkling datasets/builders",
    sources: {
      unipen: {
        release: "UNIPEN train_r01_v07 (International Unipen Foundation)",
        dir: spec.unipenDir,
        categories: spec.categories,
      },
      read: set.pool.read,
      droppedWiderThanMaxAspect: set.pool.droppedWide,
      droppedNoExtent: set.pool.droppedNoExtent,
    },
    seed: spec.seed,
    options: {
      perClass: spec.perClass,
      writerSplitShares: spec.shares,
      size: spec.size,
      margin: spec.margin,
      ink: spec.ink,
      penWidth: Object.fromEntries(
        splitNames.map((s) => [s, s === spec.trainSplit ? spec.penWidth : spec.evalPenWidth]),
      ),
      maxAspect: spec.maxAspect ?? DEFAULT_MAX_ASPECT,
      storage: "transposed: element c*size+r holds upright pixel (row r, column c)",
    },
    classes: spec.classNames,
    writers: set.split.writers,
    splits: Object.fromEntries(splitNames.map((s) => {
      const rendered = set.splits[s];
      return [s, {
        samples: rendered.classes.length,
        writers: set.split.splitWriters[s],
        perClass: classCounts(rendered, spec.classNames.length),
        available: set.split.available[s],
      }];
    })),
  };
}
