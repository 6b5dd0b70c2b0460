/**
 * The {@linkcode Optimizer} base: a learning rate, the parameters it updates,
 * and named state tensors that checkpoints save and restore.
 *
 * @module
 */

import { ShapeError, Tensor } from "../../autograd/mod.ts";
import { reusableStorage } from "../../autograd/storage_pool.ts";

/** Base class of the optimizers. */
export abstract class Optimizer {
  /** Parameters updated by step(). */
  readonly params: readonly Tensor[];
  /** Current learning rate (schedules change it between epochs). */
  lr: number;
  /** Number of step() calls so far. */
  steps = 0;
  /** Per-parameter state buffers by slot name ("momentum", "m", "v"…). */
  protected readonly slots: Map<string, Tensor[]> = new Map();

  /** Creates an optimizer over `params` with learning rate `options.lr`. */
  constructor(params: readonly Tensor[], options: { lr: number }) {
    this.params = params;
    this.lr = options.lr;
  }

  /** Applies one update from the parameters' current gradients. */
  abstract step(): void;

  /**
   * Clears the gradients of all parameters; with `reuse`, the next backward
   * writes into their storage (see `Tensor.zeroGrad`).
   */
  zeroGrad(options: { reuse?: boolean } = {}): void {
    for (const p of this.params) p.zeroGrad(options);
  }

  /**
   * The state buffers of a slot, created as zeros on first use, where the
   * kernels update them in place (`reusableStorage`).
   */
  protected slot(name: string): Tensor[] {
    let buffers = this.slots.get(name);
    if (!buffers) {
      buffers = this.params.map((p) =>
        new Tensor(reusableStorage(p.dtype === "float64", p.size), p.shape)
      );
      this.slots.set(name, buffers);
    }
    return buffers;
  }

  /** State tensors by name (`<slot>.<index>`), for checkpoints. */
  stateTensors(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const [name, buffers] of this.slots) buffers.forEach((t, i) => (out[`${name}.${i}`] = t));
    return out;
  }

  /** Restores state tensors saved by {@linkcode Optimizer.stateTensors}. */
  loadStateTensors(state: Record<string, Tensor>): void {
    for (const [key, source] of Object.entries(state)) {
      const dot = key.lastIndexOf(".");
      const index = Number(key.slice(dot + 1));
      const target = this.slot(key.slice(0, dot))[index];
      if (!target || target.size !== source.size) {
        throw new ShapeError(`optimizer state "${key}" does not fit the parameters`);
      }
      target.data.set(source.data);
    }
  }
}
