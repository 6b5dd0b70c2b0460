/**
 * Reductions along one axis of the reference backend: sum, max (with argmax)
 * and softmax / log-softmax.
 *
 * The array is seen as `outer × size × inner` ({@linkcode AxisLayout}); element
 * (o, s, i) lives at `(o·size + s)·inner + i`, so the reduced axis has stride
 * `inner`. Sums accumulate in doubles even for Float32Array storage, so a long
 * float32 sum does not lose precision at every step.
 *
 * @module
 */

import type { AxisLayout, Storage } from "../kernels.ts";

/** out (outer × inner) = Σ over the middle axis of x. */
export function sumAxis(x: Storage, args: AxisLayout & { out: Storage }): void {
  const { outer, size, inner, out } = args;
  if (inner === 1) {
    // Each line is contiguous: one scalar accumulator per line.
    for (let o = 0, xi = 0; o < outer; o++) {
      let s = 0;
      for (const end = xi + size; xi < end; xi++) s += x[xi];
      out[o] = s;
    }
    return;
  }
  // Lines are strided by `inner`; walking them one by one would jump through
  // memory, so add whole contiguous rows of `inner` into a double accumulator.
  // The accumulator is kept between calls (a bias gradient's sum runs every step).
  if (rowSums.length < inner) rowSums = new Float64Array(inner);
  const acc = rowSums;
  for (let o = 0, xi = 0; o < outer; o++) {
    acc.fill(0, 0, inner);
    for (let s = 0; s < size; s++) {
      for (let i = 0; i < inner; i++, xi++) acc[i] += x[xi];
    }
    for (let i = 0, oi = o * inner; i < inner; i++, oi++) out[oi] = acc[i];
  }
}

/** sumAxis's float64 row accumulator, grown to the widest row seen. */
let rowSums = new Float64Array(0);

/**
 * out (outer × inner) = max over the middle axis of x; `index` receives the
 * position (0..size−1) of the first maximum. NaN wins (the first NaN), so a
 * NaN in the input shows in the output instead of being skipped.
 */
export function maxAxis(
  x: Storage,
  args: AxisLayout & { out: Storage; index: Int32Array },
): void {
  const { outer, size, inner, out, index } = args;
  if (size === 0) return; // no element to take a max of; ops reject this shape
  for (let o = 0; o < outer; o++) {
    const base = o * size * inner;
    const oi = o * inner;
    // Start every (o, i) at s = 0, then scan rows s = 1.. contiguously over i.
    for (let i = 0; i < inner; i++) {
      out[oi + i] = x[base + i];
      index[oi + i] = 0;
    }
    for (let s = 1; s < size; s++) {
      const row = base + s * inner;
      for (let i = 0; i < inner; i++) {
        const v = x[row + i];
        const best = out[oi + i];
        // Strict `>` keeps the first maximum on ties.
        if (v > best || (v !== v && best === best)) {
          out[oi + i] = v;
          index[oi + i] = s;
        }
      }
    }
  }
}

/**
 * Softmax along the middle axis; with `log`, log-softmax. The line maximum is
 * subtracted first so exp never overflows (inputs like ±1000 stay finite), and
 * log-softmax is computed as x − max − log Σ exp(x − max) rather than as the
 * log of a softmax that may have underflowed to 0. A line that is all −∞, or
 * holds +∞ or NaN, comes out NaN (as in PyTorch for the all −∞ case). `out`
 * may alias `x`.
 */
export function softmax(x: Storage, args: AxisLayout & { out: Storage; log?: boolean }): void {
  const { outer, size, inner, out } = args;
  const log = args.log === true;
  if (size === 0) return;
  // One line at a time, stride `inner`: contiguous in the common last-axis
  // case (inner = 1), and every pass reads the same few cache lines otherwise.
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const start = o * size * inner + i;
      const end = start + size * inner;
      let max = -Infinity;
      for (let p = start; p < end; p += inner) if (x[p] > max) max = x[p];
      let sum = 0;
      if (log) {
        for (let p = start; p < end; p += inner) sum += Math.exp(x[p] - max);
        const shift = max + Math.log(sum);
        for (let p = start; p < end; p += inner) out[p] = x[p] - shift;
      } else {
        for (let p = start; p < end; p += inner) {
          const e = Math.exp(x[p] - max);
          out[p] = e;
          sum += e;
        }
        const scale = 1 / sum;
        for (let p = start; p < end; p += inner) out[p] *= scale;
      }
    }
  }
}
