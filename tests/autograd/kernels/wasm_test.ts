/**
 * Tests of the WebAssembly SIMD kernels against the reference kernels: every
 * accelerated kernel on many shapes (odd sizes, edges of the gemm tiles and
 * blocks, chunk boundaries), both builds (relaxed and plain SIMD), special
 * values and delegation to the fallback. (The build script's own tests,
 * including the check that the committed module matches the WAT source, are
 * in tests/tools/build_wasm_test.ts.)
 */

import assert from "node:assert/strict";
import type { BinaryOp, Kernels, UnaryOp, Window2d } from "../../../autograd/kernels/kernels.ts";
import { referenceKernels as ref } from "../../../autograd/kernels/reference/mod.ts";
import { loadWasmKernels, type SimdVariant } from "../../../autograd/kernels/wasm/mod.ts";
import { randomArray } from "../float_arrays.ts";

/** Asserts |actual − expected| ≤ atol + rtol·|expected| elementwise, NaN matching NaN. */
function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: { atol?: number; rtol?: number; what: string },
): void {
  assert.equal(actual.length, expected.length, `${tol.what}: length`);
  const atol = tol.atol ?? 0;
  const rtol = tol.rtol ?? 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (Number.isNaN(e) || Number.isNaN(a)) {
      assert.ok(Number.isNaN(a) && Number.isNaN(e), `${tol.what}[${i}]: got ${a}, want ${e}`);
    } else if (!Number.isFinite(e)) {
      assert.equal(a, e, `${tol.what}[${i}]`);
    } else {
      const err = Math.abs(a - e);
      assert.ok(err <= atol + rtol * Math.abs(e), `${tol.what}[${i}]: got ${a}, want ${e}`);
    }
  }
}

/** Both builds with thresholds off, so every float32 call runs in WebAssembly. */
const variants: { simd: SimdVariant; kernels: Kernels }[] = (["relaxed", "plain"] as const).map(
  (simd) => {
    const kernels = loadWasmKernels(ref, { simd, ignoreThresholds: true });
    assert.ok(kernels, `the ${simd}-SIMD build must load on this engine`);
    return { simd, kernels };
  },
);

const ODD = [1, 3, 7, 33, 65];

Deno.test("wasm gemm matches the reference on odd shapes, all transpose/accumulate flags", () => {
  const shapes: [number, number, number][] = [];
  for (const m of ODD) for (const n of ODD) for (const k of ODD) shapes.push([m, n, k]);
  // Larger than one block: m > MC = 96, k > KC = 256, n > 8 panels with an edge.
  shapes.push([257, 33, 7], [7, 257, 65], [65, 7, 257], [100, 37, 600], [97, 9, 513], [6, 8, 256]);
  for (const [m, n, k] of shapes) {
    const a = randomArray(m * k, m * 7 + k);
    const b = randomArray(k * n, n * 13 + k);
    const c0 = randomArray(m * n, m + n);
    for (let flags = 0; flags < 8; flags++) {
      const opts = {
        m,
        n,
        k,
        transA: (flags & 1) > 0,
        transB: (flags & 2) > 0,
        accumulate: (flags & 4) > 0,
      };
      const expected = c0.slice();
      ref.gemm({ a, b, c: expected, ...opts });
      for (const { simd, kernels } of variants) {
        const c = c0.slice();
        kernels.gemm({ a, b, c, ...opts });
        assertClose(c, expected, {
          atol: 1e-6 * (k + 1),
          what: `gemm ${simd} m=${m} n=${n} k=${k} flags=${flags}`,
        });
      }
    }
  }
});

Deno.test("wasm gemm: the MLP shapes and a product of known value", () => {
  const { kernels } = variants[0];
  // Ones times ones: every entry is exactly k.
  for (const [m, k, n] of [[32, 1024, 64], [32, 64, 36], [64, 32, 36]]) {
    const c = new Float32Array(m * n);
    kernels.gemm({
      a: new Float32Array(m * k).fill(1),
      b: new Float32Array(k * n).fill(1),
      c,
      m,
      n,
      k,
    });
    assert.ok(c.every((v) => v === k), `${m}×${k}×${n}`);
  }
  const [m, k, n] = [1024, 32, 64];
  const a = randomArray(k * m, 5); // stored k×m: transA
  const b = randomArray(k * n, 6);
  const expected = new Float32Array(m * n);
  const c = new Float32Array(m * n);
  ref.gemm({ a, b, c: expected, m, n, k, transA: true });
  kernels.gemm({ a, b, c, m, n, k, transA: true });
  assertClose(c, expected, { atol: 1e-5, what: "weight-gradient shape" });
});

