/**
 * Early-stopping style weight keeping: remembers the state (parameters and
 * buffers such as BatchNorm's running statistics) of the epoch with the best
 * validation score so a run can end with them. The score is validation
 * accuracy (the default) or validation loss, Keras' and Lightning's usual
 * monitor: the loss moves smoothly where accuracy on a few thousand glyphs
 * ties and jitters by a sample or two between late epochs.
 *
 * @module
 */

import { noGrad, type Tensor } from "../autograd/mod.ts";
import type { EpochEnd } from "./fit.ts";
import type { Module } from "./module.ts";

/** What {@linkcode BestWeights} ranks epochs by. */
export type Monitor = "valid_acc" | "valid_loss";

/** Keeps a copy of the state of the best validation epoch seen so far. */
export class BestWeights {
  /** Validation accuracy of the kept epoch (−1 before the first epoch). */
  accuracy: number = -1;
  /** That epoch, 1-based (0 before the first epoch). */
  epoch: number = 0;
  /** The score ranked: highest accuracy or lowest loss. */
  readonly monitor: Monitor;
  #score = -Infinity;
  #state: Tensor[] = [];
  readonly #model: Module;

  /** Watches `model`, ranking epochs by `options.monitor` (default `"valid_acc"`). */
  constructor(model: Module, options: { monitor?: Monitor } = {}) {
    this.#model = model;
    this.monitor = options.monitor ?? "valid_acc";
  }

  /** An `onEpochEnd` callback for fit: copies the state when the score improves. */
  readonly update = ({ epoch, history }: EpochEnd): void => {
    const score = this.monitor === "valid_acc"
      ? history.valid_acc[epoch]
      : -history.valid_loss[epoch];
    if (score > this.#score) {
      this.#score = score;
      this.accuracy = history.valid_acc[epoch];
      this.epoch = epoch + 1;
      this.#state = this.#model.namedTensors().map(([, t]) => t.clone());
    }
  };

  /** Writes the kept state back into the model. */
  restore(): void {
    noGrad(() => this.#model.namedTensors().forEach(([, t], i) => t.data.set(this.#state[i].data)));
  }
}
