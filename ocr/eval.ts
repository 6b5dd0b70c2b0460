/**
 * Scoring OCR against true text: the metrics (character and word error rate,
 * the assignment's no-space accuracy) and {@linkcode evaluateOcr}, which
 * reads every sample photo of the data directory's `images/` folder, scores
 * it against its `.txt` transcription, and can write a Markdown table and
 * one overlay per photo.
 *
 * @module
 */

import { InklingError } from "../autograd/errors.ts";
import { resolveDataDir } from "../datasets/data_dir.ts";
import type { ByteSource } from "../formats/byte_source.ts";
import { writeFileAtomic } from "../formats/files.ts";
import { markdownTable } from "../viz/markdown_table.ts";
import { readImage } from "./image_input.ts";
import type { OcrModel } from "./model/load.ts";
import { overlayPng } from "./model/read_overlay.ts";
import { readText, resolveModel } from "./read_text.ts";

/** Levenshtein distance: the fewest insertions, deletions and substitutions turning `a` into `b`. */
export function editDistance<T>(a: ArrayLike<T>, b: ArrayLike<T>): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitute = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(substitute, previous[j] + 1, current[j - 1] + 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/**
 * Character error rate: edit distance between the texts, spaces and
 * newlines included, over the length of the truth (1 when the truth is
 * empty and the prediction is not).
 */
export function characterErrorRate(predicted: string, truth: string): number {
  return rate(editDistance([...predicted], [...truth]), truth.length);
}

/** Word error rate: word-level edit distance over the number of true words (split on any space). */
export function wordErrorRate(predicted: string, truth: string): number {
  const words = (text: string) => text.split(/\s+/).filter((w) => w !== "");
  const trueWords = words(truth);
  return rate(editDistance(words(predicted), trueWords), trueWords.length);
}

/**
 * The assignment's score: the fraction of characters classified correctly,
 * comparing the texts with spaces and newlines removed position by position.
 * When the counts differ (a character missed or split), it falls back to
 * 1 − edit distance / true count, at least 0.
 */
export function noSpaceAccuracy(predicted: string, truth: string): number {
  const p = [...predicted.replace(/\s+/g, "")];
  const t = [...truth.replace(/\s+/g, "")];
  if (t.length === 0) return p.length === 0 ? 1 : 0;
  if (p.length !== t.length) return Math.max(0, 1 - editDistance(p, t) / t.length);
  return p.filter((c, i) => c === t[i]).length / t.length;
}

function rate(errors: number, length: number): number {
  return length === 0 ? (errors === 0 ? 0 : 1) : errors / length;
}

/** The scores of one photo. */
export interface ImageScore {
  /** File name without extension, e.g. `04_deep`. */
  name: string;
  /** Character error rate. */
  cer: number;
  /** Word error rate. */
  wer: number;
  /** No-space accuracy. */
  noSpaceAccuracy: number;
  /** The text read. */
  predicted: string;
  /** The true text. */
  truth: string;
}

/** What {@linkcode evaluateOcr} measured. */
export interface OcrEvaluation {
  /** One score per photo, by name. */
  images: ImageScore[];
  /** The means over the photos. */
  mean: { cer: number; wer: number; noSpaceAccuracy: number };
  /** Markdown table of the per-photo and mean scores. */
  table: string;
}

/** Options of {@linkcode evaluateOcr}. */
export interface EvaluateOcrOptions {
  /** Data directory holding `images/` (default: `resolveDataDir`). */
  dataDir?: string;
  /** Model or checkpoint path (default: the committed model). */
  model?: OcrModel | ByteSource;
  /** Apply word context (default true). */
  context?: boolean;
  /** Write `ocr_eval.md` and `<name>_overlay.png` per photo here. */
  outDir?: string;
}

/** Reads and scores every `images/*.jpg|png` that has a `.txt` beside it. */
export async function evaluateOcr(options: EvaluateOcrOptions = {}): Promise<OcrEvaluation> {
  const folder = `${await resolveDataDir({ dataDir: options.dataDir })}/images`;
  const entries = await Array.fromAsync(Deno.readDir(folder)).catch((error) => {
    throw new InklingError(
      `${folder}: cannot list the sample photos (${error.message}); point --data-dir or ` +
        "INKLING_DATA_DIR at a data directory whose images/ holds the photos and their .txt files",
    );
  });
  const names: string[] = [];
  for (const entry of entries) {
    const match = entry.isFile && /^(.+)\.(jpe?g|png)$/i.exec(entry.name);
    if (match && await exists(`${folder}/${match[1]}.txt`)) names.push(entry.name);
  }
  if (names.length === 0) {
    throw new InklingError(`${folder}: no photos with a .txt transcription beside them`);
  }
  names.sort();
  const model = await resolveModel(options.model);
  if (options.outDir) await Deno.mkdir(options.outDir, { recursive: true });
  const images: ImageScore[] = [];
  for (const file of names) {
    const name = file.replace(/\.[^.]+$/, "");
    const truth = (await Deno.readTextFile(`${folder}/${name}.txt`)).replace(/\r\n?/g, "\n")
      .trimEnd();
    const path = `${folder}/${file}`;
    const image = await readImage(path);
    const result = await readText(image, { model, context: options.context, name: path });
    images.push({
      name,
      cer: characterErrorRate(result.text, truth),
      wer: wordErrorRate(result.text, truth),
      noSpaceAccuracy: noSpaceAccuracy(result.text, truth),
      predicted: result.text,
      truth,
    });
    if (options.outDir) {
      const overlay = await overlayPng(image, result);
      await writeFileAtomic(`${options.outDir}/${name}_overlay.png`, overlay);
    }
  }
  const average = (pick: (s: ImageScore) => number) =>
    images.reduce((sum, s) => sum + pick(s), 0) / images.length;
  const mean = {
    cer: average((s) => s.cer),
    wer: average((s) => s.wer),
    noSpaceAccuracy: average((s) => s.noSpaceAccuracy),
  };
  const percent = (v: number) => `${(100 * v).toFixed(1)}%`;
  const row = (name: string, s: { cer: number; wer: number; noSpaceAccuracy: number }) => [
    name,
    percent(s.cer),
    percent(s.wer),
    percent(s.noSpaceAccuracy),
  ];
  const table = markdownTable(
    [...images.map((s) => row(s.name, s)), row("mean", mean)],
    ["image", "character error rate", "word error rate", "no-space accuracy"],
  );
  if (options.outDir) {
    await writeFileAtomic(`${options.outDir}/ocr_eval.md`, new TextEncoder().encode(table));
  }
  return { images, mean, table };
}

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then((info) => info.isFile, () => false);
}