/** A fallback that records which kernels it was asked to run. */
function spyingFallback(): { kernels: Kernels; calls: string[] } {
  const calls: string[] = [];
  const entries = Object.entries(ref).map(([key, value]) => [
    key,
    typeof value !== "function" ? value : (...args: unknown[]) => {
      calls.push(key);
      return (value as (...a: unknown[]) => unknown)(...args);
    },
  ]);
  return { kernels: Object.fromEntries(entries) as Kernels, calls };
}

Deno.test("wasm kernels delegate Float64Array, small and unaccelerated calls to the fallback", () => {
  const spy = spyingFallback();
  const kernels = loadWasmKernels(spy.kernels);
  assert.ok(kernels);
  assert.equal(kernels.name, "wasm");
  const [m, n, k] = [40, 50, 60];
  const a64 = Float64Array.from(randomArray(m * k, m * k + 1));
  const b64 = Float64Array.from(randomArray(k * n, k * n + 1));
  const c64 = new Float64Array(m * n);
  kernels.gemm({ a: a64, b: b64, c: c64, m, n, k });
  assert.deepEqual(spy.calls, ["gemm"]);
  const expected = new Float64Array(m * n);
  ref.gemm({ a: a64, b: b64, c: expected, m, n, k });
  assert.deepEqual(c64, expected);

  spy.calls.length = 0;
  const x64 = Float64Array.from(randomArray(5000, 5001));
  kernels.unary("exp", x64, new Float64Array(5000));
  kernels.unary("exp", new Float32Array(4), new Float32Array(4)); // below the threshold
  kernels.unary("sqrt", new Float32Array(5000), new Float32Array(5000)); // not accelerated
  kernels.softmax(new Float32Array(6000), {
    outer: 10,
    size: 100,
    inner: 6,
    out: new Float32Array(6000),
  });
  assert.deepEqual(spy.calls, ["unary", "unary", "unary", "softmax"]);

  spy.calls.length = 0;
  const a32 = randomArray(m * k, m * k + 1);
  kernels.gemm({ a: a32, b: randomArray(k * n, k * n + 1), c: new Float32Array(m * n), m, n, k });
  kernels.unary("exp", randomArray(5000, 5001), new Float32Array(5000));
  kernels.softmax(randomArray(6000, 6001), {
    outer: 60,
    size: 100,
    inner: 1,
    out: new Float32Array(6000),
  });
  assert.deepEqual(spy.calls, [], "large float32 calls run in WebAssembly");
});

const LENGTHS = [1, 3, 7, 33, 65, 257, 40000]; // 40000 spans three scratch chunks

/** Input range per unary op where its accuracy is specified. */
const UNARY_RANGES: Record<string, [number, number]> = {
  exp: [-87, 88],
  log: [1e-6, 1e6],
  sigmoid: [-30, 30],
  tanh: [-12, 12],
  relu: [-5, 5],
};

Deno.test("wasm unary math matches Math.* within a few float32 ulps", () => {
  for (const { simd, kernels } of variants) {
    for (const [op, [lo, hi]] of Object.entries(UNARY_RANGES)) {
      for (const n of LENGTHS) {
        const x = randomArray(n, n + op.length, { lo, hi });
        const expected = new Float32Array(n);
        ref.unary(op as UnaryOp, x, expected);
        const out = new Float32Array(n);
        kernels.unary(op as UnaryOp, x, out);
        assertClose(out, expected, { atol: 1e-37, rtol: 2e-6, what: `${simd} ${op} n=${n}` });
        kernels.unary(op as UnaryOp, x, x); // in place
        assert.deepEqual(x, out, `${simd} ${op} in place`);
      }
    }
    // A dense sweep of exp over its whole normal range.
    const x = new Float32Array(100001).map((_, i) => -87 + (175 * i) / 100000);
    const out = new Float32Array(x.length);
    kernels.unary("exp", x, out);
    let worst = 0;
    for (let i = 0; i < x.length; i++) {
      const e = Math.exp(x[i]);
      worst = Math.max(worst, Math.abs(out[i] - e) / e);
    }
    assert.ok(worst <= 2e-6, `${simd} exp max relative error ${worst}`);
    // Subnormal results: within one subnormal step (1.4e-45) of the reference.
    const tiny = new Float32Array(20001).map((_, i) => -104 + (17 * i) / 20000);
    const tinyOut = new Float32Array(tiny.length);
    const tinyExpected = new Float32Array(tiny.length);
    kernels.unary("exp", tiny, tinyOut);
    ref.unary("exp", tiny, tinyExpected);
    assertClose(tinyOut, tinyExpected, { atol: 1.5e-45, what: `${simd} subnormal exp` });
  }
});

