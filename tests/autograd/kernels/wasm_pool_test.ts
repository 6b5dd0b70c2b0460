/**
 * Tests of the WebAssembly max pooling (wasm/pool.ts, pool.wat): on both
 * SIMD builds it must pick the very cells the reference kernel picks, ties,
 * NaN and signed zeros included, and hand padded geometries and float64
 * storage to the fallback.
 */

import assert from "node:assert/strict";
import type { Window2d } from "../../../autograd/kernels/kernels.ts";
import { referenceKernels as ref } from "../../../autograd/kernels/reference/mod.ts";
import { loadWasmKernels } from "../../../autograd/kernels/wasm/mod.ts";
import { assertSameBits, randomArray } from "../float_arrays.ts";
import { geometry } from "./reference_helpers.ts";

const UNPADDED: Window2d[] = [
  geometry({ n: 4, c: 8, h: 24, w: 24, kh: 2, kw: 2, stride: 2, pad: 0 }),
  geometry({ n: 2, c: 3, h: 7, w: 9, kh: 2, kw: 2, stride: 2, pad: 0 }), // odd sizes drop a row
  geometry({ n: 1, c: 4, h: 10, w: 15, kh: 2, kw: 2, stride: 2, pad: 0 }), // 7 windows: 4 + 3 alone
  geometry({ n: 1, c: 5, h: 9, w: 8, kh: 3, kw: 3, stride: 1, pad: 0 }), // overlapping windows
  geometry({ n: 2, c: 2, h: 11, w: 10, kh: 3, kw: 2, stride: 3, pad: 0 }),
  geometry({ n: 1, c: 300, h: 1, w: 1, kh: 1, kw: 1, stride: 1, pad: 0 }),
];

/** Runs `kernels` and the reference on x and asserts the same maxima (bits) and positions. */
function assertSamePool(kernels: ReturnType<typeof loadWasmKernels>, x: Float32Array, g: Window2d) {
  const what = JSON.stringify(g);
  const count = g.n * g.c * g.oh * g.ow;
  const want = { out: new Float32Array(count), index: new Int32Array(count) };
  ref.maxPool2d(x, { ...g, ...want });
  const got = { out: new Float32Array(count).fill(7), index: new Int32Array(count).fill(7) };
  kernels!.maxPool2d(x, { ...g, ...got });
  assertSameBits(got.out, want.out, `maxima ${what}`);
  assert.deepEqual(got.index, want.index, `positions ${what}`);
}

for (const simd of ["relaxed", "plain"] as const) {
  const kernels = loadWasmKernels(ref, { simd, ignoreThresholds: true });

  Deno.test(`wasm (${simd}) maxPool2d picks the reference's cells`, () => {
    for (const [i, g] of UNPADDED.entries()) {
      assertSamePool(kernels, randomArray(g.n * g.c * g.h * g.w, i + 1), g);
    }
  });

  Deno.test(`wasm (${simd}) maxPool2d: ties keep the first, NaN wins, −0 and 0 stay apart`, () => {
    // 3×3 windows at stride 1, and 2×2 at stride 2 (its own four-at-a-time path).
    for (const g of [UNPADDED[3], UNPADDED[2]]) {
      const x = randomArray(g.n * g.c * g.h * g.w, 9);
      const plane = g.h * g.w;
      // Small integers: many ties. Then NaNs, a −0 before a 0, and an all −∞ plane.
      for (let i = 0; i < x.length; i++) x[i] = Math.round(x[i] * 2);
      x[5] = NaN;
      x[40] = NaN;
      x[41] = NaN;
      x.fill(-0, plane, plane + g.w);
      x.fill(0, plane + g.w, plane + 2 * g.w + 2);
      x.fill(-Infinity, 2 * plane, 3 * plane);
      assertSamePool(kernels, x, g);
    }
  });

  Deno.test(`wasm (${simd}) maxPool2d leaves padding and float64 to the fallback`, () => {
    const padded = geometry({ n: 1, c: 2, h: 5, w: 5, kh: 3, kw: 3, stride: 2, pad: 1 });
    assertSamePool(kernels, randomArray(50, 3), padded);
    const g = UNPADDED[1];
    const x = Float64Array.from(randomArray(g.n * g.c * g.h * g.w, 4));
    const count = g.n * g.c * g.oh * g.ow;
    const want = { out: new Float64Array(count), index: new Int32Array(count) };
    const got = { out: new Float64Array(count), index: new Int32Array(count) };
    ref.maxPool2d(x, { ...g, ...want });
    kernels!.maxPool2d(x, { ...g, ...got });
    assert.deepEqual(got, want);
  });
}
