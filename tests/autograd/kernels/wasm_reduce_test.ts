/**
 * Tests of the WebAssembly sums along an axis and the squared error's
 * column sums (reduce.wat) against the reference kernels, bit for bit: both
 * add each line's elements in order in f64, the WebAssembly loops sixteen
 * columns at a time in registers. The shapes put row and column-block edges
 * everywhere: widths below, at and past a block of 16, lines whose last
 * block runs into the next line, and more rows than one chunk of scratch.
 */

import assert from "node:assert/strict";
import type { Kernels } from "../../../autograd/kernels/kernels.ts";
import { referenceKernels as ref } from "../../../autograd/kernels/reference/mod.ts";
import { loadWasmKernels } from "../../../autograd/kernels/wasm/mod.ts";
import { randomArray } from "../float_arrays.ts";

/** Both builds with thresholds off, so every float32 call runs in WebAssembly. */
const variants: { simd: string; kernels: Kernels }[] = (["relaxed", "plain"] as const).map(
  (simd) => ({ simd, kernels: loadWasmKernels(ref, { simd, ignoreThresholds: true })! }),
);

Deno.test("wasm sumAxis gives the reference's bits for every layout", () => {
  const layouts: [number, number, number][] = [[1, 1, 1], [1, 40000, 1], [3, 7, 1], [65, 33, 1]];
  layouts.push([1, 3, 7], [7, 33, 3], [2, 65, 257], [33, 1, 5], [1, 20000, 2], [3, 5, 6000]);
  // Lines of whole blocks of 16 and a rest, as the convolution bias gradient sums.
  layouts.push([2, 37, 1], [64, 576, 1]);
  // Column blocks of 16: exactly one, one and a bit, several with an edge, from one line to the next.
  layouts.push([1, 36, 16], [3, 4, 17], [5, 36, 31], [2, 36, 1024], [4, 3, 1000], [1, 64, 4096]);
  for (const { simd, kernels } of variants) {
    for (const [outer, size, inner] of layouts) {
      const x = randomArray(outer * size * inner, outer + size + inner);
      const expected = new Float32Array(outer * inner);
      ref.sumAxis(x, { outer, size, inner, out: expected });
      const out = new Float32Array(outer * inner);
      kernels.sumAxis(x, { outer, size, inner, out });
      assert.deepEqual(out, expected, `${simd} sum ${outer}×${size}×${inner}`);
    }
  }
});

Deno.test("wasm squaredDiffColumns gives the reference's difference and column sums", () => {
  // Rows past one chunk of scratch (16 rows of 1024), in groups of 4 and not.
  const shapes: [number, number][] = [[1, 16], [3, 17], [36, 1024], [37, 1000], [5, 33], [100, 65]];
  for (const { simd, kernels } of variants) {
    for (const [rows, w] of shapes) {
      const a = randomArray(rows * w, rows + w);
      const b = randomArray(rows * w, rows * w);
      const expected = { diff: new Float32Array(rows * w), out: new Float32Array(w) };
      ref.squaredDiffColumns(a, b, expected);
      const got = { diff: new Float32Array(rows * w), out: new Float32Array(w) };
      kernels.squaredDiffColumns(a, b, got);
      assert.deepEqual(got.diff, expected.diff, `${simd} diff ${rows}×${w}`);
      assert.deepEqual(got.out, expected.out, `${simd} column sums ${rows}×${w}`);
    }
  }
});
