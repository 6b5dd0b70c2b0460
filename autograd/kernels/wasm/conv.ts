/**
 * The TypeScript side of the WebAssembly im2col / col2im: copies the image
 * (and, for col2im, the columns and the accumulating output) into scratch
 * memory, unfolds or folds there, and copies the result back; and of the
 * conv op's layout move between them and the gemms (swapLeadingAxes).
 *
 * @module
 */

import type { Kernels, Storage, Window2d } from "../kernels.ts";
import { align16, type WasmScratch } from "./scratch.ts";

/**
 * Smallest column matrices (elements) sent to WebAssembly. WebAssembly wins
 * at every size measured (medians, reference / wasm µs, im2col | col2im):
 * 1×1×4×4 k2 (36 entries) 1.53/0.18 | 1.04/0.15; 1×1×16×16 k3 p1 2.71/0.77 |
 * 2.68/1.23; 32×1×28×28 k5 p2 470/171 | 474/151; 32×8×14×14 k3 p1 368/146 |
 * 402/133; 8×3×32×32 k3 stride 2 47/31 | 55/32.
 */
const MIN_COLS = 1;

const f32 = (x: Storage): x is Float32Array => x instanceof Float32Array;

/** Element counts of the image and the column matrix of a geometry. */
function sizes(g: Window2d): { image: number; cols: number } {
  return { image: g.n * g.c * g.h * g.w, cols: g.c * g.kh * g.kw * g.n * g.oh * g.ow };
}

/** Returns the im2col kernel of the wasm backend. */
export function wasmIm2col(scratch: WasmScratch, fallback: Kernels): Kernels["im2col"] {
  return (x, args) => {
    const { cols } = args;
    const size = sizes(args);
    const colsAt = scratch.base + align16(size.image * 4);
    if (
      scratch.small(size.cols, MIN_COLS) || size.image === 0 || !f32(x) || !f32(cols) ||
      !scratch.reserve(colsAt + size.cols * 4 - scratch.base)
    ) {
      fallback.im2col(x, args);
      return;
    }
    const { n, c, h, w, kh, kw, stride, pad, oh, ow } = args;
    const mem = scratch.f32;
    mem.set(x.subarray(0, size.image), scratch.base >> 2);
    scratch.exports.im2col(scratch.base, colsAt, n, c, h, w, kh, kw, stride, pad, oh, ow);
    cols.set(mem.subarray(colsAt >> 2, (colsAt >> 2) + size.cols));
  };
}

/** Returns the col2im kernel of the wasm backend. */
export function wasmCol2im(scratch: WasmScratch, fallback: Kernels): Kernels["col2im"] {
  return (cols, args) => {
    const { out } = args;
    const size = sizes(args);
    const outAt = scratch.base + align16(size.cols * 4);
    if (
      scratch.small(size.cols, MIN_COLS) || size.image === 0 || !f32(cols) || !f32(out) ||
      !scratch.reserve(outAt + size.image * 4 - scratch.base)
    ) {
      fallback.col2im(cols, args);
      return;
    }
    const { n, c, h, w, kh, kw, stride, pad, oh, ow } = args;
    const mem = scratch.f32;
    mem.set(cols.subarray(0, size.cols), scratch.base >> 2);
    mem.set(out.subarray(0, size.image), outAt >> 2);
    scratch.exports.col2im(scratch.base, outAt, n, c, h, w, kh, kw, stride, pad, oh, ow);
    out.set(mem.subarray(outAt >> 2, (outAt >> 2) + size.image));
  };
}

/**
 * Smallest arrays swapLeadingAxes sends to WebAssembly (not measured one by
 * one: the copies are the cost to pay back, as for the element-wise kernels).
 */
const MIN_SWAP = 256;

/**
 * Runs at least this long move faster in the reference when there is no
 * bias: it copies each run with one TypedArray.set, while WebAssembly adds
 * two copies of the whole array. Medians (µs, reference / wasm, the MNIST
 * CNN's chunks): [9, 32, 576] 29-38 / 46 without bias, 122 / 53 with it;
 * [2, 64, 64] 4.9 / 2.5 without, [64, 2, 64] 6.5 / 3.3 with.
 */
const PLAIN_RUN_MAX = 256;

/** Returns the swapLeadingAxes kernel of the wasm backend. */
export function wasmSwapLeadingAxes(
  scratch: WasmScratch,
  fallback: Kernels,
): Kernels["swapLeadingAxes"] {
  return (x, args) => {
    const { a, b, inner, bias, out } = args;
    const size = a * b * inner;
    const biasAt = scratch.base + align16(size * 4);
    const outAt = biasAt + align16(a * 4);
    if (
      scratch.small(size, MIN_SWAP) || (bias === undefined && inner >= PLAIN_RUN_MAX) ||
      !f32(x) || !f32(out) ||
      !(bias === undefined || f32(bias)) || !scratch.reserve(outAt + size * 4 - scratch.base)
    ) {
      fallback.swapLeadingAxes(x, args);
      return;
    }
    const mem = scratch.f32;
    mem.set(x.subarray(0, size), scratch.base >> 2);
    if (bias) mem.set(bias.subarray(0, a), biasAt >> 2);
    scratch.exports.swap_leading_axes(scratch.base, biasAt, outAt, a, b, inner, bias ? 1 : 0);
    out.set(mem.subarray(outAt >> 2, (outAt >> 2) + size));
  };
}
