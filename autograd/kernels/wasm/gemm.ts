/**
 * The TypeScript side of the WebAssembly gemm: copies A, B (and C when
 * accumulating) into scratch memory, runs the blocked SIMD product of
 * `gemm.wat`, copies C back. Products below a size threshold, or on
 * Float64Array storage, go to the fallback kernels.
 *
 * @module
 */

import type { GemmArgs, Kernels } from "../kernels.ts";
import { align16, type WasmScratch } from "./scratch.ts";

/** Flag bits of the exported gemm (gemm.wat). */
const TRANS_A = 1;
const TRANS_B = 2;
const ACCUMULATE = 4;

/**
 * Smallest m·n·k sent to WebAssembly. A call costs about 0.1 µs of fixed
 * overhead; medians on the dev machine, reference / wasm in µs (m×k×n):
 * 4×4×4 0.098/0.112, 6×6×6 0.237/0.126, 7×7×7 0.330/0.159,
 * 8×8×8 0.395/0.135, 32×64×36 29.5/4.0.
 */
const MIN_VOLUME = 256;

/**
 * A single row (m = 1) stays with the reference: the 6-row micro-kernel
 * would waste 5/6 of its work (1×1024×64: 24.3/21.8 µs, transB 21.3/30.6).
 */
const MIN_ROWS = 2;

/** Returns the gemm kernel of the wasm backend. */
export function wasmGemm(scratch: WasmScratch, fallback: Kernels): (args: GemmArgs) => void {
  const { exports } = scratch;
  const mc = exports.GEMM_MC.value as number;
  const kc = exports.GEMM_KC.value as number;
  return (args) => {
    const { a, b, c, m, n, k } = args;
    if (
      !(a instanceof Float32Array && b instanceof Float32Array && c instanceof Float32Array) ||
      scratch.small(m * n * k, MIN_VOLUME) || scratch.small(m, MIN_ROWS)
    ) {
      fallback.gemm(args);
      return;
    }
    const aSize = m * k;
    const bSize = k * n;
    const cSize = m * n;
    const aAt = scratch.base;
    const bAt = aAt + align16(aSize * 4);
    const cAt = bAt + align16(bSize * 4);
    const work = cAt + align16(cSize * 4);
    // Packed blocks (gemm.wat): MC×KC of A, then KC × (n rounded up to 8) of B.
    const workBytes = (mc * kc + kc * (Math.ceil(n / 8) * 8)) * 4;
    if (!scratch.reserve(work + workBytes - scratch.base)) {
      fallback.gemm(args);
      return;
    }
    const mem = scratch.f32;
    mem.set(a.length === aSize ? a : a.subarray(0, aSize), aAt >> 2);
    mem.set(b.length === bSize ? b : b.subarray(0, bSize), bAt >> 2);
    let flags = 0;
    if (args.transA) flags |= TRANS_A;
    if (args.transB) flags |= TRANS_B;
    if (args.accumulate) {
      flags |= ACCUMULATE;
      mem.set(c.length === cSize ? c : c.subarray(0, cSize), cAt >> 2);
    }
    exports.gemm(aAt, bAt, cAt, m, n, k, flags, work);
    c.set(mem.subarray(cAt >> 2, (cAt >> 2) + cSize));
  };
}
