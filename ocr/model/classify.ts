/**
 * Running the character classifier over crops: class probabilities for all
 * crops (in batches small enough that a page of many characters, or a large
 * network, never needs gigabytes of activations at once), and the most likely
 * classes of one crop.
 *
 * @module
 */

import { allocate, noGrad, ShapeError, softmax, Tensor } from "../../autograd/mod.ts";
import { forwardFloatsPerGlyph } from "../../models/mod.ts";
import type { OcrModel } from "./load.ts";

/**
 * Floats one forward pass may allocate (256 MB of float32). The default model
 * needs about 350 000 per crop, so up to ~190 crops go at once: every sample
 * photo (at most 115 characters) is one batch.
 */
const BATCH_FLOATS = 64 * 1024 * 1024;

/** A class and its probability. */
export interface ClassGuess {
  /** The class name (one character). */
  char: string;
  /** Its probability. */
  p: number;
}

/**
 * Class probabilities `[N, classes]` (rows sum to 1) for crops `[N, size²]`
 * in NIST36 storage (see `OcrModel.crop`), computed in evaluation mode
 * without the tape.
 */
export function classify(model: OcrModel, crops: Tensor): Tensor {
  if (crops.ndim !== 2) {
    throw new ShapeError(`classify: expected crops [N, size²], got [${crops.shape.join(", ")}]`);
  }
  model.network.eval();
  const forward = (rows: Tensor) => noGrad(() => softmax(model.network.forward(rows)));
  const [count, width] = crops.shape;
  const batch = Math.max(1, Math.floor(BATCH_FLOATS / forwardFloatsPerGlyph(model.architecture)));
  if (count <= batch) return forward(crops);
  let out: Tensor | undefined;
  for (let start = 0; start < count; start += batch) {
    const end = Math.min(count, start + batch);
    const rows = crops.data.subarray(start * width, end * width);
    const probs = forward(new Tensor(rows, [end - start, width]));
    const classes = probs.shape[1];
    out ??= new Tensor(allocate(probs.dtype, count * classes), [count, classes]);
    out.data.set(probs.data, start * classes);
  }
  return out!;
}

/** The `k` most likely classes of row `row` of `probs`, most likely first. */
export function topClasses(
  probs: Tensor,
  row: number,
  options: { classes: string; k?: number },
): ClassGuess[] {
  const count = probs.shape[1];
  const values = probs.data.subarray(row * count, (row + 1) * count);
  return Array.from(values, (p, i) => ({ char: options.classes[i], p }))
    .sort((a, b) => b.p - a.p)
    .slice(0, options.k ?? 3);
}

/**
 * Merges the classes that differ only in case (EMNIST Balanced keeps a b d
 * e f g h n q r t apart from their capitals): their probabilities are added
 * and every class is named by its upper-case letter, so OCR prints upper-case
 * text and its word context sees one class per letter. Without lower-case
 * classes `probs` and `classes` come back as they are.
 */
export function foldCase(probs: Tensor, classes: string): { probs: Tensor; classes: string } {
  const upper = [...classes].map((c) => c.toUpperCase());
  if (upper.join("") === classes) return { probs, classes };
  const folded = [...new Set(upper)];
  const column = upper.map((c) => folded.indexOf(c));
  const [count, width] = probs.shape;
  const out = new Tensor(allocate(probs.dtype, count * folded.length), [count, folded.length]);
  for (let n = 0; n < count; n++) {
    for (let k = 0; k < width; k++) {
      out.data[n * folded.length + column[k]] += probs.data[n * width + k];
    }
  }
  return { probs: out, classes: folded.join("") };
}
