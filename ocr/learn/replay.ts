/**
 * Generic glyphs to replay while learning one writer's hand: the training
 * split of the UNIPEN-built NIST36 set the default model was trained on
 * (every usable sample, writer split seed 0; `--preset ocr-default`), read
 * from the cache where training left it. Replay is only worth having when
 * it is cheap, so nothing is built here: without the cached set, or for a
 * model whose glyphs look different (another size or margin), there is no
 * replay and the pull toward the original weights alone holds the model in
 * place.
 *
 * @module
 */

import { gatherRows } from "../../autograd/mod.ts";
import { resolveCacheDir } from "../../datasets/data_dir.ts";
import { NIST36_MANIFEST } from "../../datasets/builders/mod.ts";
import { loadNist36, NIST36_CLASSES, NIST36_SIZE } from "../../datasets/nist36.ts";
import { defaultCrop } from "../../models/classifier.ts";
import type { OcrModel } from "../model/load.ts";
import type { Glyphs } from "./adapt.ts";
import { classIndexOf } from "./match_boxes.ts";

/** Where the default model's training glyphs are kept, under the cache directory. */
export const REPLAY_FOLDER = "nist36_all_seed0";

/** What {@linkcode loadReplayGlyphs} found. */
export interface ReplayGlyphs {
  /** The glyphs, labelled with the model's class indices; undefined when there are none. */
  glyphs?: Glyphs;
  /** Where they came from, or why there are none, for people. */
  note: string;
}

/**
 * The cached training glyphs of the default model, relabelled with
 * `model`'s classes (classes it lacks are left out), when the cache holds
 * them and `model` crops glyphs as they were drawn (NIST36's size and margin).
 */
export async function loadReplayGlyphs(
  model: OcrModel,
  options: { cacheDir?: string } = {},
): Promise<ReplayGlyphs> {
  const usual = defaultCrop(NIST36_SIZE);
  if (model.crop.size !== NIST36_SIZE || model.crop.margin !== usual.margin) {
    return { note: "no replay: the model's glyphs are not NIST36-sized" };
  }
  const dir = `${await resolveCacheDir(options)}/${REPLAY_FOLDER}`;
  const cached = await Deno.stat(`${dir}/${NIST36_MANIFEST}`).then(() => true, () => false);
  if (!cached) {
    return {
      note: `no replay: ${dir} is not built (\`deno task train --preset ocr-default\` builds it)`,
    };
  }
  const { train } = await loadNist36(dir, { splits: ["train"] });
  const classOf = [...NIST36_CLASSES].map((c) => classIndexOf(c, model.classes));
  const rows = Int32Array.from(train.labels.keys()).filter((i) => classOf[train.labels[i]] >= 0);
  const labels = Int32Array.from(rows, (row) => classOf[train.labels[row]]);
  return {
    glyphs: {
      x: rows.length === train.labels.length ? train.x : gatherRows(train.x, rows),
      labels,
    },
    note: `replaying generic glyphs from ${rows.length} training glyphs in ${dir}`,
  };
}
