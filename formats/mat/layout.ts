/**
 * Conversion between MATLAB's column-major element order (first index fastest)
 * and the row-major order (last index fastest) of Inkling's arrays.
 *
 * @module
 */

/** Anything indexable and writable: typed arrays and plain arrays. */
export interface IndexedStore<T> {
  /** Element access. */
  [index: number]: T;
  /** Number of elements. */
  readonly length: number;
}

/** Which way {@linkcode reorder} converts. */
export type LayoutDirection = "toRowMajor" | "toColumnMajor";

/**
 * Copies the elements of `source` into `target` (same length, the product of
 * `shape`), converting column-major to row-major or back. Shapes with at most
 * one dimension longer than 1 need no reordering and are copied straight.
 */
export function reorder<T>(
  source: IndexedStore<T>,
  target: IndexedStore<T>,
  options: { shape: readonly number[]; direction: LayoutDirection },
): void {
  const shape = options.shape;
  const n = source.length;
  if (shape.filter((d) => d > 1).length <= 1) {
    for (let i = 0; i < n; i++) target[i] = source[i];
    return;
  }
  // Row-major strides; walk the column-major index i with an odometer over the
  // dimensions (first one fastest) while keeping the matching row-major offset.
  const rank = shape.length;
  const strides = new Array<number>(rank);
  let stride = 1;
  for (let k = rank - 1; k >= 0; k--) {
    strides[k] = stride;
    stride *= shape[k];
  }
  const counter = new Array<number>(rank).fill(0);
  const toRow = options.direction === "toRowMajor";
  let row = 0;
  for (let i = 0; i < n; i++) {
    if (toRow) target[row] = source[i];
    else target[i] = source[row];
    for (let k = 0; k < rank; k++) {
      row += strides[k];
      if (++counter[k] < shape[k]) break;
      row -= strides[k] * shape[k];
      counter[k] = 0;
    }
  }
}
