/**
 * Tests of the native backend's max pooling in parts (native/pool.ts): on
 * two threads, large batches are pooled on the pool and give the
 * WebAssembly set's maxima, positions and input gradients bit for bit —
 * 2×2 and other windows, planes that do not split evenly, arrays at
 * subarray offsets, a gradient added to what the input gradient held; small
 * batches, padded windows, float64 and one thread go to the fallback.
 * Skipped (ignored, with the reason in the name) without OpenBLAS.
 */

import assert from "node:assert/strict";
import { type Kernels, referenceKernels as ref } from "../../autograd/kernels/mod.ts";
import type { Window2d } from "../../autograd/kernels/kernels.ts";
import { threadPool } from "../../autograd/kernels/threads/mod.ts";
import { POOL_SPLIT_MIN_INPUTS } from "../../autograd/kernels/native/pool.ts";
import { geometry } from "./kernels/reference_helpers.ts";
import { assertSameBits, randomArray } from "./float_arrays.ts";
import { onOneAndTwoThreads, probe, skipped, wasm } from "./native_sets.ts";

/** Jobs the engine's pool has run (0 before it exists). */
const jobs = () => threadPool(() => null)?.jobs ?? 0;

/** `length` floats inside a longer array, at an offset (the parts work on raw addresses). */
const inside = (length: number, seed: number) =>
  randomArray(length + 21, seed).subarray(13, 13 + length);

/** Pools `x` with `kernels` and the WebAssembly set, then runs both backwards; asserts the same bits. */
function assertSamePooling(kernels: Kernels, g: Window2d, what: string): void {
  const inputs = g.n * g.c * g.h * g.w;
  const outputs = g.n * g.c * g.oh * g.ow;
  const x = inside(inputs, inputs);
  const want = { out: new Float32Array(outputs), index: new Int32Array(outputs) };
  wasm.maxPool2d(x, { ...g, ...want });
  const got = { out: inside(outputs, 1).fill(7), index: new Int32Array(outputs + 3).subarray(3) };
  kernels.maxPool2d(x, { ...g, ...got });
  assertSameBits(got.out, want.out, `${what}: maxima`);
  assert.deepEqual(got.index, want.index, `${what}: positions`);
  // Backward adds to what the input gradient holds.
  const grad = inside(outputs, 2);
  const held = inside(inputs, 3);
  const wantGrad = held.slice();
  wasm.maxPool2dBackward(grad, { ...g, index: want.index, out: wantGrad });
  const gotGrad = inside(inputs, 3);
  kernels.maxPool2dBackward(grad, { ...g, index: got.index, out: gotGrad });
  assertSameBits(gotGrad, wantGrad, `${what}: input gradient`);
}

Deno.test(`native max pooling: large batches in parts, the WebAssembly set's bits${skipped}`, {
  ignore: probe.kernels === null,
}, () =>
  onOneAndTwoThreads(wasm, (one, two) => {
    const large = [
      geometry({ n: 64, c: 32, h: 24, w: 24, kh: 2, kw: 2, stride: 2, pad: 0 }), // the MNIST CNN's
      geometry({ n: 23, c: 13, h: 31, w: 29, kh: 2, kw: 2, stride: 2, pad: 0 }), // 299 planes, odd sides
      geometry({ n: 3, c: 31, h: 57, w: 50, kh: 3, kw: 3, stride: 2, pad: 0 }), // overlapping windows
    ];
    for (const g of large) {
      const what = `${g.n}×${g.c}×${g.h}×${g.w} ${g.kh}×${g.kw}/${g.stride}`;
      assert.ok(g.n * g.c * g.h * g.w >= POOL_SPLIT_MIN_INPUTS, `${what} is large`);
      const before = jobs();
      assertSamePooling(two, g, `${what} on 2 threads`);
      assert.equal(jobs() - before, 2, `${what}: forward and backward on the pool`);
      const still = jobs();
      assertSamePooling(one, g, `${what} on 1 thread`);
      assert.equal(jobs(), still, `${what}: one thread keeps to the fallback`);
    }
    // Small, padded: the fallback's, off the pool.
    const small = geometry({ n: 2, c: 8, h: 24, w: 24, kh: 2, kw: 2, stride: 2, pad: 0 });
    const padded = geometry({ n: 64, c: 32, h: 24, w: 24, kh: 3, kw: 3, stride: 2, pad: 1 });
    for (const [what, g] of [["small", small], ["padded", padded]] as const) {
      const before = jobs();
      assertSamePooling(two, g, what);
      assert.equal(jobs(), before, `${what}: not on the pool`);
    }
  }));

Deno.test(`native max pooling: float64 batches go to the fallback${skipped}`, {
  ignore: probe.kernels === null,
}, () =>
  onOneAndTwoThreads(wasm, (_one, two) => {
    const g = geometry({ n: 64, c: 32, h: 24, w: 24, kh: 2, kw: 2, stride: 2, pad: 0 });
    const x = Float64Array.from(inside(g.n * g.c * g.h * g.w, 9));
    const outputs = g.n * g.c * g.oh * g.ow;
    const got = { out: new Float64Array(outputs), index: new Int32Array(outputs) };
    const want = { out: new Float64Array(outputs), index: new Int32Array(outputs) };
    const before = jobs();
    two.maxPool2d(x, { ...g, ...got });
    ref.maxPool2d(x, { ...g, ...want });
    assert.deepEqual(got, want);
    assert.equal(jobs(), before, "not on the pool");
  }));
