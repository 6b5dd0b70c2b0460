/**
 * The training loop: epochs of shuffled minibatches, per-epoch loss and
 * accuracy on the training and validation sets, a progress display, callbacks,
 * and a hard stop with a clear message when the loss stops being finite.
 *
 * @module
 */

import {
  argmax,
  crossEntropy,
  InklingError,
  noGrad,
  type Rng,
  type Tensor,
  tidy,
} from "../autograd/mod.ts";
import { BatchBuffer, type Dataset, randomBatches, takeBatch } from "./batches.ts";
import type { History } from "./history.ts";
import { countCorrect, targetClasses } from "./metrics.ts";
import type { Module } from "./module.ts";
import type { Optimizer } from "./optim/optimizer.ts";
import type { Schedule } from "./optim/schedule.ts";
import { type ProgressMode, ProgressReporter } from "./progress.ts";

/** Loss function of (model output, targets). */
export type LossFn = (output: Tensor, target: Tensor | Int32Array) => Tensor;

/** What a callback sees at the end of each epoch. */
export interface EpochEnd {
  /** Epoch just finished (0-based). */
  epoch: number;
  /** History so far, including this epoch. */
  history: History;
  /** The model being trained. */
  model: Module;
  /** Its optimizer. */
  optimizer: Optimizer;
  /** The batch-order generator (its state belongs in checkpoints). */
  rng: Rng;
}

/** Options of {@linkcode fit}. */
export interface FitOptions {
  /** Training data. */
  train: Dataset;
  /** Validation data, evaluated after every epoch. */
  valid?: Dataset;
  /** Number of epochs to run in total (including `startEpoch`). */
  epochs: number;
  /** Samples per batch (default 32). */
  batchSize?: number;
  /** Updates the parameters. */
  optimizer: Optimizer;
  /** Shuffles batches every epoch. */
  rng: Rng;
  /** Loss of (output, target); default mean cross-entropy from logits. */
  loss?: LossFn;
  /**
   * Loss reported on the validation set (default: `loss`). A training-only
   * regulariser in `loss`, such as label smoothing, stays out of it, so the
   * validation losses of runs with and without it compare.
   */
  validLoss?: LossFn;
  /** Learning rate per epoch (default: the optimizer's rate unchanged). */
  schedule?: Schedule;
  /** Called after every epoch (e.g. to save a checkpoint); may be async. */
  onEpochEnd?: (info: EpochEnd) => void | Promise<void>;
  /** First epoch to run (resuming) and the history so far. */
  resume?: { epoch: number; history: History };
  /** Progress display: a bar on a terminal, one line per epoch otherwise (default "auto"). */
  progress?: ProgressMode;
  /**
   * Transforms each training batch before the forward pass (data
   * augmentation). The batch's tensors are reused by the next step: return
   * new ones rather than keeping these.
   */
  augment?: (batch: Dataset, rng: Rng) => Dataset;
  /**
   * Computes the batch's output and loss and leaves the parameter gradients
   * in `grad` (default: forward, loss, tape backward). Lets a hand-written
   * backward pass train through the same loop. The batch's storage is
   * reused by the next step (`BatchBuffer`): copy anything kept longer.
   * Each step runs in a `tidy` scope, so tensors this function's ops make
   * are released when the step ends: `keep()` any it stores.
   */
  gradients?: GradientFn;
}

/** One batch's forward and backward pass: returns the output and the loss value. */
export type GradientFn = (batch: Dataset) => { output: Tensor; loss: number };

function tapeGradients(model: Module, lossFn: LossFn): GradientFn {
  return (batch) => {
    const output = model.forward(batch.x);
    const loss = lossFn(output, batch.y);
    model.zeroGrad({ reuse: true });
    const value = loss.item();
    if (Number.isFinite(value)) loss.backward();
    return { output, loss: value };
  };
}

/** Thrown when the loss or the weights become NaN or infinite; says where. */
export class DivergenceError extends InklingError {
  /** What went non-finite, e.g. "loss is NaN". */
  readonly reason: string;
  /** Epoch (1-based) in which it happened. */
  readonly epoch: number;
  /** Step (1-based) of that epoch. */
  readonly step: number;

  /** Describes a divergence at `at`, with the learning rate then in use. */
  constructor(reason: string, at: { epoch: number; step: number; lr: number }) {
    super(
      `training diverged: ${reason} at epoch ${at.epoch}, step ${at.step}; ` +
        `lower the learning rate (now ${at.lr})`,
    );
    this.reason = reason;
    this.epoch = at.epoch;
    this.step = at.step;
  }
}

