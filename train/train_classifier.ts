/**
 * The one trainer of character classifiers: builds the network a
 * {@linkcode TrainSettings} describes, trains it on NIST36 with minibatches
 * and a cosine learning rate, keeps the weights of the best validation
 * epoch, and measures test accuracy and the confusion matrix. Every random
 * choice comes from one seeded generator, so the same settings and data give
 * the same weights, bit for bit.
 *
 * @module
 */

import { crossEntropy, Rng, type Tensor } from "../autograd/mod.ts";
import {
  Adam,
  BestWeights,
  confusionMatrix,
  cosineLR,
  type Dataset,
  DivergenceError,
  evaluate,
  fit,
  type FitOptions,
  type History,
  type Optimizer,
  type ProgressMode,
  type Sequential,
  SGD,
} from "../layers/mod.ts";
import type { GlyphData, GlyphShape } from "../datasets/glyph_data.ts";
import { jitterGlyphs, shiftGlyphs } from "../datasets/augment.ts";
import {
  type ClassifierArchitecture,
  createClassifier,
  defaultCrop,
  glyphSize,
  manualGradients,
} from "../models/mod.ts";
import { InklingError } from "../autograd/errors.ts";
import { foldOutClassPrior } from "./class_prior.ts";
import { checkSettings } from "./limits.ts";
import { DEFAULT_SETTINGS, type TrainSettings } from "./settings.ts";

/** Outcome of {@linkcode trainClassifier}. */
export interface TrainResult {
  /** The network with the weights of its best validation epoch. */
  model: Sequential;
  /** Its architecture, as its checkpoint describes it. */
  architecture: ClassifierArchitecture;
  /** The data set it was trained on, for people ("NIST36", "MNIST", …). */
  dataName: string;
  /** Margin and pen of its glyphs, for OCR crops that look like them. */
  crop: GlyphData["crop"];
  /** The settings it was trained with. */
  settings: TrainSettings;
  /** First-layer weights right after initialisation. */
  initialWeights: Tensor;
  /** Per-epoch history. */
  history: History;
  /** Epoch (1-based) whose weights were kept. */
  bestEpoch: number;
  /** Validation accuracy of that epoch. */
  validAccuracy: number;
  /** Accuracy of the kept weights on the test split. */
  testAccuracy: number;
  /** Test confusion matrix, counts[true][predicted]. */
  confusion: number[][];
  /** Wall time of the training loop, seconds. */
  seconds: number;
  /**
   * Why training stopped early, when it diverged after at least one good
   * epoch (the kept weights are then those of the best epoch before it).
   */
  diverged?: string;
}

/** Validation accuracy this close to guessing (1 / classes) means the network learned nothing. */
export function atChance(accuracy: number, classes: number): boolean {
  return accuracy < 1.5 / classes;
}

/** The network `settings` describe, for glyphs of `shape` (NIST36's 32 × 32 and 36 classes, …). */
export function architectureOf(
  settings: TrainSettings,
  shape: Pick<GlyphShape, "size" | "classes">,
): ClassifierArchitecture {
  const { hidden, channels, dropout } = settings;
  const { size, classes } = shape;
  if (settings.model === "mlp") return { kind: "mlp", inputs: size * size, hidden, classes };
  // batchNorm only when on, so the checkpoints of existing recipes keep their bytes.
  const batchNorm = settings.batchNorm ? { batchNorm: true } : {};
  return { kind: "cnn", size, channels, hidden, dropout, classes, ...batchNorm };
}

function augmentation(settings: TrainSettings, size: number): FitOptions["augment"] {
  const { shift, jitter } = settings;
  if (jitter) {
    const options = { size, maxShift: shift, ...jitter };
    return (batch, rng) => ({ ...batch, x: jitterGlyphs(batch.x, rng, options) });
  }
  if (shift > 0) {
    return (batch, rng) => ({ ...batch, x: shiftGlyphs(batch.x, rng, { size, maxShift: shift }) });
  }
  return undefined;
}

function asDataset(split: { x: Tensor; labels: Int32Array }): Dataset {
  return { x: split.x, y: split.labels };
}

/**
 * Trains one network with `options.settings` (over the defaults) on `data`.
 * Settings out of range or empty splits throw an {@linkcode InklingError}
 * before any work. A run that diverges after a good epoch returns the best
 * epoch's weights with `diverged` saying what happened; one that diverges
 * in its first epoch throws the {@linkcode DivergenceError}.
 */
