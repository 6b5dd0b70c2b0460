/**
 * Learning a user's handwriting: read each page they wrote with the OCR
 * pipeline, pair its characters with the true text ({@linkcode matchBoxes}),
 * fine-tune the classifier on those crops ({@linkcode adaptNetwork}) and
 * keep the result as a checkpoint OCR loads like any other (same
 * architecture and crop metadata, plus a `learned` record of what it was
 * adapted from).
 *
 * @example
 * ```ts
 * import { learnHandwriting, saveLearnedModel } from "./mod.ts";
 * const learned = await learnHandwriting([
 *   { image: "page1.jpg", truth: await Deno.readTextFile("page1.txt") },
 * ]);
 * await saveLearnedModel("my_model.safetensors", learned);
 * ```
 *
 * @module
 */

import { concat, InklingError } from "../../autograd/mod.ts";
import { type ByteSource, readByteSource, sourceName } from "../../formats/byte_source.ts";
import { decodeCheckpoint, saveCheckpoint } from "../../layers/mod.ts";
import type { ImageSource } from "../image_input.ts";
import { DEFAULT_MODEL_URL, loadOcrModel, type OcrModel } from "../model/load.ts";
import {
  ADAPT_DEFAULTS,
  ADAPT_JITTER,
  adaptNetwork,
  type AdaptOptions,
  type AdaptResult,
  type Glyphs,
} from "./adapt.ts";
import { matchBoxes } from "./match_boxes.ts";
import { readPageCrops } from "./page_crops.ts";
import { loadReplayGlyphs } from "./replay.ts";

/** One page to learn from. */
export interface LearnPage {
  /** The photo: a path, URL, bytes, Blob or decoded image. */
  image: ImageSource;
  /** Its true text, one line per written line (spaces are ignored). */
  truth: string;
  /** The page's name in messages (default: the image's path or URL, else "page N"). */
  name?: string;
  /** The truth's name in messages (default: "the truth of NAME"). */
  truthName?: string;
}

/** Options of {@linkcode learnHandwriting}: the base model and the fine-tuning. */
export interface LearnOptions extends Omit<AdaptOptions, "size" | "replay" | "jitter"> {
  /** The checkpoint to start from (default: the committed model). */
  model?: ByteSource;
  /**
   * Generic glyphs to replay: given ones, `false` for none, or (default)
   * the base model's cached training glyphs when there are any
   * (see {@linkcode loadReplayGlyphs}).
   */
  replay?: Glyphs | false;
  /** Called once replay is settled, with where the glyphs came from or why there are none. */
  onReplay?: (note: string) => void;
}

/** A model adapted to a writer. */
export interface LearnedModel {
  /** The adapted model, ready for `readText`. */
  model: OcrModel;
  /** The checkpoint's `architecture` metadata: the base model's, plus a `learned` record. */
  architecture: Record<string, unknown>;
  /** How many characters it learned from. */
  characters: number;
  /** How the fine-tuning went. */
  adaptation: AdaptResult;
}

/** Largest checkpoint read as a base, as OCR's loader allows. */
const MAX_MODEL_BYTES = 256 * 1024 * 1024;

/**
 * Reads every page, pairs its characters with its truth (every page is
 * checked before any training, and a mismatch is a `TruthMismatchError`
 * naming the page and line), then fine-tunes the base model on all the
 * characters. The base file itself is never changed.
 */
export async function learnHandwriting(
  pages: readonly LearnPage[],
  options: LearnOptions = {},
): Promise<LearnedModel> {
  if (pages.length === 0) throw new InklingError("learnHandwriting: no pages to learn from");
  const base = await loadBase(options.model ?? DEFAULT_MODEL_URL);
  const { model } = base;
  const names = pages.map((page, i) => page.name ?? imageName(page.image) ?? `page ${i + 1}`);
  const crops = [];
  const labels = [];
  for (const [i, page] of pages.entries()) {
    const read = await readPageCrops(page.image, model, { name: names[i] });
    labels.push(
      matchBoxes(read, page.truth, { classes: model.classes, truthName: page.truthName }),
    );
    crops.push(read.crops);
  }
  const glyphs = {
    x: crops.length === 1 ? crops[0] : concat(crops, { axis: 0 }),
    labels: Int32Array.from(labels.flatMap((l) => [...l])),
  };
  if (glyphs.labels.length === 0) {
    throw new InklingError("learnHandwriting: the pages hold no characters to learn from");
  }
  let replay = options.replay === false ? undefined : options.replay;
  if (options.replay === undefined) {
    const found = await loadReplayGlyphs(model);
    replay = found.glyphs;
    options.onReplay?.(found.note);
  }
  const settings = {
    epochs: options.epochs ?? ADAPT_DEFAULTS.epochs,
    seed: options.seed ?? 0,
    lr: options.lr ?? ADAPT_DEFAULTS.lr,
    anchor: options.anchor ?? ADAPT_DEFAULTS.anchor,
  };
  const adaptation = adaptNetwork(model.network, glyphs, {
    ...settings,
    size: model.crop.size,
    replay,
    replayRatio: options.replayRatio,
    glyphsPerEpoch: options.glyphsPerEpoch,
    batchSize: options.batchSize,
    jitter: recipeJitter(base.architecture) ?? ADAPT_JITTER,
    onEpoch: options.onEpoch,
  });
  const learned = {
    base: options.model === undefined ? "default" : model.source,
    pages: names,
    characters: glyphs.labels.length,
    ...settings,
    replayed: adaptation.replayed,
  };
  return {
    model,
    architecture: { ...base.architecture, crop: model.crop, learned },
    characters: glyphs.labels.length,
    adaptation,
  };
}

/** Writes `learned` as a checkpoint at `path`, atomically (a temp file renamed into place). */
export async function saveLearnedModel(path: string, learned: LearnedModel): Promise<void> {
  await saveCheckpoint(path, { model: learned.model.network, architecture: learned.architecture });
}

/** The base model and its `architecture` metadata as the file has it. */
async function loadBase(
  source: ByteSource,
): Promise<{ model: OcrModel; architecture: Record<string, unknown> }> {
  const name = sourceName(source, "bytes");
  const bytes = await readByteSource(source, { maxBytes: MAX_MODEL_BYTES, what: "checkpoint" });
  // One read serves both: the loader checks the file and names it as the user gave it.
  const model = await loadOcrModel(new File([bytes as Uint8Array<ArrayBuffer>], name));
  const { architecture } = decodeCheckpoint(bytes, { source: name });
  return {
    model: { ...model, source: name },
    architecture: architecture as Record<string, unknown>,
  };
}

/** The jitter the base model was trained with, when its metadata records it. */
function recipeJitter(architecture: Record<string, unknown>): AdaptOptions["jitter"] {
  const jitter = architecture.jitter as Record<string, unknown> | undefined | null;
  const keys = ["maxShift", "maxScale", "maxRotation", "maxShear"] as const;
  if (!jitter || !keys.every((k) => typeof jitter[k] === "number" && jitter[k] >= 0)) {
    return undefined;
  }
  const [maxShift, maxScale, maxRotation, maxShear] = keys.map((k) => jitter[k] as number);
  return { maxShift, maxScale, maxRotation, maxShear };
}

function imageName(image: ImageSource): string | undefined {
  const named = typeof image === "string" || image instanceof URL || image instanceof Blob;
  return named ? sourceName(image, "image") : undefined;
}
