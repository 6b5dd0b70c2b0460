/**
 * The training run every mode shares: `fit` with validation after each
 * epoch in small batches (SqueezeNet at 224 px would need gigabytes for the
 * 256-image batches `fit` evaluates with), the weights of the best
 * validation epoch kept and restored, the test set scored once at the end,
 * and wall times of training and of each epoch.
 *
 * @module
 */

import type { Rng, Tensor } from "../autograd/mod.ts";
import {
  BestWeights,
  type Dataset,
  evaluate,
  fit,
  type History,
  type Module,
  type Optimizer,
  type Schedule,
} from "../layers/mod.ts";
import type { RunOutcome } from "./mode_result.ts";

/** Data of one run: training, validation and test sets. */
export interface RunData {
  /** Training samples. */
  train: Dataset;
  /** Validation samples (picks the epoch kept). */
  valid: Dataset;
  /** Test samples (scored once, at the end). */
  test: Dataset;
}

/** How one run trains. */
export interface RunSettings {
  /** Epochs. */
  epochs: number;
  /** Samples per training batch. */
  batchSize: number;
  /** Samples per evaluation batch (default 64). */
  evalBatchSize?: number;
  /** Updates the parameters. */
  optimizer: Optimizer;
  /** Rate per epoch. */
  schedule?: Schedule;
  /** Batch order, augmentation and nothing else. */
  rng: Rng;
  /** Augments each training batch. */
  augment?: (batch: Dataset, rng: Rng) => Dataset;
  /** Called after each epoch with its number (1-based), the history and its training seconds. */
  onEpoch?: (epoch: number, history: History, seconds: number) => void;
}

/** Trains `model` on `data.train`, keeps the best validation epoch and scores the test set. */
export async function trainAndTest(
  model: Module,
  data: RunData,
  settings: RunSettings,
): Promise<RunOutcome> {
  const started = performance.now();
  const best = new BestWeights(model);
  const evalBatchSize = settings.evalBatchSize ?? 64;
  const epochSeconds: number[] = [];
  let epochStart = performance.now();
  const history = await fit(model, {
    train: data.train,
    epochs: settings.epochs,
    batchSize: settings.batchSize,
    optimizer: settings.optimizer,
    schedule: settings.schedule,
    rng: settings.rng,
    augment: settings.augment,
    progress: "none",
    onEpochEnd: (info) => {
      epochSeconds.push((performance.now() - epochStart) / 1000);
      const valid = evaluate(model, data.valid, { batchSize: evalBatchSize });
      info.history.valid_loss.push(valid.loss);
      info.history.valid_acc.push(valid.accuracy);
      best.update(info);
      settings.onEpoch?.(info.epoch + 1, info.history, epochSeconds[info.epoch]);
      epochStart = performance.now();
    },
  });
  best.restore();
  const test = evaluate(model, data.test, { batchSize: evalBatchSize });
  return {
    history,
    bestEpoch: best.epoch,
    validAcc: best.accuracy,
    testAcc: test.accuracy,
    testPredicted: test.predicted,
    seconds: (performance.now() - started) / 1000,
    epochSeconds,
  };
}

/** `[N, …]` samples with labels as a data set. */
export function dataset(x: Tensor, y: Int32Array): Dataset {
  return { x, y };
}

/** One progress line: `head epoch 3/30  train 0.812 (loss 0.61)  valid 0.874  4.1 s`. */
export function epochLine(
  mode: string,
  epochs: number,
): (epoch: number, h: History, seconds: number) => string {
  return (epoch: number, h: History, seconds: number): string =>
    `${mode} epoch ${epoch}/${epochs}  train acc ${h.train_acc[epoch - 1].toFixed(3)} ` +
    `(loss ${h.train_loss[epoch - 1].toFixed(3)})  valid acc ${
      h.valid_acc[epoch - 1].toFixed(3)
    }  ${seconds.toFixed(1)} s`;
}

/** A rate or count for prose: three significant digits, thousands separated (3e-5 → "0.00003"). */
export function shortNumber(x: number): string {
  return Number.isInteger(x) ? x.toLocaleString("en-US") : String(Number(x.toPrecision(3)));
}

/** "1 epoch", "30 epochs". */
export function epochsText(n: number): string {
  return `${n} epoch${n === 1 ? "" : "s"}`;
}
