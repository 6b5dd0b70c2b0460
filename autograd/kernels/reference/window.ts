/**
 * Sliding-window kernels of the reference backend: im2col / col2im (the
 * convolution lowering to gemm) and max / average pooling with their
 * backwards, all over N×C×H×W batches described by a {@linkcode Window2d}.
 *
 * Padding is never materialised: for every kernel offset the range of output
 * positions whose input falls inside the image is computed once, so inner
 * loops carry no bounds test.
 *
 * @module
 */

import type { Storage, Window2d } from "../kernels.ts";

/**
 * For each kernel offset `t` (0..kernel−1), the output positions `o` whose
 * input `o·stride − pad + t` lies in [0, extent): they form `[lo[t], hi[t])`.
 */
function insideOutputs(
  extent: number,
  g: { kernel: number; stride: number; pad: number; count: number },
): { lo: Int32Array; hi: Int32Array } {
  const lo = new Int32Array(g.kernel);
  const hi = new Int32Array(g.kernel);
  for (let t = 0; t < g.kernel; t++) {
    const first = t - g.pad; // input position of output 0
    const start = first >= 0 ? 0 : Math.ceil(-first / g.stride);
    const end = first >= extent ? 0 : Math.floor((extent - 1 - first) / g.stride) + 1;
    lo[t] = Math.min(start, g.count);
    hi[t] = Math.max(lo[t], Math.min(end, g.count));
  }
  return { lo, hi };
}

/**
 * The loop nest shared by im2col and its adjoint: visits every in-image pair
 * (image element, column entry) and copies image → cols, or adds cols → image
 * when `adjoint`. Out-of-image entries are skipped (they read as 0 / drop).
 */
function unfold(g: Window2d & { image: Storage; cols: Storage; adjoint: boolean }): void {
  const { n, c, h, w, kh, kw, stride, pad, oh, ow, image, cols, adjoint } = g;
  const ys = insideOutputs(h, { kernel: kh, stride, pad, count: oh });
  const xs = insideOutputs(w, { kernel: kw, stride, pad, count: ow });
  const colCount = n * oh * ow;
  for (let ch = 0; ch < c; ch++) {
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const rowBase = ((ch * kh + i) * kw + j) * colCount;
        const xlo = xs.lo[j];
        const xhi = xs.hi[j];
        for (let b = 0; b < n; b++) {
          const plane = (b * c + ch) * h * w;
          for (let y = ys.lo[i]; y < ys.hi[i]; y++) {
            const dst = rowBase + (b * oh + y) * ow;
            const src = plane + (y * stride - pad + i) * w - pad + j;
            if (adjoint) {
              for (let x = xlo, s = src + xlo * stride; x < xhi; x++, s += stride) {
                image[s] += cols[dst + x];
              }
            } else {
              for (let x = xlo, s = src + xlo * stride; x < xhi; x++, s += stride) {
                cols[dst + x] = image[s];
              }
            }
          }
        }
      }
    }
  }
}

/**
 * Unfolds x (N×C×H×W) into `cols`, (C·kh·kw) rows × (N·oh·ow) columns: row
 * (c·kh + i)·kw + j, column (n·oh + y)·ow + x holds input
 * (y·stride − pad + i, x·stride − pad + j) of plane (n, c), or 0 in the padding.
 */
export function im2col(x: Storage, args: Window2d & { cols: Storage }): void {
  // Zero everything once (a native fill) so the loop only visits in-image entries.
  args.cols.fill(0, 0, args.c * args.kh * args.kw * args.n * args.oh * args.ow);
  unfold({ ...args, image: x, adjoint: false });
}

/** The adjoint of {@linkcode im2col}: adds every column entry into `out` (not cleared first). */
export function col2im(cols: Storage, args: Window2d & { out: Storage }): void {
  unfold({ ...args, image: args.out, cols, adjoint: true });
}

/**
 * For each output position `o` (0..count−1), the input range `[start[o], end[o])`
 * its window covers along one axis, clipped to [0, extent).
 */
function windowSpans(
  extent: number,
  g: { kernel: number; stride: number; pad: number; count: number },
): { start: Int32Array; end: Int32Array } {
  const start = new Int32Array(g.count);
  const end = new Int32Array(g.count);
  for (let o = 0; o < g.count; o++) {
    const first = o * g.stride - g.pad;
    start[o] = Math.max(first, 0);
    end[o] = Math.min(first + g.kernel, extent);
  }
  return { start, end };
}

/** Row and column window spans of a pooling geometry (see {@linkcode windowSpans}). */
function poolSpans(g: Window2d): {
  ys: { start: Int32Array; end: Int32Array };
  xs: { start: Int32Array; end: Int32Array };
} {
  return {
    ys: windowSpans(g.h, { kernel: g.kh, stride: g.stride, pad: g.pad, count: g.oh }),
    xs: windowSpans(g.w, { kernel: g.kw, stride: g.stride, pad: g.pad, count: g.ow }),
  };
}

