/**
 * Tests of the reference kernel set (element-wise, gemm, reductions, strided
 * copies): every kernel is compared, for Float32Array and Float64Array storage,
 * against a naive definition written here with plain index arithmetic.
 * Window kernels are in `reference_window_test.ts`.
 */

import assert from "node:assert/strict";
import type { BinaryOp, Storage, UnaryOp } from "../../../autograd/kernels/kernels.ts";
import { referenceKernels as K } from "../../../autograd/kernels/reference/mod.ts";
import { assertClose, at, DTYPES, indices, rand, randomView } from "./reference_helpers.ts";

const UNARY: Record<UnaryOp, (x: number) => number> = {
  neg: (x) => -x,
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  abs: Math.abs,
  sign: Math.sign,
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  tanh: Math.tanh,
  relu: (x) => Math.max(x, 0),
  step: (x) => (x > 0 ? 1 : 0),
};

const BINARY: Record<BinaryOp, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: Math.pow,
  max: Math.max,
  min: Math.min,
  gt: (a, b) => (a > b ? 1 : 0),
};

Deno.test("reference: name and every kernel present", () => {
  assert.equal(K.name, "reference");
  for (const key of Object.keys(K)) {
    if (key !== "name") {
      assert.equal(typeof (K as unknown as Record<string, unknown>)[key], "function");
    }
  }
  assert.equal(Object.keys(K).length, 27);
});

Deno.test("reference: unary ops match Math, in place too", () => {
  for (const { T, tol } of DTYPES) {
    for (const op of Object.keys(UNARY) as UnaryOp[]) {
      const positive = op === "log" || op === "sqrt";
      const x = rand(T, 37, { seed: 1, lo: positive ? 0.01 : -4, hi: 4 });
      if (!positive) x.set([0, 20, -20, 1e-8, -1e-8], 0);
      const want = Array.from(x, UNARY[op]);
      const out = new T(x.length);
      K.unary(op, x, out);
      assertClose(out, want, { tol, what: `${T.name} ${op}` });
      K.unary(op, x, x);
      assertClose(x, want, { tol, what: `${T.name} ${op} in place` });
    }
  }
});

Deno.test("reference: sigmoid stays finite for huge |x|, sign/step/relu exact", () => {
  for (const { T } of DTYPES) {
    const x = new T([-Infinity, -1000, -100, 0, 100, 1000, Infinity]);
    const out = new T(x.length);
    K.unary("sigmoid", x, out);
    assert.ok(out.every((v) => Number.isFinite(v) && v >= 0 && v <= 1), `${T.name} ${out}`);
    assert.deepEqual([out[0], out[1], out[3], out[4], out[5], out[6]], [0, 0, 0.5, 1, 1, 1]);
    assert.ok(out[2] > 0 && out[2] < 1e-40, `sigmoid(-100) = ${out[2]}`); // ≈ 3.7e-44
    K.unary("sigmoid", new T([NaN]), out);
    assert.ok(Number.isNaN(out[0]), "sigmoid(NaN) is NaN");
    // Object.is tells −0 from 0, so these pin the exact values.
    const special = new T([-Infinity, -2.5, -0, 0, 3, Infinity, NaN]);
    const exact = (op: UnaryOp, want: number[]) => {
      K.unary(op, special, out);
      Array.from(out).forEach((v, i) => assert.ok(Object.is(v, want[i]), `${op}[${i}] = ${v}`));
    };
    exact("sign", [-1, -1, -0, 0, 1, 1, NaN]);
    exact("step", [0, 0, 0, 0, 1, 1, 0]);
    exact("relu", [0, 0, 0, 0, 3, Infinity, NaN]);
  }
});

Deno.test("reference: binary ops match the definition, aliasing a or b", () => {
  for (const { T, tol } of DTYPES) {
    for (const op of Object.keys(BINARY) as BinaryOp[]) {
      const a = rand(T, 41, { seed: 2, lo: op === "pow" ? 0.1 : -3, hi: 3 });
      const b = rand(T, 41, { seed: 3, lo: op === "div" || op === "pow" ? 0.5 : -3, hi: 3 });
      b.set(a.subarray(0, 5)); // ties for gt/max/min
      const want = Array.from(a, (v, i) => BINARY[op](v, b[i]));
      const out = new T(a.length);
      K.binary(op, { a, b, out });
      assertClose(out, want, { tol, what: `${T.name} ${op}` });
      const a2 = a.slice();
      K.binary(op, { a: a2, b, out: a2 });
      assertClose(a2, want, { tol, what: `${T.name} ${op} out=a` });
      const b2 = b.slice();
      K.binary(op, { a, b: b2, out: b2 });
      assertClose(b2, want, { tol, what: `${T.name} ${op} out=b` });
    }
  }
});

