/**
 * The fused WebAssembly kernels (addBias, with and without an activation,
 * activationGrad, squaredErrorGrad) against the reference ones, bit for bit
 * (addBias with an activation against the set's own addBias then unary): both builds, thresholds off so
 * every float32 call runs in WebAssembly, row lengths that are and are not
 * multiples of the vector width, arrays across chunk boundaries, special
 * values, and in place.
 */

import assert from "node:assert/strict";
import type { Kernels } from "../../../autograd/kernels/kernels.ts";
import { referenceKernels as ref } from "../../../autograd/kernels/reference/mod.ts";
import { loadWasmKernels } from "../../../autograd/kernels/wasm/mod.ts";
import { randomArray } from "../float_arrays.ts";

const variants: { simd: string; kernels: Kernels }[] = (["relaxed", "plain"] as const).map(
  (simd) => ({ simd, kernels: loadWasmKernels(ref, { simd, ignoreThresholds: true })! }),
);

/** Deterministic numbers in [lo, hi) with special values up front. */
function values(length: number, seed: number, lo = -2, hi = 2): Float32Array {
  const out = randomArray(length, seed, { lo, hi });
  const special = [0, -0, NaN, Infinity, -Infinity, 1, -1, 1e-40, 3e38];
  out.set(special.slice(0, Math.min(length, special.length)), 0);
  return out;
}

/** The bits, with every NaN as one value (payloads are not part of the contract). */
function bits(x: Float32Array): number[] {
  return [...new Uint32Array(x.buffer, x.byteOffset, x.length)].map((b, i) =>
    Number.isNaN(x[i]) ? -1 : b
  );
}

const LENGTHS = [1, 3, 4, 7, 257, 16384, 16387, 40000];

Deno.test("wasm addBias equals the reference bit for bit, in place too", () => {
  for (const { simd, kernels } of variants) {
    for (const [rows, n] of [[1, 1], [5, 3], [7, 4], [9, 7], [36, 1024], [3, 20000], [40, 513]]) {
      const x = values(rows * n, rows + n);
      const bias = values(n, n + 17);
      const want = new Float32Array(x.length);
      ref.addBias(x, { bias, out: want });
      const got = new Float32Array(x.length);
      kernels.addBias(x, { bias, out: got });
      assert.deepEqual(bits(got), bits(want), `${simd} ${rows}×${n}`);
      kernels.addBias(x, { bias, out: x });
      assert.deepEqual(bits(x), bits(want), `${simd} ${rows}×${n} in place`);
    }
  }
});

Deno.test("wasm addBias with an activation equals addBias then the set's unary", () => {
  const defaults = loadWasmKernels(ref)!;
  for (const { simd, kernels } of [...variants, { simd: "thresholds on", kernels: defaults }]) {
    for (const activation of ["sigmoid", "tanh", "relu"] as const) {
      // Below and above the fused path's 256 elements, and across a chunk edge.
      for (const [rows, n] of [[1, 7], [5, 3], [3, 60], [36, 1024], [40, 513]]) {
        const x = values(rows * n, rows + n);
        const bias = values(n, n + 17);
        const want = new Float32Array(x.length);
        kernels.addBias(x, { bias, out: want });
        kernels.unary(activation, want, want);
        const got = new Float32Array(x.length);
        kernels.addBias(x, { bias, out: got, activation });
        const what = `${simd} ${activation} ${rows}×${n}`;
        assert.deepEqual(bits(got), bits(want), what);
        kernels.addBias(x, { bias, out: x, activation });
        assert.deepEqual(bits(x), bits(want), `${what} in place`);
      }
    }
  }
});

Deno.test("wasm activationGrad equals the reference bit for bit, in place too", () => {
  for (const { simd, kernels } of variants) {
    for (const op of ["sigmoid", "tanh", "relu"] as const) {
      for (const n of LENGTHS) {
        const y = values(n, n, -1.5, 1.5);
        const grad = values(n, n + 1).reverse();
        const want = new Float32Array(n);
        ref.activationGrad(op, { y, grad, out: want });
        const got = new Float32Array(n);
        kernels.activationGrad(op, { y, grad, out: got });
        assert.deepEqual(bits(got), bits(want), `${simd} ${op} ${n}`);
        kernels.activationGrad(op, { y, grad, out: grad });
        assert.deepEqual(bits(grad), bits(want), `${simd} ${op} ${n} in place`);
      }
    }
  }
});

Deno.test("wasm squaredErrorGrad equals the reference bit for bit, in place too", () => {
  for (const { simd, kernels } of variants) {
    for (const seed of [1, 0.3, -2, 1e-30]) {
      for (const n of LENGTHS) {
        const diff = values(n, n + 5);
        const want = new Float32Array(n);
        ref.squaredErrorGrad(diff, { seed, out: want });
        const got = new Float32Array(n);
        kernels.squaredErrorGrad(diff, { seed, out: got });
        assert.deepEqual(bits(got), bits(want), `${simd} seed ${seed}, ${n}`);
        kernels.squaredErrorGrad(diff, { seed, out: diff });
        assert.deepEqual(bits(diff), bits(want), `${simd} seed ${seed}, ${n} in place`);
      }
    }
  }
});

Deno.test("reference squaredErrorGrad doubles the rounded product (float32 and float64)", () => {
  const d32 = Float32Array.of(0.1, -3, 0, -0);
  const out32 = new Float32Array(4);
  ref.squaredErrorGrad(d32, { seed: 0.7, out: out32 });
  assert.deepEqual([...out32], [...d32].map((d) => 2 * Math.fround(Math.fround(0.7) * d)));
  const d64 = Float64Array.of(0.1, -3);
  const out64 = new Float64Array(2);
  ref.squaredErrorGrad(d64, { seed: 0.7, out: out64 });
  assert.deepEqual([...out64], [2 * (0.7 * 0.1), 2 * (0.7 * -3)]);
});