/**
 * Max pooling over N×C×H×W into N×C×oh×ow; padding never wins. `index`
 * receives the flat position h·W + w (within its input plane) of the first
 * maximum of each window; NaN wins so it propagates. A window lying wholly in
 * the padding (only possible when pad ≥ kernel) gives −∞ and index −1.
 */
export function maxPool2d(
  x: Storage,
  args: Window2d & { out: Storage; index: Int32Array },
): void {
  if (args.pad === 0) {
    maxPoolUnpadded(x, args);
    return;
  }
  const { n, c, h, w, oh, ow, out, index } = args;
  const { ys, xs } = poolSpans(args);
  for (let p = 0, o = 0; p < n * c; p++) {
    const plane = p * h * w;
    for (let y = 0; y < oh; y++) {
      for (let xo = 0; xo < ow; xo++, o++) {
        let best = -Infinity;
        let at = -1;
        for (let iy = ys.start[y]; iy < ys.end[y]; iy++) {
          for (let ix = xs.start[xo], q = iy * w + ix; ix < xs.end[xo]; ix++, q++) {
            const v = x[plane + q];
            // `at < 0` takes the first in-image cell even if it is −∞;
            // strict `>` keeps the first maximum on ties.
            if (at < 0 || v > best || (v !== v && best === best)) {
              best = v;
              at = q;
            }
          }
        }
        out[o] = best;
        index[o] = at;
      }
    }
  }
}

/**
 * {@linkcode maxPool2d} without padding, where every window lies wholly in
 * its image: no span tables and no first-cell test in the inner loop (the
 * window's first cell starts as the best), the same results.
 */
function maxPoolUnpadded(x: Storage, args: Window2d & { out: Storage; index: Int32Array }): void {
  const { n, c, h, w, kh, kw, stride, oh, ow, out, index } = args;
  for (let p = 0, o = 0; p < n * c; p++) {
    const plane = p * h * w;
    for (let y = 0; y < oh; y++) {
      for (let xo = 0, corner = y * stride * w; xo < ow; xo++, o++, corner += stride) {
        let best = x[plane + corner];
        let at = corner;
        for (let i = 0; i < kh; i++) {
          for (let j = 0, q = corner + i * w; j < kw; j++, q++) {
            const v = x[plane + q];
            if (v > best || (v !== v && best === best)) {
              best = v;
              at = q;
            }
          }
        }
        out[o] = best;
        index[o] = at;
      }
    }
  }
}

/** Backward of {@linkcode maxPool2d}: out[plane, index] += grad for every output (out not cleared). */
export function maxPool2dBackward(
  grad: Storage,
  args: Window2d & { index: Int32Array; out: Storage },
): void {
  const { n, c, h, w, oh, ow, index, out } = args;
  const perPlane = oh * ow;
  for (let p = 0, o = 0; p < n * c; p++) {
    const plane = p * h * w;
    const end = o + perPlane;
    for (; o < end; o++) {
      // index −1 marks an all-padding window: it took nothing, it gets nothing.
      if (index[o] >= 0) out[plane + index[o]] += grad[o];
    }
  }
}

/**
 * Average pooling over N×C×H×W into N×C×oh×ow. Padded cells count as zeros and
 * the divisor is always kh·kw (PyTorch's count_include_pad = true).
 */
export function avgPool2d(x: Storage, args: Window2d & { out: Storage }): void {
  const { n, c, h, w, kh, kw, oh, ow, out } = args;
  const scale = 1 / (kh * kw);
  const { ys, xs } = poolSpans(args);
  for (let p = 0, o = 0; p < n * c; p++) {
    const plane = p * h * w;
    for (let y = 0; y < oh; y++) {
      for (let xo = 0; xo < ow; xo++, o++) {
        let sum = 0;
        for (let iy = ys.start[y]; iy < ys.end[y]; iy++) {
          const row = plane + iy * w;
          for (let ix = xs.start[xo]; ix < xs.end[xo]; ix++) sum += x[row + ix];
        }
        out[o] = sum * scale;
      }
    }
  }
}

/** Backward of {@linkcode avgPool2d}: adds grad/(kh·kw) to every in-image cell of each window. */
export function avgPool2dBackward(grad: Storage, args: Window2d & { out: Storage }): void {
  const { n, c, h, w, kh, kw, oh, ow, out } = args;
  const scale = 1 / (kh * kw);
  const { ys, xs } = poolSpans(args);
  for (let p = 0, o = 0; p < n * c; p++) {
    const plane = p * h * w;
    for (let y = 0; y < oh; y++) {
      for (let xo = 0; xo < ow; xo++, o++) {
        const g = grad[o] * scale;
        for (let iy = ys.start[y]; iy < ys.end[y]; iy++) {
          const row = plane + iy * w;
          for (let ix = xs.start[xo]; ix < xs.end[xo]; ix++) out[row + ix] += g;
        }
      }
    }
  }
}
