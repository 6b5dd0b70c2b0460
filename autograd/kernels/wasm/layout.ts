/**
 * The TypeScript side of the WebAssembly layout move (layout.wat):
 * `swapLeadingAxes`, the conv op's move between the gemm layout
 * [C, N, H·W] and N×C×H·W, with the bias added on the way.
 *
 * @module
 */

import type { Kernels, Storage } from "../kernels.ts";
import { align16, type WasmScratch } from "./scratch.ts";

const f32 = (x: Storage): x is Float32Array => x instanceof Float32Array;

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
