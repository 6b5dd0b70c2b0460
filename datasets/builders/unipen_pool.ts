/**
 * The pool a glyph data set is drawn from: the UNIPEN character samples whose
 * labels map to a class, minus the ones that cannot be a single character.
 *
 * UNIPEN's 1a–1c labels are noisy: some segments are whole cursive words or
 * a lone horizontal bar (an IBM "T" or "I" whose delayed stroke is missing).
 * Both are much wider than tall, so a sample whose stroke bounding box is
 * more than `maxAspect` (default 3) times as wide as it is high is dropped.
 * No isolated character of these classes is that wide (measured on
 * train_r01_v07: this drops 25 of 15,953 digits, 151 of 28,069 upper-case
 * and 259 of 61,360 lower-case samples, mostly from contributors ibm, mot,
 * apb and val). Samples whose pen-down points all lie on one spot (no
 * extent: the renderer would draw a lone dot) are dropped too: 3 digits, 5
 * upper-case and 37 lower-case samples, mostly from ibm and mot.
 *
 * @module
 */

import { InklingError } from "../../autograd/errors.ts";
import { missingDataHint, resolveDataDir } from "../data_dir.ts";
import { iterateUnipen } from "../unipen/reader.ts";
import { strokeBounds } from "../unipen/render_glyph.ts";

/** A usable character sample. */
export interface GlyphSample {
  /** Class index in the data set being built. */
  readonly classIndex: number;
  /** UNIPEN writer, `contributor/WRITER_ID`. */
  readonly writer: string;
  /** Pen-down strokes (x, y pairs, y down). */
  readonly strokes: readonly Float32Array[];
}

/** Options of {@linkcode collectGlyphSamples}. */
export interface CollectOptions {
  /** UNIPEN categories to read, e.g. `["1b", "1a"]`. */
  readonly categories: readonly string[];
  /** UNIPEN label → class index; other labels are skipped. */
  readonly classOf: ReadonlyMap<string, number>;
  /** Drop samples wider than this many times their height (default 3). */
  readonly maxAspect?: number;
}

/** What was read and what was dropped, per category. */
export interface PoolReport {
  /** Samples with a wanted label, per category. */
  readonly read: Record<string, number>;
  /** Samples dropped for being more than `maxAspect` times wider than high. */
  readonly droppedWide: Record<string, number>;
  /** Samples dropped for having no pen-down point or all of them on one spot. */
  readonly droppedNoExtent: Record<string, number>;
}

/** Folder of the UNIPEN release under the data directory. */
export const UNIPEN_FOLDER = "unipen-train_r01_v07";

/**
 * The UNIPEN folder: `<data dir>/unipen-train_r01_v07`, the data directory
 * coming from `dataDir`, else `$INKLING_DATA_DIR`, else `../shared/data`.
 */
export async function resolveUnipenDir(options: { dataDir?: string } = {}): Promise<string> {
  const dir = `${await resolveDataDir(options)}/${UNIPEN_FOLDER}`;
  const info = await Deno.stat(`${dir}/data`).catch(() => undefined);
  if (!info?.isDirectory) {
    throw new InklingError(
      `${dir}: no UNIPEN data (data/1a, 1b, 1c); ${missingDataHint("unipen")}`,
    );
  }
  return dir;
}

/** Default bound on a sample's width / height. */
export const DEFAULT_MAX_ASPECT = 3;

/** Reads the wanted UNIPEN samples of `unipenDir` (in the reader's deterministic order) and filters them. */
export async function collectGlyphSamples(
  unipenDir: string,
  options: CollectOptions,
): Promise<{ samples: GlyphSample[]; report: PoolReport }> {
  const maxAspect = options.maxAspect ?? DEFAULT_MAX_ASPECT;
  const samples: GlyphSample[] = [];
  const report: PoolReport = { read: {}, droppedWide: {}, droppedNoExtent: {} };
  for (const category of options.categories) {
    report.read[category] = report.droppedWide[category] = report.droppedNoExtent[category] = 0;
  }
  const unipen = iterateUnipen(unipenDir, {
    categories: options.categories,
    labels: options.classOf.keys(),
  });
  for await (const sample of unipen) {
    report.read[sample.category]++;
    const box = strokeBox(sample.strokes);
    if (box === undefined || (box.width === 0 && box.height === 0)) {
      report.droppedNoExtent[sample.category]++;
    } else if (box.width > maxAspect * box.height) {
      report.droppedWide[sample.category]++;
    } else {
      samples.push({
        classIndex: options.classOf.get(sample.label)!,
        writer: sample.writer,
        strokes: sample.strokes,
      });
    }
  }
  return { samples, report };
}

/** Width and height of the strokes' bounding box; undefined when there is no point. */
function strokeBox(
  strokes: readonly Float32Array[],
): { width: number; height: number } | undefined {
  const { minX, minY, maxX, maxY } = strokeBounds(strokes);
  return minX === Infinity ? undefined : { width: maxX - minX, height: maxY - minY };
}
