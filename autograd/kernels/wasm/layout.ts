/**
 * The TypeScript side of the WebAssembly layout move (layout.wat):
 * `swapLeadingAxes`, the conv op's move between the gemm layout
 * [C, N, H·W] and N×C×H·W, with the bias added on the way. A resident
 * operand (the op's scratch, resident.ts) is read or written in place.
 *
 * @module
 */

import { isFloat32, type Kernels } from "../kernels.ts";
import { align16, type WasmScratch } from "./scratch.ts";

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
    const floats = isFloat32(x) && isFloat32(out) && (bias === undefined || isFloat32(bias));
    // Resident operands (the conv op's scratch) are moved in place: no copies to pay back.
    const [xIn, outIn] = floats ? [scratch.addressOf(x), scratch.addressOf(out)] : [-1, -1];
    const inPlace = xIn >= 0 && outIn >= 0;
    const xSlot = scratch.base;
    const biasAt = xSlot + align16(size * 4);
    const outSlot = biasAt + align16(a * 4);
    if (
      !floats || scratch.small(size, MIN_SWAP) ||
      (bias === undefined && inner >= PLAIN_RUN_MAX && !inPlace) ||
      !scratch.reserve(outSlot + size * 4 - scratch.base)
    ) {
      fallback.swapLeadingAxes(x, args);
      return;
    }
    if (bias) scratch.f32.set(bias.subarray(0, a), biasAt >> 2);
    scratch.exports.swap_leading_axes(
      scratch.input(x as Float32Array, xIn, xSlot, 0, size),
      biasAt,
      scratch.output(outIn, outSlot, 0),
      a,
      b,
      inner,
      bias ? 1 : 0,
    );
    scratch.copyOut(out as Float32Array, outIn, outSlot, 0, size);
  };
}
