/**
 * Minibatching: a seeded shuffle of sample indices each epoch, cut into
 * batches (the assignment's `get_random_batches`). Only indices move; the
 * data set itself is never copied — batches are gathered row by row.
 *
 * @module
 */

import { gatherRows, InklingError, type Rng, type Tensor } from "../autograd/mod.ts";

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
