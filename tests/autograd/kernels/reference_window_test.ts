/**
 * Tests of the reference window kernels (im2col/col2im, max and average
 * pooling with their backwards) against naive per-tap definitions, for
 * Float32Array and Float64Array storage.
 */

import assert from "node:assert/strict";
import type { Window2d } from "../../../autograd/kernels/kernels.ts";
import { referenceKernels as K } from "../../../autograd/kernels/reference/mod.ts";
import { assertClose, dot, DTYPES, geometry, rand } from "./reference_helpers.ts";

const WINDOWS: Window2d[] = [
  geometry({ n: 2, c: 3, h: 5, w: 6, kh: 3, kw: 3, stride: 1, pad: 1 }),
  geometry({ n: 1, c: 2, h: 7, w: 5, kh: 3, kw: 2, stride: 2, pad: 1 }),
  geometry({ n: 2, c: 1, h: 4, w: 4, kh: 1, kw: 1, stride: 1, pad: 0 }),
  geometry({ n: 1, c: 2, h: 9, w: 8, kh: 5, kw: 4, stride: 3, pad: 2 }),
  geometry({ n: 2, c: 2, h: 2, w: 3, kh: 3, kw: 3, stride: 2, pad: 1 }),
  geometry({ n: 1, c: 1, h: 6, w: 6, kh: 2, kw: 2, stride: 2, pad: 0 }),
  // pad ≥ kernel: some windows lie wholly in the padding.
  geometry({ n: 1, c: 2, h: 2, w: 3, kh: 1, kw: 2, stride: 1, pad: 2 }),
];

/** The input element read by window (n, c, y, x) at offset (i, j), or −1 in the padding. */
function source(
  g: Window2d,
  p: { b: number; ch: number; y: number; x: number; i: number; j: number },
): number {
  const iy = p.y * g.stride - g.pad + p.i;
  const ix = p.x * g.stride - g.pad + p.j;
  if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) return -1;
  return ((p.b * g.c + p.ch) * g.h + iy) * g.w + ix;
}

/** Calls `f` for every (n, c, y, x, i, j) of a geometry, in row-major window order. */
function eachTap(
  g: Window2d,
  f: (p: { b: number; ch: number; y: number; x: number; i: number; j: number }) => void,
): void {
  for (let b = 0; b < g.n; b++) {
    for (let ch = 0; ch < g.c; ch++) {
      for (let y = 0; y < g.oh; y++) {
        for (let x = 0; x < g.ow; x++) {
          for (let i = 0; i < g.kh; i++) {
            for (let j = 0; j < g.kw; j++) f({ b, ch, y, x, i, j });
          }
        }
      }
    }
  }
}

Deno.test("reference: im2col matches the definition and col2im is its adjoint", () => {
  for (const { T, tol } of DTYPES) {
    WINDOWS.forEach((g, gi) => {
      const inSize = g.n * g.c * g.h * g.w;
      const cols = g.n * g.oh * g.ow;
      const colSize = g.c * g.kh * g.kw * cols;
      const x = rand(T, inSize, { seed: 40 + gi });
      const got = new T(colSize).fill(99); // stale values must be overwritten
      K.im2col(x, { ...g, cols: got });
      const want = new Float64Array(colSize);
      eachTap(g, (p) => {
        const s = source(g, p);
        const r = (p.ch * g.kh + p.i) * g.kw + p.j;
        want[r * cols + (p.b * g.oh + p.y) * g.ow + p.x] = s < 0 ? 0 : x[s];
      });
      assert.deepEqual(Array.from(got), Array.from(want), `im2col ${JSON.stringify(g)}`);

      const c = rand(T, colSize, { seed: 60 + gi });
      const back = new T(inSize);
      K.col2im(c, { ...g, out: back });
      const lhs = dot(back, x);
      const rhs = dot(c, got);
      assert.ok(Math.abs(lhs - rhs) <= tol * 10 * (1 + Math.abs(rhs)), `adjoint ${lhs} vs ${rhs}`);

      const onto = new T(inSize).fill(0.5); // col2im adds, never clears
      K.col2im(c, { ...g, out: onto });
      assertClose(onto, Array.from(back, (v) => v + 0.5), { tol, what: "col2im adds" });
    });
  }
});