Deno.test("reference: binaryStrided broadcasts over random views up to rank 8", () => {
  const shapes = [[], [5], [2, 3, 4], [3, 1, 4, 2], [2, 0, 3], [2, 1, 2, 3, 1, 2, 2, 3], [
    1,
    2,
    2,
    2,
    2,
    2,
    2,
    3,
  ]];
  for (const { T, tol } of DTYPES) {
    for (const op of ["add", "sub", "mul", "max", "gt"] as BinaryOp[]) {
      shapes.forEach((shape, si) => {
        const A = randomView(shape, 10 + si);
        const B = randomView(shape, 50 + si);
        const a = rand(T, A.size, { seed: 4 + si });
        const b = rand(T, B.size, { seed: 5 + si });
        const total = shape.reduce((p, d) => p * d, 1);
        const out = new T(total + 1).fill(7); // one spare slot must stay untouched
        K.binaryStrided(op, { a, av: A.view, b, bv: B.view, out });
        const want = [...indices(shape)].map((idx) =>
          BINARY[op](a[at(A.view, idx)], b[at(B.view, idx)])
        );
        assertClose(out, [...want, 7], { tol, what: `${T.name} ${op} ${shape}` });
      });
    }
  }
});

Deno.test("reference: binaryStrided with a row and a column broadcast against each other", () => {
  for (const { T } of DTYPES) {
    const a = new T([1, 2, 3]); // column 3×1 expanded to 3×4
    const b = new T([10, 20, 30, 40]); // row 1×4 expanded to 3×4
    const out = new T(12);
    K.binaryStrided("add", {
      a,
      av: { shape: [3, 4], strides: [1, 0], offset: 0 },
      b,
      bv: { shape: [3, 4], strides: [0, 1], offset: 0 },
      out,
    });
    assert.deepEqual(Array.from(out), [11, 21, 31, 41, 12, 22, 32, 42, 13, 23, 33, 43]);
  }
});

Deno.test("reference: axpby and clamp", () => {
  for (const { T, tol } of DTYPES) {
    const a = rand(T, 29, { seed: 6 });
    const b = rand(T, 29, { seed: 7 });
    const out = new T(29);
    K.axpby({ a, alpha: 0.9, b, beta: -0.1, out });
    assertClose(out, Array.from(a, (v, i) => 0.9 * v - 0.1 * b[i]), { tol, what: "axpby" });
    const a2 = a.slice();
    K.axpby({ a: a2, alpha: 2, b, beta: 3, out: a2 });
    assertClose(a2, Array.from(a, (v, i) => 2 * v + 3 * b[i]), { tol, what: "axpby out=a" });
    K.clamp(a, { lo: -0.25, hi: 0.5, out });
    assert.deepEqual(Array.from(out), Array.from(a, (v) => Math.min(Math.max(v, -0.25), 0.5)));
  }
});

/** C = op(A)·op(B) (+ C0) by the textbook triple loop on logical indices. */
function naiveGemm(
  a: Storage,
  b: Storage,
  g: { m: number; n: number; k: number; transA: boolean; transB: boolean; c0?: Storage },
): number[] {
  const { m, n, k, transA, transB, c0 } = g;
  const out: number[] = [];
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = c0 ? c0[i * n + j] : 0;
      for (let p = 0; p < k; p++) {
        s += (transA ? a[p * m + i] : a[i * k + p]) * (transB ? b[j * k + p] : b[p * n + j]);
      }
      out.push(s);
    }
  }
  return out;
}

Deno.test("reference: gemm equals the triple loop for every transpose/accumulate combination", () => {
  const sizes = [1, 3, 7, 33];
  let seed = 100;
  for (const { T, tol } of DTYPES) {
    for (const m of sizes) {
      for (const n of sizes) {
        for (const k of sizes) {
          for (const transA of [false, true]) {
            for (const transB of [false, true]) {
              for (const accumulate of [false, true]) {
                const a = rand(T, m * k, { seed: seed++ });
                const b = rand(T, k * n, { seed: seed++ });
                const c0 = rand(T, m * n, { seed: seed++ });
                const c = c0.slice();
                K.gemm({ a, b, c, m, n, k, transA, transB, accumulate });
                const want = naiveGemm(a, b, {
                  m,
                  n,
                  k,
                  transA,
                  transB,
                  c0: accumulate ? c0 : undefined,
                });
                const what = `${T.name} ${m}×${n}×${k} tA=${transA} tB=${transB} acc=${accumulate}`;
                assertClose(c, want, { tol, what });
              }
            }
          }
        }
      }
    }
  }
});

