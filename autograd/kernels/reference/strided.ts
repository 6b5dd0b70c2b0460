/**
 * Data-movement kernels of the reference backend: copies between strided views
 * and contiguous arrays (permute, slice, expand, concat and their backwards),
 * and row gathers for embeddings and indexing.
 *
 * @module
 */

import type { Storage, StridedView } from "../kernels.ts";
import { coalesce, StridedCursor } from "./strided_cursor.ts";

/** Walks `view` row by row; the row start in the view is `cursor.offsets[0]`. */
function cursorOf(view: StridedView): StridedCursor {
  return new StridedCursor(coalesce(view.shape, [view.strides]), [view.offset]);
}

/** Copies the strided `view` of `src` into contiguous `out`, in row-major order. */
export function gather(src: Storage, args: { view: StridedView; out: Storage }): void {
  const { view, out } = args;
  const cursor = cursorOf(view);
  const len = cursor.rowLength;
  const step = cursor.rowStrides[0];
  for (let r = 0, o = 0; r < cursor.rows; r++) {
    const start = cursor.offsets[0];
    if (step === 1) {
      // A contiguous run: a native block copy beats an element loop.
      out.set(src.subarray(start, start + len), o);
      o += len;
    } else if (step === 0) {
      // A broadcast run (expand, e.g. the backward of a full sum): one fill.
      out.fill(src[start], o, o + len);
      o += len;
    } else {
      for (let s = start, end = o + len; o < end; o++, s += step) out[o] = src[s];
    }
    cursor.next();
  }
}

/**
 * Writes contiguous `src` into the strided `view` of `out`; with `accumulate`
 * adds instead. When the view repeats a position (stride 0), overwriting keeps
 * the last value and accumulating adds every one.
 */
export function scatter(
  src: Storage,
  args: { view: StridedView; out: Storage; accumulate?: boolean },
): void {
  const { view, out } = args;
  const acc = args.accumulate === true;
  const cursor = cursorOf(view);
  const len = cursor.rowLength;
  const step = cursor.rowStrides[0];
  for (let r = 0, i = 0; r < cursor.rows; r++) {
    const end = i + len;
    let d = cursor.offsets[0];
    if (acc) {
      for (; i < end; i++, d += step) out[d] += src[i];
    } else if (step === 1) {
      out.set(src.subarray(i, end), d);
      i = end;
    } else {
      for (; i < end; i++, d += step) out[d] = src[i];
    }
    cursor.next();
  }
}

/**
 * out[j, i, :] = x[i, j, :] (+ bias[i]) for x of shape [a, b, inner]: a
 * transpose of the two leading axes moving whole runs of `inner` elements.
 */
export function swapLeadingAxes(
  x: Storage,
  args: { a: number; b: number; inner: number; bias?: Storage; out: Storage },
): void {
  const { a, b, inner, bias, out } = args;
  for (let i = 0; i < a; i++) {
    for (let j = 0; j < b; j++) {
      const from = (i * b + j) * inner;
      const to = (j * a + i) * inner;
      if (bias === undefined) {
        out.set(x.subarray(from, from + inner), to);
      } else {
        const add = bias[i];
        for (let k = 0; k < inner; k++) out[to + k] = x[from + k] + add;
      }
    }
  }
}

/** out[r, :] = x[rows[r], :] for rows of `rowSize` elements (embedding lookup). */
export function gatherRows(
  x: Storage,
  args: { rows: Int32Array; rowSize: number; out: Storage },
): void {
  const { rows, rowSize, out } = args;
  for (let r = 0; r < rows.length; r++) {
    const from = rows[r] * rowSize;
    out.set(x.subarray(from, from + rowSize), r * rowSize);
  }
}

/** out[rows[r], :] += src[r, :]; repeated rows add up (the backward of gatherRows). */
export function scatterAddRows(
  src: Storage,
  args: { rows: Int32Array; rowSize: number; out: Storage },
): void {
  const { rows, rowSize, out } = args;
  for (let r = 0; r < rows.length; r++) {
    const to = rows[r] * rowSize;
    for (let j = 0, s = r * rowSize; j < rowSize; j++, s++) out[to + j] += src[s];
  }
}
