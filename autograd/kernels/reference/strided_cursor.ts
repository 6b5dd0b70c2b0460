/**
 * Row-by-row iteration over strided views of one shape, shared by the
 * broadcasting binary kernel and gather/scatter.
 *
 * Iterating element by element with a full index computation costs a rank-sized
 * loop per element; instead the views are first simplified (size-1 axes
 * dropped, axes that are contiguous in every view merged) so the innermost
 * dimension is as long as possible, and an odometer advances one offset per
 * view once per innermost row. Kernels then run a tight loop along that row.
 *
 * @module
 */

/** Strides of several views over one shape, simplified for iteration. */
export interface CoalescedLayout {
  /** Extents after dropping size-1 axes and merging mergeable ones (rank ≥ 1). */
  shape: number[];
  /** One stride list per view, aligned with `shape`. */
  strides: number[][];
}

/**
 * Drops size-1 axes and merges neighbouring axes that every view walks as one
 * (outer stride = inner stride × inner extent), so rows get longer.
 */
export function coalesce(
  shape: readonly number[],
  strides: readonly (readonly number[])[],
): CoalescedLayout {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    const extent = shape[d];
    if (extent === 1) continue; // its stride never matters
    const last = outShape.length - 1;
    const mergeable = last >= 0 &&
      strides.every((s, v) => outStrides[v][last] === s[d] * extent);
    if (mergeable) {
      outShape[last] *= extent;
      for (let v = 0; v < strides.length; v++) outStrides[v][last] = strides[v][d];
    } else {
      outShape.push(extent);
      for (let v = 0; v < strides.length; v++) outStrides[v].push(strides[v][d]);
    }
  }
  if (outShape.length === 0) {
    // A single element: keep one axis so callers always have an innermost row.
    outShape.push(1);
    for (const s of outStrides) s.push(0);
  }
  return { shape: outShape, strides: outStrides };
}

/**
 * An odometer over every axis but the last of a {@linkcode CoalescedLayout}:
 * `offsets[v]` is the start of the current innermost row in view `v`.
 */
export class StridedCursor {
  /** Number of innermost rows (product of all extents but the last). */
  readonly rows: number;
  /** Length of one innermost row. */
  readonly rowLength: number;
  /** Step along the innermost row, per view. */
  readonly rowStrides: number[];
  /** Start of the current row in each view; updated by {@linkcode StridedCursor.next}. */
  readonly offsets: number[];
  readonly #shape: number[];
  readonly #strides: number[][];
  readonly #counter: Int32Array;

  /** Starts at row 0 with the given base offsets (one per view). */
  constructor(layout: CoalescedLayout, offsets: readonly number[]) {
    const rank = layout.shape.length;
    this.#shape = layout.shape;
    this.#strides = layout.strides;
    this.#counter = new Int32Array(rank - 1);
    this.rowLength = layout.shape[rank - 1];
    this.rowStrides = layout.strides.map((s) => s[rank - 1]);
    this.offsets = [...offsets];
    let rows = 1;
    for (let d = 0; d < rank - 1; d++) rows *= layout.shape[d];
    this.rows = rows;
  }

  /** Moves every offset to the start of the next innermost row. */
  next(): void {
    const counter = this.#counter;
    const offsets = this.offsets;
    const views = offsets.length;
    for (let d = counter.length - 1; d >= 0; d--) {
      counter[d]++;
      if (counter[d] < this.#shape[d]) {
        for (let v = 0; v < views; v++) offsets[v] += this.#strides[v][d];
        return;
      }
      // Wrap this axis back to 0 and carry into the next outer one.
      counter[d] = 0;
      for (let v = 0; v < views; v++) {
        offsets[v] -= this.#strides[v][d] * (this.#shape[d] - 1);
      }
    }
  }
}