Deno.test("wasm unary math: special values, saturation and subnormals", () => {
  const special = [
    0,
    -0,
    1,
    -1,
    Infinity,
    -Infinity,
    NaN,
    1e-45,
    1e-40,
    88.8,
    89,
    -88,
    -100,
    -104,
    -200,
  ];
  special.push(20, -20, 100, -100, 1e30, -1e30, 3e38, -3e38);
  const x = Float32Array.from(special);
  for (const { simd, kernels } of variants) {
    for (const op of Object.keys(UNARY_RANGES) as UnaryOp[]) {
      const expected = new Float32Array(x.length);
      ref.unary(op, x, expected);
      const out = new Float32Array(x.length);
      kernels.unary(op, x, out);
      // Subnormal results carry few bits: compare them absolutely.
      assertClose(out, expected, { atol: 1e-44, rtol: 2e-6, what: `${simd} ${op} special` });
    }
  }
  const { kernels } = variants[0];
  const out = new Float32Array(4);
  kernels.unary("log", Float32Array.from([0, -1, Infinity, NaN]), out);
  assert.deepEqual(Array.from(out), [-Infinity, NaN, Infinity, NaN]);
  kernels.unary("sigmoid", Float32Array.from([-1000, 1000, 0, -50]), out);
  assert.deepEqual(Array.from(out.subarray(0, 3)), [0, 1, 0.5]);
  assertClose([out[3]], [Math.exp(-50)], { rtol: 2e-6, what: "sigmoid(-50)" });
  kernels.unary("tanh", Float32Array.from([-1000, 1000, 0.5, -0]), out);
  assert.deepEqual(Array.from(out.subarray(0, 2)), [-1, 1]);
  assert.ok(Object.is(out[3], -0), "tanh(-0) = -0");
});

Deno.test("wasm binary ops and axpby match the reference", () => {
  for (const { simd, kernels } of variants) {
    for (const n of LENGTHS) {
      const a = randomArray(n, n, { lo: -3, hi: 3 });
      const b = randomArray(n, n + 1, { lo: 0.5, hi: 2 });
      for (const op of ["add", "sub", "mul", "div"] as BinaryOp[]) {
        const expected = new Float32Array(n);
        ref.binary(op, { a, b, out: expected });
        const out = new Float32Array(n);
        kernels.binary(op, { a, b, out });
        // One f32 rounding either way: results are identical.
        assert.deepEqual(out, expected, `${simd} ${op} n=${n}`);
        const inPlace = b.slice();
        kernels.binary(op, { a, b: inPlace, out: inPlace });
        assert.deepEqual(inPlace, expected, `${simd} ${op} in place`);
      }
      const expected = new Float32Array(n);
      ref.axpby({ a, alpha: 0.9, b, beta: -0.3, out: expected });
      const out = a.slice();
      kernels.axpby({ a: out, alpha: 0.9, b, beta: -0.3, out });
      assertClose(out, expected, { atol: 1e-6, rtol: 1e-6, what: `${simd} axpby n=${n}` });
    }
  }
});

Deno.test("wasm softmax and log-softmax match the reference, including ±∞ and NaN rows", () => {
  for (const { simd, kernels } of variants) {
    for (const size of [1, 3, 7, 33, 65, 257, 20000]) {
      const outer = size > 1000 ? 2 : 5;
      const x = randomArray(outer * size, size, { lo: -20, hi: 20 });
      for (const log of [false, true]) {
        const expected = new Float32Array(x.length);
        ref.softmax(x, { outer, size, inner: 1, out: expected, log });
        const out = new Float32Array(x.length);
        kernels.softmax(x, { outer, size, inner: 1, out, log });
        assertClose(out, expected, {
          atol: 1e-6,
          rtol: 1e-5,
          what: `${simd} softmax log=${log} size=${size}`,
        });
      }
    }
    const rows = Float32Array.from([
      ...[-Infinity, -Infinity, -Infinity, -Infinity, -Infinity],
      ...[1, Infinity, 2, 3, 4],
      ...[1, NaN, 2, 3, 4],
      ...[1000, -1000, 0, 999, 1000],
    ]);
    for (const log of [false, true]) {
      const expected = new Float32Array(rows.length);
      ref.softmax(rows, { outer: 4, size: 5, inner: 1, out: expected, log });
      const out = new Float32Array(rows.length);
      kernels.softmax(rows, { outer: 4, size: 5, inner: 1, out, log });
      assertClose(out, expected, {
        atol: 1e-6,
        rtol: 1e-5,
        what: `${simd} special rows log=${log}`,
      });
    }
  }
});

