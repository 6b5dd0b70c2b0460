/**
 * Minibatching: a seeded shuffle of sample indices each epoch, cut into
 * batches (the assignment's `get_random_batches`). Only indices move; the
 * data set itself is never copied — batches are gathered row by row, by
 * `takeBatch` into new tensors or by a {@linkcode BatchBuffer} into storage
 * reused from step to step.
 *
 * @module
 */

import {
  gatherRows,
  gatherRowsInto,
  InklingError,
  type Rng,
  type Tensor,
  zeros,
} from "../autograd/mod.ts";

/** A supervised data set: inputs with one row per sample, and targets. */
export interface Dataset {
  /** Inputs [N, …]. */
  x: Tensor;
  /** Targets: one-hot/probability rows [N, C] or N class indices. */
  y: Tensor | Int32Array;
}

/** Options of {@linkcode randomBatches}. */
export interface BatchOptions {
  /** Samples per batch. */
  batchSize: number;
  /** Shuffles the order (omit for the natural order, e.g. in evaluation). */
  rng?: Rng;
  /** Drop a last batch smaller than batchSize (default false: keep it). */
  dropLast?: boolean;
}

/** Index batches covering 0..count−1 once, shuffled when an rng is given. */
export function randomBatches(count: number, options: BatchOptions): Int32Array[] {
  // A zero or fractional batch size would never advance (or never end) the loop below.
  if (!Number.isInteger(options.batchSize) || options.batchSize < 1) {
    throw new InklingError(`batch size must be a positive integer, got ${options.batchSize}`);
  }
  const order = options.rng
    ? options.rng.permutation(count)
    : Int32Array.from({ length: count }, (_, i) => i);
  const batches: Int32Array[] = [];
  for (let start = 0; start < count; start += options.batchSize) {
    const end = Math.min(start + options.batchSize, count);
    if (options.dropLast && end - start < options.batchSize) break;
    batches.push(order.subarray(start, end));
  }
  return batches;
}

/** The rows of a data set selected by `rows`. */
export function takeBatch(data: Dataset, rows: Int32Array): Dataset {
  return {
    x: gatherRows(data.x.detach(), rows),
    y: data.y instanceof Int32Array
      ? Int32Array.from(rows, (r) => (data.y as Int32Array)[r])
      : gatherRows(data.y.detach(), rows),
  };
}

/** Batches of more sizes than this are not all kept (the cache starts over). */
const KEPT_SIZES = 8;

/**
 * {@linkcode takeBatch} into storage reused from one call to the next: a
 * training loop's batches all have the same size but the last, so after the
 * first epoch it gathers every batch into tensors it already has instead of
 * allocating new ones.
 *
 * A batch returned by `take` is overwritten by the next `take` of the same
 * size: use it for one step, and copy anything kept longer. (A training step
 * is done with its batch once backward has released the graph.)
 */
export class BatchBuffer {
  readonly #inputs = new Map<number, Tensor>();
  readonly #targets = new Map<number, Tensor>();
  readonly #labels = new Map<number, Int32Array>();

  /** The rows of a data set selected by `rows`, in this buffer's storage. */
  take(data: Dataset, rows: Int32Array): Dataset {
    return {
      x: this.#gather(this.#inputs, data.x, rows),
      y: data.y instanceof Int32Array
        ? this.#pick(data.y, rows)
        : this.#gather(this.#targets, data.y, rows),
    };
  }

  /** The rows of `x` selected by `rows` (inputs without targets), in the storage `take` uses for x. */
  gather(x: Tensor, rows: Int32Array): Tensor {
    return this.#gather(this.#inputs, x, rows);
  }

  #gather(kept: Map<number, Tensor>, source: Tensor, rows: Int32Array): Tensor {
    let batch = kept.get(rows.length);
    const shape = [rows.length, ...source.shape.slice(1)];
    if (
      batch === undefined || batch.dtype !== source.dtype ||
      batch.shape.some((d, i) => d !== shape[i]) || batch.ndim !== shape.length
    ) {
      if (kept.size >= KEPT_SIZES) kept.clear();
      batch = zeros(shape, { dtype: source.dtype });
      kept.set(rows.length, batch);
    }
    gatherRowsInto(batch, source, rows);
    return batch;
  }

  #pick(labels: Int32Array, rows: Int32Array): Int32Array {
    let batch = this.#labels.get(rows.length);
    if (batch === undefined) {
      if (this.#labels.size >= KEPT_SIZES) this.#labels.clear();
      batch = new Int32Array(rows.length);
      this.#labels.set(rows.length, batch);
    }
    for (let i = 0; i < rows.length; i++) batch[i] = labels[rows[i]];
    return batch;
  }
}
