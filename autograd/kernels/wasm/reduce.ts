/**
 * The TypeScript side of the WebAssembly reductions: sum along an axis, the
 * squared error's column sums (squaredDiffColumns) and
 * softmax / log-softmax along the last axis (inner = 1; other layouts go to
 * the fallback). Resident arrays (resident.ts) are read and written in
 * place, whole; whole slabs of other arrays (one outer index each) are
 * streamed through scratch memory in chunks of about {@linkcode CHUNK}
 * elements.
 *
 * @module
 */

import { isFloat32, type Kernels } from "../kernels.ts";
import { align16, type WasmScratch } from "./scratch.ts";

/** Target elements per chunk (64 KiB): a chunk and its result stay in L2. */
const CHUNK = 16384;

/**
 * Smallest arrays (elements) sent to WebAssembly. Medians on the dev machine,
 * reference / wasm in µs, as outer×size×inner:
 * - sum, inner = 1: 1×128×1 0.053/0.103, 1×256×1 0.122/0.107,
 *   1×512×1 0.258/0.150, 1×4096×1 2.09/0.78;
 * - sum, inner > 1 (the reference allocates a row of doubles per call):
 *   1×16×16 1.10/0.13, 1×32×64 2.10/0.46, 1×1024×1024 496/213;
 * - softmax: 1×10×1 0.081/0.094, 2×10×1 0.158/0.117, 32×10×1 2.56/0.62,
 *   32×100×1 25.3/3.4.
 */
const SUM_ROWS_MIN_LENGTH = 512;
const SUM_STRIDED_MIN_LENGTH = 64;
const SOFTMAX_MIN_LENGTH = 16;

/** Slabs (of `slab` elements) per chunk: as many as fit {@linkcode CHUNK}, at least one. */
function slabsPerChunk(slab: number): number {
  return Math.max(1, Math.floor(CHUNK / slab));
}

/** Returns the sumAxis kernel of the wasm backend. */
export function wasmSumAxis(scratch: WasmScratch, fallback: Kernels): Kernels["sumAxis"] {
  return (x, args) => {
    const { outer, size, inner, out } = args;
    const slab = size * inner;
    const minimum = inner === 1 ? SUM_ROWS_MIN_LENGTH : SUM_STRIDED_MIN_LENGTH;
    if (scratch.small(outer * slab, minimum) || size === 0 || !isFloat32(x) || !isFloat32(out)) {
      fallback.sumAxis(x, args);
      return;
    }
    // A resident x is summed where it is, in one call (the sums go to scratch).
    const xIn = scratch.addressOf(x);
    const per = xIn >= 0 ? outer : slabsPerChunk(slab);
    const xAt = scratch.base;
    // 64 bytes of padding after each slot: the strided loop reads and writes blocks of 16 floats.
    const outAt = xIn >= 0 ? xAt : xAt + align16(per * slab * 4 + 64);
    if (!scratch.reserve(outAt + per * inner * 4 + 64 - scratch.base)) {
      fallback.sumAxis(x, args);
      return;
    }
    const mem = scratch.f32;
    for (let o = 0; o < outer; o += per) {
      const count = Math.min(per, outer - o);
      const from = scratch.input(x, xIn, xAt, o * slab, count * slab);
      scratch.exports.sum_axis(from, outAt, count, size, inner);
      out.set(mem.subarray(outAt >> 2, (outAt >> 2) + count * inner), o * inner);
    }
  };
}

/**
 * Returns the squaredDiffColumns kernel of the wasm backend: resident
 * operands are read and written in place (all rows in one call when all
 * three are); whole rows of the others are streamed through scratch in
 * chunks (a chunk's last row may write up to 15 floats of a resident diff
 * past it, which the next chunk writes again); the f64 column sums stay in
 * scratch from chunk to chunk. Takes sumAxis's strided threshold:
 * below it sumAxis itself runs the reference loop, which rounds the same.
 */
export function wasmSquaredDiffColumns(
  scratch: WasmScratch,
  fallback: Kernels,
): Kernels["squaredDiffColumns"] {
  return (a, b, args) => {
    const { diff, out } = args;
    const w = out.length;
    if (
      scratch.small(diff.length, SUM_STRIDED_MIN_LENGTH) || diff.length === 0 || !isFloat32(a) ||
      !isFloat32(b) || !isFloat32(diff) || !isFloat32(out)
    ) {
      fallback.squaredDiffColumns(a, b, args);
      return;
    }
    const rows = diff.length / w;
    // Resident operands are read and written where they are; the others stream through scratch.
    const [aIn, bIn, diffIn] = [
      scratch.addressOf(a),
      scratch.addressOf(b),
      scratch.addressOf(diff),
    ];
    const per = aIn < 0 || bIn < 0 || diffIn < 0 ? slabsPerChunk(w) : rows;
    // 64 bytes of padding after each slot: the loop reads and writes blocks of 16 floats.
    const bytes = align16(per * w * 4 + 64);
    const aAt = scratch.base;
    const bAt = aAt + (aIn < 0 ? bytes : 0);
    const diffAt = bAt + (bIn < 0 ? bytes : 0);
    const outAt = diffAt + (diffIn < 0 ? bytes : 0);
    const accAt = outAt + align16(w * 4 + 64);
    if (!scratch.reserve(accAt + (w + 15) * 8 - scratch.base)) {
      fallback.squaredDiffColumns(a, b, args);
      return;
    }
    for (let r = 0; r < rows; r += per) {
      const [from, len] = [r * w, Math.min(per, rows - r) * w];
      scratch.exports.squared_diff_columns(
        scratch.input(a, aIn, aAt, from, len),
        scratch.input(b, bIn, bAt, from, len),
        scratch.output(diffIn, diffAt, from),
        outAt,
        len / w,
        w,
        accAt,
        r === 0 ? 1 : 0,
      );
      scratch.copyOut(diff, diffIn, diffAt, from, len);
    }
    const mem = scratch.f32;
    out.set(mem.subarray(outAt >> 2, (outAt >> 2) + w));
  };
}

/** Returns the softmax kernel of the wasm backend. */
export function wasmSoftmax(scratch: WasmScratch, fallback: Kernels): Kernels["softmax"] {
  return (x, args) => {
    const { outer, size, inner, out } = args;
    if (
      inner !== 1 || size === 0 || scratch.small(outer * size, SOFTMAX_MIN_LENGTH) ||
      !isFloat32(x) ||
      !isFloat32(out)
    ) {
      fallback.softmax(x, args);
      return;
    }
    const inPlace = scratch.inPlace(x, out);
    if (inPlace) {
      scratch.exports.softmax_rows(inPlace[0], inPlace[1], outer, size, args.log ? 1 : 0);
      return;
    }
    const per = slabsPerChunk(size);
    const xAt = scratch.base;
    // 64 bytes of padding after each operand: the exp loop runs blocks of four vectors.
    const outAt = xAt + align16(per * size * 4 + 64);
    if (!scratch.reserve(outAt + per * size * 4 + 64 - scratch.base)) {
      fallback.softmax(x, args);
      return;
    }
    const mem = scratch.f32;
    const log = args.log ? 1 : 0;
    for (let o = 0; o < outer; o += per) {
      const count = Math.min(per, outer - o);
      mem.set(x.subarray(o * size, (o + count) * size), xAt >> 2);
      scratch.exports.softmax_rows(xAt, outAt, count, size, log);
      out.set(mem.subarray(outAt >> 2, (outAt >> 2) + count * size), o * size);
    }
  };
}