Deno.test("reference: gemm with k = 0 gives zeros, or leaves C when accumulating", () => {
  for (const { T } of DTYPES) {
    const c = new T([1, 2, 3, 4]);
    K.gemm({ a: new T(0), b: new T(0), c, m: 2, n: 2, k: 0, accumulate: true });
    assert.deepEqual(Array.from(c), [1, 2, 3, 4]);
    K.gemm({ a: new T(0), b: new T(0), c, m: 2, n: 2, k: 0 });
    assert.deepEqual(Array.from(c), [0, 0, 0, 0]);
  }
});

const LAYOUTS = [
  { outer: 1, size: 5, inner: 1 },
  { outer: 3, size: 4, inner: 1 },
  { outer: 2, size: 3, inner: 5 },
  { outer: 1, size: 7, inner: 6 },
  { outer: 4, size: 1, inner: 3 },
  { outer: 2, size: 33, inner: 2 },
];

/** Calls `f(o, i, line)` with the values of every line along the middle axis. */
function lines(
  x: Storage,
  l: { outer: number; size: number; inner: number },
  f: (o: number, i: number, line: number[]) => void,
): void {
  for (let o = 0; o < l.outer; o++) {
    for (let i = 0; i < l.inner; i++) {
      const line: number[] = [];
      for (let s = 0; s < l.size; s++) line.push(x[(o * l.size + s) * l.inner + i]);
      f(o, i, line);
    }
  }
}

Deno.test("reference: sumAxis and maxAxis (first maximum on ties) on every layout", () => {
  for (const { T, tol } of DTYPES) {
    LAYOUTS.forEach((l, li) => {
      const total = l.outer * l.size * l.inner;
      // Few distinct values, so lines hold ties.
      const x = rand(T, total, { seed: 20 + li, lo: -2, hi: 2 }).map(Math.round);
      const sum = new T(l.outer * l.inner);
      const max = new T(l.outer * l.inner);
      const index = new Int32Array(l.outer * l.inner);
      K.sumAxis(x, { ...l, out: sum });
      K.maxAxis(x, { ...l, out: max, index });
      const wantSum: number[] = [];
      const wantMax: number[] = [];
      const wantIndex: number[] = [];
      lines(x, l, (_o, _i, line) => {
        wantSum.push(line.reduce((p, v) => p + v, 0));
        const m = Math.max(...line);
        wantMax.push(m);
        wantIndex.push(line.indexOf(m));
      });
      const what = `${T.name} ${JSON.stringify(l)}`;
      assertClose(sum, wantSum, { tol, what: `sum ${what}` });
      assert.deepEqual(Array.from(max), wantMax, `max ${what}`);
      assert.deepEqual(Array.from(index), wantIndex, `index ${what}`);
    });
    const nan = new T([1, NaN, 3, 2]);
    const out = new T(1);
    const index = new Int32Array(1);
    K.maxAxis(nan, { outer: 1, size: 4, inner: 1, out, index });
    assert.ok(Number.isNaN(out[0]) && index[0] === 1, "NaN propagates through max");
  }
});

Deno.test("reference: softmax and log-softmax match exp/Σexp on every layout", () => {
  for (const { T, tol } of DTYPES) {
    LAYOUTS.forEach((l, li) => {
      const x = rand(T, l.outer * l.size * l.inner, { seed: 30 + li, lo: -5, hi: 5 });
      const soft = new T(x.length);
      const logSoft = new T(x.length);
      K.softmax(x, { ...l, out: soft });
      K.softmax(x, { ...l, out: logSoft, log: true });
      const wantSoft = new Float64Array(x.length);
      const wantLog = new Float64Array(x.length);
      const sums = new Float64Array(l.outer * l.inner);
      lines(x, l, (o, i, line) => {
        const z = line.reduce((p, v) => p + Math.exp(v), 0);
        line.forEach((v, s) => {
          const p = (o * l.size + s) * l.inner + i;
          wantSoft[p] = Math.exp(v) / z;
          wantLog[p] = v - Math.log(z);
          sums[o * l.inner + i] += soft[p];
        });
      });
      const what = `${T.name} ${JSON.stringify(l)}`;
      assertClose(soft, wantSoft, { tol, what: `softmax ${what}` });
      assertClose(logSoft, wantLog, { tol, what: `log-softmax ${what}` });
      assertClose(sums, sums.map(() => 1), { tol, what: `row sums ${what}` });
      K.softmax(x, { ...l, out: x }); // in place
      assertClose(x, wantSoft, { tol, what: `softmax in place ${what}` });
    });
  }
});

