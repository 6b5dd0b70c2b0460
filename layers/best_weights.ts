/**
 * Early-stopping style weight keeping: remembers the parameters of the epoch
 * with the best validation accuracy so a run can end with them.
 *
 * @module
 */

import { noGrad, type Tensor } from "../autograd/mod.ts";
import type { EpochEnd } from "./fit.ts";
import type { Module } from "./module.ts";

/** Keeps a copy of the parameters of the best validation epoch seen so far. */
export class BestWeights {
  /** Best validation accuracy seen (−1 before the first epoch). */
  accuracy = -1;
  /** That epoch, 1-based (0 before the first epoch). */
  epoch = 0;
  #state: Tensor[] = [];
  readonly #model: Module;

  /** Watches `model`. */
  constructor(model: Module) {
    this.#model = model;
  }

  /** An `onEpochEnd` callback for fit: copies the parameters when validation accuracy improves. */
  readonly update = ({ epoch, history }: EpochEnd): void => {
    const accuracy = history.valid_acc[epoch];
    if (accuracy > this.accuracy) {
      this.accuracy = accuracy;
      this.epoch = epoch + 1;
      this.#state = this.#model.parameters().map((p) => p.clone());
    }
  };

  /** Writes the kept parameters back into the model. */
  restore(): void {
    noGrad(() => this.#model.parameters().forEach((p, i) => p.data.set(this.#state[i].data)));
  }
}