export async function trainClassifier(
  data: GlyphData,
  options: { settings?: Partial<TrainSettings>; progress?: ProgressMode } = {},
): Promise<TrainResult> {
  const settings = { ...DEFAULT_SETTINGS, ...options.settings };
  checkSettings(settings, data);
  for (const split of ["train", "valid", "test"] as const) {
    if (data[split].labels.length === 0) {
      throw new InklingError(`${data.dir}: the ${split} split is empty`);
    }
  }
  const rng = new Rng(settings.seed);
  const architecture = architectureOf(settings, data);
  const model = createClassifier(architecture, { rng });
  const initialWeights = model.parameters()[0].clone();
  const { lr, weightDecay } = settings;
  const optimizer: Optimizer = settings.optimizer === "adam"
    ? new Adam(model.parameters(), { lr, weightDecay })
    : new SGD(model.parameters(), { lr, weightDecay });
  const best = new BestWeights(model, { monitor: settings.monitor });
  const started = performance.now();
  let diverged: string | undefined;
  let finished: History = { train_loss: [], train_acc: [], valid_loss: [], valid_acc: [], lr: [] };
  const { labelSmoothing } = settings;
  const history = await fit(model, {
    train: asDataset(data.train),
    valid: asDataset(data.valid),
    // Smoothing shapes the training loss only: validation loss stays plain
    // cross-entropy, comparable across runs (and what --monitor valid_loss ranks).
    loss: labelSmoothing > 0
      ? (output, target) => crossEntropy(output, target, { labelSmoothing })
      : undefined,
    validLoss: crossEntropy,
    epochs: settings.epochs,
    batchSize: settings.batchSize,
    optimizer,
    rng,
    schedule: cosineLR(lr, { epochs: settings.epochs }),
    augment: augmentation(settings, data.size),
    gradients: settings.manual ? manualGradients(model) : undefined,
    progress: options.progress,
    onEpochEnd: (info) => {
      best.update(info);
      finished = structuredClone(info.history);
    },
  }).catch((error) => {
    if (!(error instanceof DivergenceError) || best.epoch === 0) throw error;
    diverged = `training diverged at epoch ${error.epoch}, step ${error.step} (${error.reason})`;
    return finished;
  });
  const seconds = (performance.now() - started) / 1000;
  best.restore();
  if (settings.balance) foldOutClassPrior(model, data.train.labels, data.classes.length);
  const test = evaluate(model, asDataset(data.test));
  return {
    model,
    architecture,
    dataName: data.title,
    crop: data.crop,
    settings,
    initialWeights,
    history,
    bestEpoch: best.epoch,
    validAccuracy: best.accuracy,
    testAccuracy: test.accuracy,
    confusion: confusionMatrix(test.predicted, data.test.labels, {
      classes: data.classes.length,
    }),
    seconds,
    ...(diverged ? { diverged } : {}),
  };
}

/**
 * The `architecture` metadata of the run's checkpoint: the architecture and
 * NIST36's transposed storage; a CNN's also records its recipe (the settings
 * and jitter it was trained with), as the committed OCR model always has.
 * The MLP's stays the assignment's bare description.
 */
export function checkpointArchitecture(result: TrainResult): Record<string, unknown> {
  const { architecture, settings: s } = result;
  const size = glyphSize(architecture);
  // OCR crops NIST36-style (margin size/8, pen 0.08·size) unless told otherwise.
  const usual = defaultCrop(size);
  const nist36Style = result.crop.margin === usual.margin &&
    result.crop.penWidth === usual.penWidth;
  const described = {
    ...architecture,
    storage: "nist36-transposed",
    ...(nist36Style ? {} : { crop: result.crop }),
  };
  if (architecture.kind === "mlp") return described;
  const recipe = {
    channels: s.channels,
    hidden: s.hidden,
    dropout: s.dropout,
    epochs: s.epochs,
    batchSize: s.batchSize,
    lr: s.lr,
    weightDecay: s.weightDecay,
    // Only when used, so recipes written before label smoothing keep their bytes.
    ...(s.labelSmoothing > 0 ? { labelSmoothing: s.labelSmoothing } : {}),
    seed: s.seed,
  };
  const jitter = s.jitter && { size: architecture.size, maxShift: s.shift, ...s.jitter };
  return { ...described, settings: recipe, jitter };
}
