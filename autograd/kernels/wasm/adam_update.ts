/**
 * The TypeScript side of the adamUpdate WebAssembly kernel (adam_update.wat):
 * resident operands (the layers' parameters, the optimizer's moments, the
 * reused gradients: resident.ts) are updated where they are in one call;
 * others are streamed through scratch memory in chunks, each chunk updated
 * in one pass and the parameter and moments copied back — seven copies and
 * no temporaries, where the unfused ops made about twenty passes and five
 * parameter-sized arrays.
 *
 * The update rounds as the unfused ops did on this backend, and those sent
 * arrays shorter than {@linkcode AXPBY_MIN_LENGTH} to the fallback's axpby,
 * which rounds differently (in float64 on the reference set). So the same
 * arrays go to the fallback's adamUpdate here: that length is a matter of
 * bits, not of speed. Float64Array storage goes there too.
 *
 * @module
 */

import { adamScalars } from "../adam_update.ts";
import { isFloat32, type Kernels } from "../kernels.ts";
import { AXPBY_MIN_LENGTH, CHUNK } from "./elementwise.ts";
import type { WasmScratch } from "./scratch.ts";

/** Returns the adamUpdate kernel of the wasm backend. */
export function wasmAdamUpdate(scratch: WasmScratch, fallback: Kernels): Kernels["adamUpdate"] {
  return (param, args) => {
    const { grad, m, v } = args;
    const n = param.length;
    // Before reserving: a resident operand moves the scratch onto the shared memory.
    const inPlace = scratch.inPlace(param, grad, m, v);
    if (
      scratch.small(n, AXPBY_MIN_LENGTH) || !isFloat32(param) || !isFloat32(grad) ||
      !isFloat32(m) || !isFloat32(v) ||
      (!inPlace && !scratch.reserve(4 * CHUNK * 4))
    ) {
      fallback.adamUpdate(param, args);
      return;
    }
    const s = adamScalars(args);
    const update = (at: number[], len: number) =>
      scratch.exports.adam_update(
        at[0],
        at[1],
        at[2],
        at[3],
        len,
        s.decay ? 1 : 0,
        s.weightDecay,
        s.beta1,
        s.oneMinusBeta1,
        s.beta2,
        s.oneMinusBeta2,
        s.correction2,
        s.eps,
        s.stepScale,
      );
    if (inPlace) {
      update(inPlace, n);
      return;
    }
    const pAt = scratch.base;
    const gAt = pAt + CHUNK * 4;
    const mAt = gAt + CHUNK * 4;
    const vAt = mAt + CHUNK * 4;
    const mem = scratch.f32;
    for (let start = 0; start < n; start += CHUNK) {
      const len = Math.min(CHUNK, n - start);
      const end = start + len;
      mem.set(param.subarray(start, end), pAt >> 2);
      mem.set(grad.subarray(start, end), gAt >> 2);
      mem.set(m.subarray(start, end), mAt >> 2);
      mem.set(v.subarray(start, end), vAt >> 2);
      update([pAt, gAt, mAt, vAt], len);
      param.set(mem.subarray(pAt >> 2, (pAt >> 2) + len), start);
      m.set(mem.subarray(mAt >> 2, (mAt >> 2) + len), start);
      v.set(mem.subarray(vAt >> 2, (vAt >> 2) + len), start);
    }
  };
}
