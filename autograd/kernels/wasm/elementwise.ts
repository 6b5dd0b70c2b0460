/**
 * The TypeScript side of the element-wise WebAssembly kernels (unary math,
 * binary arithmetic, axpby). Resident operands (resident.ts) are computed
 * in place, whole. Other arrays are streamed through scratch memory in
 * chunks of {@linkcode CHUNK} elements: each chunk is copied in, computed and
 * copied out while it is still in L2, and the scratch stays small however
 * large the tensor.
 *
 * @module
 */

import { type BinaryOp, isFloat32, type Kernels, type UnaryOp } from "../kernels.ts";
import type { WasmScratch } from "./scratch.ts";

/**
 * Elements per chunk: 64 KiB per operand, so three operands sit in L2. A multiple of 16, so the
 * unary loop's blocks of 16 floats stay inside a chunk's reservation.
 */
export const CHUNK = 16384;

/**
 * Op codes of elementwise.wat, and the shortest array each op is worth
 * sending to WebAssembly: below it the reference loop wins, copies included.
 * Medians of 9 runs on the dev machine, reference / wasm in ns per call:
 *   exp      8: 53/80     16: 101/95    64: 402/164    512: 3099/786
 *   log      8: 66/89     16: 139/101   64: 580/175    512: 4629/859
 *   sigmoid  8: 81/89     16: 160/106   64: 601/207    512: 4815/1065
 *   tanh     8: 73/88     16: 142/112   64: 627/224    512: 4435/2159
 *   relu    64: 85/84     96: 81/97    128: 116/101    512: 420/216
 *   add     96: 73/114   128: 99/116   192: 151/123    512: 375/175
 *   div     96: 94/119   128: 148/135  192: 194/138    512: 479/212
 * (sub and mul as add). Per element on long arrays (1M): exp 6.2 → 1.1,
 * log 9.1 → 1.6, sigmoid 8.0 → 1.7, tanh 8.0 → 2.2, relu 0.8 → 0.3,
 * add 0.7 → 0.25 ns.
 */
export const UNARY: Partial<Record<UnaryOp, { code: number; minLength: number }>> = {
  exp: { code: 0, minLength: 16 },
  log: { code: 1, minLength: 16 },
  sigmoid: { code: 2, minLength: 16 },
  tanh: { code: 3, minLength: 16 },
  relu: { code: 4, minLength: 128 },
};

/** As {@linkcode UNARY}, for binary ops. */
const BINARY: Partial<Record<BinaryOp, { code: number; minLength: number }>> = {
  add: { code: 0, minLength: 192 },
  sub: { code: 1, minLength: 192 },
  mul: { code: 2, minLength: 192 },
  div: { code: 3, minLength: 192 },
};

/**
 * Shortest arrays axpby sends to WebAssembly: 192: 121/124 ns, 256: 157/133, 512: 295/174.
 * Shorter ones round as the fallback's axpby does (in float64 on the reference set), so kernels
 * that must give axpby's bits (adam_update.ts) switch at this same length.
 */
export const AXPBY_MIN_LENGTH = 256;

/** Returns the unary kernel of the wasm backend. */
export function wasmUnary(scratch: WasmScratch, fallback: Kernels): Kernels["unary"] {
  return (op, x, out) => {
    const entry = UNARY[op];
    const n = x.length;
    if (
      entry === undefined || scratch.small(n, entry.minLength) || !isFloat32(x) || !isFloat32(out)
    ) {
      fallback.unary(op, x, out);
      return;
    }
    const inPlace = scratch.inPlace(x, out);
    if (inPlace) {
      scratch.exports.unary(entry.code, inPlace[0], inPlace[1], n);
      return;
    }
    if (!scratch.reserve(CHUNK * 4)) {
      fallback.unary(op, x, out);
      return;
    }
    const at = scratch.base;
    const mem = scratch.f32;
    for (let start = 0; start < n; start += CHUNK) {
      const len = Math.min(CHUNK, n - start);
      mem.set(x.subarray(start, start + len), at >> 2);
      scratch.exports.unary(entry.code, at, at, len);
      out.set(mem.subarray(at >> 2, (at >> 2) + len), start);
    }
  };
}

/** Returns the contiguous binary kernel of the wasm backend. */
export function wasmBinary(scratch: WasmScratch, fallback: Kernels): Kernels["binary"] {
  return (op, args) => {
    const { a, b, out } = args;
    const entry = BINARY[op];
    const n = out.length;
    if (
      entry === undefined || scratch.small(n, entry.minLength) || !isFloat32(a) || !isFloat32(b) ||
      !isFloat32(out)
    ) {
      fallback.binary(op, args);
      return;
    }
    const streamed = streamPairs(scratch, { a, b, out }, (aAt, bAt, outAt, len) => {
      scratch.exports.binary(entry.code, aAt, bAt, outAt, len);
    });
    if (!streamed) fallback.binary(op, args);
  };
}

/** Returns the axpby kernel of the wasm backend. */
export function wasmAxpby(scratch: WasmScratch, fallback: Kernels): Kernels["axpby"] {
  return (args) => {
    const { a, b, out, alpha, beta } = args;
    const n = out.length;
    if (
      scratch.small(n, AXPBY_MIN_LENGTH) || !isFloat32(a) || !isFloat32(b) || !isFloat32(out)
    ) {
      fallback.axpby(args);
      return;
    }
    const streamed = streamPairs(scratch, { a, b, out }, (aAt, bAt, outAt, len) => {
      scratch.exports.axpby(aAt, alpha, bAt, beta, outAt, len);
    });
    if (!streamed) fallback.axpby(args);
  };
}

/**
 * Streams `a` and `b` through scratch memory chunk by chunk: `run(aAt, bAt,
 * outAt, len)` computes one chunk into `a`'s slot (outAt), which is copied
 * out to `out`. When all three are resident, `run` computes them whole in
 * place instead. False, having run nothing, when the scratch cannot grow.
 */
function streamPairs(
  scratch: WasmScratch,
  arrays: { a: Float32Array; b: Float32Array; out: Float32Array },
  run: (aAt: number, bAt: number, outAt: number, len: number) => void,
): boolean {
  const { a, b, out } = arrays;
  const inPlace = scratch.inPlace(a, b, out);
  if (inPlace) {
    run(inPlace[0], inPlace[1], inPlace[2], out.length);
    return true;
  }
  if (!scratch.reserve(2 * CHUNK * 4)) return false;
  const aAt = scratch.base;
  const bAt = aAt + CHUNK * 4;
  const mem = scratch.f32;
  for (let start = 0; start < out.length; start += CHUNK) {
    const len = Math.min(CHUNK, out.length - start);
    mem.set(a.subarray(start, start + len), aAt >> 2);
    mem.set(b.subarray(start, start + len), bAt >> 2);
    run(aAt, bAt, aAt, len);
    out.set(mem.subarray(aAt >> 2, (aAt >> 2) + len), start);
  }
  return true;
}