Deno.test("reference: softmax is stable for inputs like ±1000", () => {
  for (const { T } of DTYPES) {
    const x = new T([1000, -1000, 0, 999]);
    const out = new T(4);
    K.softmax(x, { outer: 1, size: 4, inner: 1, out, log: true });
    const lse = Math.log(1 + Math.exp(-1)); // log Σ exp(x − 1000)
    assertClose(out, [-lse, -2000 - lse, -1000 - lse, -1 - lse], {
      tol: 1e-6,
      what: `${T.name} log-softmax`,
    });
    K.softmax(x, { outer: 1, size: 4, inner: 1, out });
    const z = 1 + Math.exp(-1);
    assertClose(out, [1 / z, 0, 0, Math.exp(-1) / z], { tol: 1e-6, what: `${T.name} softmax` });
  }
});

Deno.test("reference: gather and scatter on permuted, sliced and expanded views", () => {
  const shapes = [[], [6], [3, 4], [2, 3, 4], [2, 1, 3, 2], [3, 0, 2], [2, 2, 3, 2, 2, 3]];
  for (const { T } of DTYPES) {
    shapes.forEach((shape, si) => {
      const { view, size } = randomView(shape, 70 + si);
      const src = rand(T, size, { seed: 8 + si });
      const total = shape.reduce((p, d) => p * d, 1);
      const out = new T(total);
      K.gather(src, { view, out });
      const picks = [...indices(shape)].map((idx) => at(view, idx));
      assert.deepEqual(Array.from(out), picks.map((p) => src[p]), `gather ${shape}`);

      const values = rand(T, total, { seed: 90 + si });
      const base = rand(T, size, { seed: 91 + si });
      const wantSet = Array.from(base);
      const wantAdd = Array.from(base);
      picks.forEach((p, i) => {
        wantSet[p] = values[i]; // row-major order: a repeated slot keeps the last
        wantAdd[p] += values[i];
      });
      const set = base.slice();
      K.scatter(values, { view, out: set });
      assert.deepEqual(Array.from(set), Array.from(new T(wantSet)), `scatter ${shape}`);
      const add = base.slice();
      K.scatter(values, { view, out: add, accumulate: true });
      assertClose(add, Array.from(new T(wantAdd)), { tol: 1e-6, what: `scatter+= ${shape}` });
    });
  }
});

Deno.test("reference: transpose via gather, then scatter back", () => {
  for (const { T } of DTYPES) {
    const m = new T([1, 2, 3, 4, 5, 6]); // 2×3
    const t = new T(6);
    const view = { shape: [3, 2], strides: [1, 3], offset: 0 };
    K.gather(m, { view, out: t });
    assert.deepEqual(Array.from(t), [1, 4, 2, 5, 3, 6]);
    const back = new T(6);
    K.scatter(t, { view, out: back });
    assert.deepEqual(back, m);
  }
});

Deno.test("reference: gatherRows and scatterAddRows with repeated rows", () => {
  for (const { T } of DTYPES) {
    const x = rand(T, 5 * 3, { seed: 11 });
    const rows = new Int32Array([4, 0, 4, 2]);
    const out = new T(4 * 3);
    K.gatherRows(x, { rows, rowSize: 3, out });
    assert.deepEqual(
      Array.from(out),
      [...rows].flatMap((r) => Array.from(x.subarray(r * 3, r * 3 + 3))),
    );
    const grad = rand(T, 4 * 3, { seed: 12 });
    const acc = new T(5 * 3).fill(1);
    K.scatterAddRows(grad, { rows, rowSize: 3, out: acc });
    const want = new Float64Array(15).fill(1);
    rows.forEach((r, i) => {
      for (let j = 0; j < 3; j++) want[r * 3 + j] += grad[i * 3 + j];
    });
    assertClose(acc, want, { tol: 1e-6, what: `${T.name} scatterAddRows` });
  }
});

Deno.test("reference: swapLeadingAxes transposes [a, b, inner] blocks, adding a row bias", () => {
  for (const { T } of DTYPES) {
    const [a, b, inner] = [3, 4, 5];
    const x = rand(T, a * b * inner, { seed: 13 });
    const bias = rand(T, a, { seed: 14 });
    const plain = new T(x.length);
    const biased = new T(x.length);
    K.swapLeadingAxes(x, { a, b, inner, out: plain });
    K.swapLeadingAxes(x, { a, b, inner, bias, out: biased });
    for (let i = 0; i < a; i++) {
      for (let j = 0; j < b; j++) {
        for (let k = 0; k < inner; k++) {
          const [from, to] = [(i * b + j) * inner + k, (j * a + i) * inner + k];
          assert.equal(plain[to], x[from]);
          assert.equal(biased[to], new T([x[from] + bias[i]])[0]);
        }
      }
    }
  }
});
