/**
 * Tests of the native backend's squaredErrorGrad (native/squared_error_grad.ts):
 * level-1 BLAS gives the WebAssembly set's bits for seeds 1, ½, 3 and −0.1,
 * special values included (±0, NaN, ±∞, subnormals, values that overflow
 * when doubled), in place and not; a zero seed keeps NaN·0 as NaN. Skipped
 * (ignored, with the reason in the name) without OpenBLAS.
 */

import assert from "node:assert/strict";
import { randomArray } from "./float_arrays.ts";
import { probe, skipped, wasm } from "./native_sets.ts";

/** The bits, with every NaN as one value (payloads are not part of the contract). */
function bits(x: Float32Array): number[] {
  return [...new Uint32Array(x.buffer, x.byteOffset, x.length)].map((b, i) =>
    Number.isNaN(x[i]) ? -1 : b
  );
}

Deno.test(`native squaredErrorGrad: the WebAssembly set's bits${skipped}`, {
  ignore: probe.kernels === null,
}, () => {
  const native = probe.kernels!;
  for (const n of [100, 5000, 36 * 1024 + 3]) {
    const diff = randomArray(n, n, { lo: -3, hi: 3 });
    diff.set([0, -0, NaN, Infinity, -Infinity, 1e-40, -3e-39, 3e38, -2e38, 1.5e-45]);
    for (const seed of [1, 0.5, 3, -0.1, 0]) {
      const want = new Float32Array(n);
      wasm.squaredErrorGrad(diff, { seed, out: want });
      const got = new Float32Array(n);
      native.squaredErrorGrad(diff, { seed, out: got });
      assert.deepEqual(bits(got), bits(want), `${n} elements, seed ${seed}`);
      const inPlace = diff.slice();
      native.squaredErrorGrad(inPlace, { seed, out: inPlace });
      assert.deepEqual(bits(inPlace), bits(want), `${n} elements, seed ${seed}, in place`);
    }
  }
});
