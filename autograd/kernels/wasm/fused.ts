/**
 * The TypeScript side of the fused WebAssembly kernels (fused.wat): a linear
 * layer's bias add, its activation backward and the squared error's
 * backward. Like the element-wise kernels they run on resident operands in
 * place, whole, and stream other float32 arrays through scratch memory in
 * chunks; everything else (Float64Array storage, short arrays, no scratch)
 * goes to the fallback, whose loops round the same way, so the choice never
 * changes a bit.
 *
 * @module
 */

import { type ActivationOp, isFloat32, type Kernels } from "../kernels.ts";
import { CHUNK, UNARY } from "./elementwise.ts";
import { align16, type WasmScratch } from "./scratch.ts";

/**
 * Shortest arrays worth the copies into WebAssembly memory. Not measured one
 * by one: these loops are as light as axpby's, so they take its threshold.
 */
const MIN_LENGTH = 256;

/** Op codes of fused.wat's activation_grad. */
export const ACTIVATION_CODE: Record<ActivationOp, number> = { sigmoid: 0, tanh: 1, relu: 2 };

/**
 * Returns the addBias kernel of the wasm backend. `unary` is the set's own
 * unary kernel: a call that takes the fallback applies the activation with
 * it, so the bits are those of addBias followed by unary either way (on the
 * WebAssembly path the activation runs on each chunk while it is in scratch,
 * which `unary` itself would do at these lengths).
 */
export function wasmAddBias(
  scratch: WasmScratch,
  fallback: Kernels,
  unary: Kernels["unary"],
): Kernels["addBias"] {
  return (x, args) => {
    const { bias, out, activation } = args;
    const n = bias.length;
    // Whole rows per chunk, at least one however long the row.
    const rowsPerChunk = Math.max(1, Math.floor(CHUNK / Math.max(n, 1)));
    const biasBytes = align16(n * 4);
    const code = activation === undefined ? -1 : UNARY[activation]!.code;
    // Before reserving: a resident operand moves the scratch onto the shared memory.
    const inPlace = scratch.inPlace(x, out);
    if (
      n === 0 || scratch.small(out.length, MIN_LENGTH) || !isFloat32(x) || !isFloat32(bias) ||
      !isFloat32(out) ||
      // 64 bytes past the chunk: the unary loop runs whole blocks of 16 floats.
      !scratch.reserve(biasBytes + rowsPerChunk * n * 4 + 64)
    ) {
      fallback.addBias(x, { bias, out });
      if (activation) unary(activation, out, out);
      return;
    }
    const biasAt = scratch.base;
    const xAt = biasAt + biasBytes;
    const mem = scratch.f32;
    mem.set(bias, biasAt >> 2);
    if (inPlace) {
      const [from, to] = inPlace;
      scratch.exports.add_bias(from, biasAt, to, out.length / n, n);
      if (code >= 0) scratch.exports.unary(code, to, to, out.length);
      return;
    }
    const step = rowsPerChunk * n;
    for (let start = 0; start < out.length; start += step) {
      const len = Math.min(step, out.length - start);
      mem.set(x.subarray(start, start + len), xAt >> 2);
      scratch.exports.add_bias(xAt, biasAt, xAt, len / n, n);
      if (code >= 0) scratch.exports.unary(code, xAt, xAt, len);
      out.set(mem.subarray(xAt >> 2, (xAt >> 2) + len), start);
    }
  };
}

/** Returns the activationGrad kernel of the wasm backend. */
export function wasmActivationGrad(
  scratch: WasmScratch,
  fallback: Kernels,
): Kernels["activationGrad"] {
  return (op, args) => {
    const { y, grad, out } = args;
    const n = out.length;
    const inPlace = scratch.inPlace(y, grad, out);
    if (
      scratch.small(n, MIN_LENGTH) || !isFloat32(y) || !isFloat32(grad) || !isFloat32(out) ||
      !scratch.reserve(2 * CHUNK * 4)
    ) {
      fallback.activationGrad(op, args);
      return;
    }
    const code = ACTIVATION_CODE[op];
    if (inPlace) {
      scratch.exports.activation_grad(code, inPlace[0], inPlace[1], inPlace[2], n);
      return;
    }
    const yAt = scratch.base;
    const gAt = yAt + CHUNK * 4;
    const mem = scratch.f32;
    for (let start = 0; start < n; start += CHUNK) {
      const len = Math.min(CHUNK, n - start);
      mem.set(y.subarray(start, start + len), yAt >> 2);
      mem.set(grad.subarray(start, start + len), gAt >> 2);
      scratch.exports.activation_grad(code, yAt, gAt, gAt, len);
      out.set(mem.subarray(gAt >> 2, (gAt >> 2) + len), start);
    }
  };
}

/** Returns the squaredErrorGrad kernel of the wasm backend. */
export function wasmSquaredErrorGrad(
  scratch: WasmScratch,
  fallback: Kernels,
): Kernels["squaredErrorGrad"] {
  return (diff, args) => {
    const { out, seed } = args;
    const n = out.length;
    const inPlace = scratch.inPlace(diff, out);
    if (
      scratch.small(n, MIN_LENGTH) || !isFloat32(diff) || !isFloat32(out) ||
      !scratch.reserve(CHUNK * 4)
    ) {
      fallback.squaredErrorGrad(diff, args);
      return;
    }
    if (inPlace) {
      scratch.exports.squared_error_grad(inPlace[0], inPlace[1], seed, n);
      return;
    }
    const at = scratch.base;
    const mem = scratch.f32;
    for (let start = 0; start < n; start += CHUNK) {
      const len = Math.min(CHUNK, n - start);
      mem.set(diff.subarray(start, start + len), at >> 2);
      scratch.exports.squared_error_grad(at, at, seed, len);
      out.set(mem.subarray(at >> 2, (at >> 2) + len), start);
    }
  };
}