/** A Window2d with oh/ow derived from the rest. */
function window2d(
  n: number,
  c: number,
  h: number,
  w: number,
  k: number,
  stride: number,
  pad: number,
): Window2d {
  const oh = Math.floor((h + 2 * pad - k) / stride) + 1;
  const ow = Math.floor((w + 2 * pad - k) / stride) + 1;
  return { n, c, h, w, kh: k, kw: k, stride, pad, oh, ow };
}

Deno.test("wasm im2col and col2im match the reference exactly", () => {
  const geometries = [
    window2d(2, 3, 7, 9, 3, 1, 1),
    window2d(1, 1, 1, 1, 1, 1, 0),
    window2d(3, 2, 8, 8, 3, 2, 1),
    window2d(2, 4, 28, 28, 5, 1, 2),
    window2d(1, 3, 5, 7, 7, 1, 3), // kernel larger than the image
    window2d(2, 1, 33, 17, 2, 3, 0),
    window2d(1, 2, 4, 4, 3, 1, 2), // padding wider than needed: some rows all zero
    // Stride 1 without padding (the dense loops): runs of whole vector pairs
    // (ow 8, 24), and of vector pairs, a last vector and single floats, alone
    // and together (ow 12, 13, 5, 3).
    window2d(2, 3, 12, 12, 5, 1, 0),
    window2d(2, 2, 16, 16, 5, 1, 0),
    window2d(1, 2, 17, 17, 5, 1, 0),
    window2d(3, 1, 9, 9, 5, 1, 0),
    window2d(2, 1, 28, 28, 5, 1, 0),
    window2d(1, 2, 5, 5, 3, 1, 0),
  ];
  const { kernels } = variants[0];
  for (const g of geometries) {
    const what = JSON.stringify(g);
    const x = randomArray(g.n * g.c * g.h * g.w, g.h * g.w);
    const colsSize = g.c * g.kh * g.kw * g.n * g.oh * g.ow;
    const expected = new Float32Array(colsSize);
    ref.im2col(x, { ...g, cols: expected });
    const cols = new Float32Array(colsSize).fill(7); // stale content must be cleared
    kernels.im2col(x, { ...g, cols });
    assert.deepEqual(cols, expected, `im2col ${what}`);

    const grad = randomArray(colsSize, colsSize);
    const image = randomArray(x.length, 3); // col2im adds into what is there
    const imageExpected = image.slice();
    ref.col2im(grad, { ...g, out: imageExpected });
    kernels.col2im(grad, { ...g, out: image });
    assert.deepEqual(image, imageExpected, `col2im ${what}`);
  }
});

Deno.test("wasm swapLeadingAxes matches the reference exactly, with and without a bias", () => {
  // Runs of whole vectors, of a tail only, and of both; -0 must stay -0 without a bias.
  for (
    const [a, b, inner] of [[1, 1, 1], [3, 5, 7], [64, 2, 64], [9, 32, 25], [2, 3, 4], [5, 1, 13]]
  ) {
    const x = randomArray(a * b * inner, a + b + inner);
    x[0] = -0;
    const bias = randomArray(a, inner);
    for (const { simd, kernels } of variants) {
      for (const withBias of [false, true]) {
        const args = { a, b, inner, bias: withBias ? bias : undefined };
        const expected = new Float32Array(x.length);
        ref.swapLeadingAxes(x, { ...args, out: expected });
        const out = new Float32Array(x.length).fill(7);
        kernels.swapLeadingAxes(x, { ...args, out });
        assert.deepEqual(
          new Uint32Array(out.buffer),
          new Uint32Array(expected.buffer),
          `${simd} ${a}×${b}×${inner} bias ${withBias}`,
        );
      }
    }
  }
});