/** True when every parameter value is finite (a float64 sum of float32 values overflows to ±∞ only if one is). */
function finiteParameters(model: Module): boolean {
  let sum = 0;
  for (const p of model.parameters()) for (const v of p.data) sum += v;
  return Number.isFinite(sum);
}

/** What {@linkcode evaluate} measures. */
export interface Evaluation {
  /** Mean loss per sample. */
  loss: number;
  /** Fraction of samples whose highest score is at the target class. */
  accuracy: number;
  /** The predicted class (highest score) of each sample, in data order. */
  predicted: Int32Array;
}

/** Mean loss, accuracy and predictions of a model on a data set, in evaluation mode, without the tape. */
export function evaluate(
  model: Module,
  data: Dataset,
  options: { batchSize?: number; loss?: LossFn } = {},
): Evaluation {
  const lossFn = options.loss ?? crossEntropy;
  const wasTraining = model.training;
  model.eval();
  let total = 0;
  let correct = 0;
  const count = data.x.shape[0];
  const predicted = new Int32Array(count);
  noGrad(() => {
    for (const rows of randomBatches(count, { batchSize: options.batchSize ?? 256 })) {
      // Each batch's arrays are the previous batch's again.
      tidy(() => {
        const batch = takeBatch(data, rows);
        const out = model.forward(batch.x);
        total += lossFn(out, batch.y).item() * rows.length;
        const guesses = argmax(out, { axis: 1 });
        const truth = targetClasses(batch.y);
        guesses.forEach((guess, i) => guess === truth[i] && correct++);
        predicted.set(guesses, rows[0]);
      });
    }
  });
  model.train(wasTraining);
  return { loss: total / Math.max(count, 1), accuracy: correct / Math.max(count, 1), predicted };
}

/** Trains `model`; returns the per-epoch history. */
export async function fit(model: Module, options: FitOptions): Promise<History> {
  const lossFn = options.loss ?? crossEntropy;
  const gradients = options.gradients ?? tapeGradients(model, lossFn);
  const history: History = structuredClone(
    options.resume?.history ??
      { train_loss: [], train_acc: [], valid_loss: [], valid_acc: [], lr: [] },
  );
  const progress = new ProgressReporter(options.progress ?? "auto", options.epochs);
  const count = options.train.x.shape[0];
  // Every step gathers its batch into the same storage: a step is done with
  // its batch when the next one starts (backward has released the graph).
  const batchBuffer = new BatchBuffer();
  if (count === 0) throw new InklingError("fit: the training set is empty");
  for (let epoch = options.resume?.epoch ?? 0; epoch < options.epochs; epoch++) {
    if (options.schedule) options.optimizer.lr = options.schedule(epoch);
    model.train();
    let totalLoss = 0;
    let correct = 0;
    const batches = randomBatches(count, { batchSize: options.batchSize ?? 32, rng: options.rng });
    for (const [step, rows] of batches.entries()) {
      const taken = batchBuffer.take(options.train, rows);
      // One tidy scope per step: its outputs, loss and gradients are the
      // previous step's arrays again (the batch and parameters live outside it).
      const { value, hits } = tidy(() => {
        const batch = options.augment ? options.augment(taken, options.rng) : taken;
        const { output, loss } = gradients(batch);
        if (Number.isFinite(loss)) options.optimizer.step();
        return { value: loss, hits: countCorrect(output, batch.y) };
      });
      if (!Number.isFinite(value)) {
        progress.done();
        throw new DivergenceError(`loss is ${value}`, {
          epoch: epoch + 1,
          step: step + 1,
          lr: options.optimizer.lr,
        });
      }
      totalLoss += value * rows.length;
      correct += hits;
      progress.step(epoch, (step + 1) / batches.length);
    }
    // A last step can blow the weights up with a finite loss; catch it before
    // the epoch's callbacks save those weights as a checkpoint.
    if (!finiteParameters(model)) {
      progress.done();
      throw new DivergenceError("the weights became non-finite", {
        epoch: epoch + 1,
        step: batches.length,
        lr: options.optimizer.lr,
      });
    }
    history.train_loss.push(totalLoss / count);
    history.train_acc.push(correct / count);
    history.lr.push(options.optimizer.lr);
    if (options.valid) {
      const valid = evaluate(model, options.valid, { loss: options.validLoss ?? lossFn });
      history.valid_loss.push(valid.loss);
      history.valid_acc.push(valid.accuracy);
    }
    progress.epoch(epoch, history);
    await options.onEpochEnd?.({
      epoch,
      history,
      model,
      optimizer: options.optimizer,
      rng: options.rng,
    });
  }
  progress.done();
  return history;
}
