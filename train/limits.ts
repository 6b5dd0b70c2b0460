/**
 * The bounds of a training run, checked before any work: every count a user
 * can set has a range, and the memory the run would need (weights, optimizer
 * state, a batch's activations and their gradients) is estimated from the
 * settings and refused above a budget. A typo such as `--hidden 1e9` or
 * `--batch-size 0` therefore ends in one clear line instead of an endless
 * loop or an out-of-memory crash minutes later.
 *
 * @module
 */

import { InklingError } from "../autograd/errors.ts";
import type { GlyphShape } from "../datasets/glyph_data.ts";
import type { TrainSettings } from "./settings.ts";

/** A whole-number setting's range, inclusive. */
export interface CountRange {
  /** Smallest value. */
  min: number;
  /** Largest value. */
  max: number;
}

/**
 * Ranges of the count settings. Generous for 32 × 32 glyphs (the default
 * MLP has 64 hidden units, the OCR CNN 128 and channels 32-64-64) yet small
 * enough that no single setting can exhaust memory or run for days.
 */
export const COUNT_LIMITS: Readonly<
  Record<"hidden" | "channels" | "epochs" | "batchSize" | "shift" | "seed", CountRange>
> = Object.freeze({
  hidden: { min: 1, max: 4096 },
  channels: { min: 1, max: 512 },
  epochs: { min: 1, max: 1000 },
  batchSize: { min: 1, max: 4096 },
  shift: { min: 0, max: 8 },
  seed: { min: 0, max: 2 ** 32 - 1 },
});

/** Largest learning rate accepted; far past any rate that still trains. */
export const MAX_LR = 1e6;

/** Memory a run may plan to use, bytes (the estimate below is rough, so keep a margin). */
export const TRAINING_MEMORY_BUDGET = 2 * 2 ** 30;

/**
 * Rough bytes a run needs at its peak: float32 weights with gradient and two
 * optimizer buffers (Adam's), and per sample of a batch each layer's output
 * three times over (value, gradient, a saved copy), batch normalisation's
 * three more, plus the 3 × 3 convolutions' unfolded inputs.
 */
export function trainingBytes(
  settings: TrainSettings,
  shape: Pick<GlyphShape, "size" | "classes">,
): number {
  const classes = shape.classes.length;
  let weights = 0;
  let perSample = shape.size * shape.size;
  let features = perSample;
  if (settings.model === "cnn") {
    let from = 1;
    let side = shape.size;
    // Batch normalisation keeps three more copies of each conv output (centred, scaled, shifted).
    const copies = settings.batchNorm ? 6 : 3;
    for (const to of settings.channels) {
      weights += 9 * from * to + to;
      perSample += 9 * from * side * side + copies * to * side * side;
      side >>= 1;
      from = to;
    }
    features = from * side * side;
  }
  weights += features * settings.hidden + settings.hidden + settings.hidden * classes + classes;
  perSample += 3 * (settings.hidden + classes);
  return 4 * (4 * weights + settings.batchSize * perSample);
}

/**
 * Throws an {@linkcode InklingError} naming the first setting out of range,
 * or the memory the settings would need when it exceeds the budget.
 */
export function checkSettings(
  settings: TrainSettings,
  shape: Pick<GlyphShape, "size" | "classes">,
): void {
  const count = (name: keyof typeof COUNT_LIMITS, value: number) => {
    const { min, max } = COUNT_LIMITS[name];
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new InklingError(`${name} must be an integer from ${min} to ${max}, got ${value}`);
    }
  };
  count("hidden", settings.hidden);
  count("epochs", settings.epochs);
  count("batchSize", settings.batchSize);
  count("shift", settings.shift);
  count("seed", settings.seed);
  if (settings.model === "cnn") {
    // Each block halves the side: 32 × 32 glyphs allow at most 5 blocks, 28 × 28 four.
    const most = Math.floor(Math.log2(shape.size));
    if (settings.channels.length < 1 || settings.channels.length > most) {
      throw new InklingError(
        `a CNN needs 1 to ${most} conv blocks, got ${settings.channels.length}`,
      );
    }
    settings.channels.forEach((c) => count("channels", c));
  }
  if (!(settings.lr > 0 && settings.lr <= MAX_LR)) {
    throw new InklingError(`lr must be above 0 and at most ${MAX_LR}, got ${settings.lr}`);
  }
  if (!(settings.weightDecay >= 0 && settings.weightDecay < 1)) {
    throw new InklingError(
      `weightDecay must be at least 0 and below 1, got ${settings.weightDecay}`,
    );
  }
  if (!(settings.dropout >= 0 && settings.dropout < 1)) {
    throw new InklingError(`dropout must be at least 0 and below 1, got ${settings.dropout}`);
  }
  if (!(settings.labelSmoothing >= 0 && settings.labelSmoothing < 1)) {
    throw new InklingError(
      `labelSmoothing must be at least 0 and below 1, got ${settings.labelSmoothing}`,
    );
  }
  if (settings.batchNorm && settings.model !== "cnn") {
    throw new InklingError("batch normalisation needs the CNN: the MLP has no conv blocks");
  }
  if (settings.labelSmoothing > 0 && settings.manual) {
    throw new InklingError(
      "label smoothing needs the tape: the hand-written backward pass is plain cross-entropy's",
    );
  }
  const bytes = trainingBytes(settings, shape);
  if (bytes > TRAINING_MEMORY_BUDGET) {
    const gb = (b: number) => (b / 2 ** 30).toFixed(1);
    throw new InklingError(
      `these settings need about ${gb(bytes)} GB to train (batch size ${settings.batchSize}, ` +
        `hidden ${settings.hidden}${
          settings.model === "cnn" ? `, channels ${settings.channels.join(",")}` : ""
        }); the limit is ${gb(TRAINING_MEMORY_BUDGET)} GB: use a smaller batch or network`,
    );
  }
}