Deno.test("reference: maxPool2d ignores padding, keeps the first max; backward routes to it", () => {
  for (const { T } of DTYPES) {
    WINDOWS.forEach((g, gi) => {
      const inSize = g.n * g.c * g.h * g.w;
      const outSize = g.n * g.c * g.oh * g.ow;
      // All negative (zero padding would win if it counted) and integer (ties).
      const x = rand(T, inSize, { seed: 80 + gi, lo: -3.4, hi: -0.6 }).map(Math.round);
      const out = new T(outSize);
      const index = new Int32Array(outSize);
      K.maxPool2d(x, { ...g, out, index });
      const wantOut = new Float64Array(outSize).fill(-Infinity);
      const wantIndex = new Int32Array(outSize).fill(-1);
      eachTap(g, (p) => {
        const s = source(g, p);
        const o = ((p.b * g.c + p.ch) * g.oh + p.y) * g.ow + p.x;
        if (s >= 0 && (wantIndex[o] < 0 || x[s] > wantOut[o])) {
          wantOut[o] = x[s];
          wantIndex[o] = s % (g.h * g.w);
        }
      });
      assert.deepEqual(Array.from(out), Array.from(wantOut), `maxPool ${JSON.stringify(g)}`);
      assert.deepEqual(Array.from(index), Array.from(wantIndex), `index ${JSON.stringify(g)}`);

      const grad = rand(T, outSize, { seed: 81 + gi });
      const dx = new T(inSize).fill(1);
      K.maxPool2dBackward(grad, { ...g, index, out: dx });
      const wantDx = new Float64Array(inSize).fill(1);
      for (let o = 0; o < outSize; o++) {
        const plane = Math.floor(o / (g.oh * g.ow));
        // An all-padding window (index −1) passes no gradient.
        if (wantIndex[o] >= 0) wantDx[plane * g.h * g.w + wantIndex[o]] += grad[o];
      }
      assertClose(dx, wantDx, { tol: 1e-6, what: `maxPool backward ${gi}` });
    });
  }
});

Deno.test("reference: avgPool2d divides by kh·kw with padding as zeros; backward is its adjoint", () => {
  for (const { T, tol } of DTYPES) {
    WINDOWS.forEach((g, gi) => {
      const inSize = g.n * g.c * g.h * g.w;
      const outSize = g.n * g.c * g.oh * g.ow;
      const x = rand(T, inSize, { seed: 120 + gi });
      const out = new T(outSize);
      K.avgPool2d(x, { ...g, out });
      const grad = rand(T, outSize, { seed: 121 + gi });
      const want = new Float64Array(outSize);
      const wantDx = new Float64Array(inSize).fill(2);
      eachTap(g, (p) => {
        const s = source(g, p);
        const o = ((p.b * g.c + p.ch) * g.oh + p.y) * g.ow + p.x;
        if (s < 0) return;
        want[o] += x[s] / (g.kh * g.kw);
        wantDx[s] += grad[o] / (g.kh * g.kw);
      });
      assertClose(out, want, { tol, what: `avgPool ${JSON.stringify(g)}` });
      const dx = new T(inSize).fill(2);
      K.avgPool2dBackward(grad, { ...g, out: dx });
      assertClose(dx, wantDx, { tol, what: `avgPool backward ${JSON.stringify(g)}` });
    });
  }
});

Deno.test("reference: 2×2 max and average pooling by hand, stride 2 pad 1", () => {
  const g = geometry({ n: 1, c: 1, h: 3, w: 3, kh: 2, kw: 2, stride: 2, pad: 1 });
  const x = new Float32Array([-1, -2, -3, -4, -5, -6, -7, -8, -9]);
  const out = new Float32Array(4);
  const index = new Int32Array(4);
  K.maxPool2d(x, { ...g, out, index });
  assert.deepEqual(Array.from(out), [-1, -2, -4, -5]);
  assert.deepEqual(Array.from(index), [0, 1, 3, 4]);
  K.avgPool2d(x, { ...g, out });
  assert.deepEqual(Array.from(out), [-0.25, -1.25, -2.75, -7]);
});
