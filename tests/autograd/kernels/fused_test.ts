/**
 * The fused kernels of the reference backend (addBias, activationGrad), which
 * every backend uses: equal bit for bit to the unfused element-wise kernels
 * they replace, for Float32Array and Float64Array storage, in place too.
 */

import assert from "node:assert/strict";
import type { ActivationOp, Storage } from "../../../autograd/kernels/kernels.ts";
import { referenceKernels as K } from "../../../autograd/kernels/reference/mod.ts";
import { DTYPES, rand } from "./reference_helpers.ts";

/** The unfused backward of each activation from its output y, with the same kernels as the ops. */
function unfusedGrad(op: ActivationOp, y: Storage, grad: Storage): Storage {
  const T = y.constructor as new (n: number) => Storage;
  const n = y.length;
  const t = new T(n);
  const one = new T(1).fill(1);
  const ones = { shape: [n], strides: [0], offset: 0 };
  const flat = { shape: [n], strides: [1], offset: 0 };
  if (op === "relu") {
    K.unary("step", y, t);
  } else if (op === "sigmoid") {
    K.unary("neg", y, t); // rsub(1, y) = add(neg(y), 1)
    K.binaryStrided("add", { a: t, av: flat, b: one, bv: ones, out: t });
    K.binary("mul", { a: y, b: t, out: t });
  } else {
    K.binary("mul", { a: y, b: y, out: t });
    K.unary("neg", t, t);
    K.binaryStrided("add", { a: t, av: flat, b: one, bv: ones, out: t });
  }
  const out = new T(n);
  K.binary("mul", { a: grad, b: t, out });
  return out;
}

Deno.test("reference: activationGrad equals the unfused element-wise backward bit for bit", () => {
  for (const { T } of DTYPES) {
    for (const op of ["sigmoid", "tanh", "relu"] as const) {
      const y = rand(T, 301, { seed: 5, lo: -1, hi: 1 });
      y.set([0, -0, 1, -1], 0);
      const grad = rand(T, 301, { seed: 6, lo: -3, hi: 3 });
      const want = unfusedGrad(op, y, grad);
      const out = new T(y.length);
      K.activationGrad(op, { y, grad, out });
      assert.deepEqual(
        [...out].map((v) => Object.is(v, -0) ? "-0" : v),
        [...want].map((v) => Object.is(v, -0) ? "-0" : v),
        `${T.name} ${op}`,
      );
      K.activationGrad(op, { y, grad, out: grad });
      assert.deepEqual([...grad], [...want], `${T.name} ${op} in place`);
    }
  }
});

Deno.test("reference: addBias equals the broadcasting add, in place too", () => {
  for (const { T } of DTYPES) {
    const x = rand(T, 5 * 7, { seed: 1 });
    const bias = rand(T, 7, { seed: 2 });
    const want = new T(x.length);
    K.binaryStrided("add", {
      a: x,
      av: { shape: [5, 7], strides: [7, 1], offset: 0 },
      b: bias,
      bv: { shape: [5, 7], strides: [0, 1], offset: 0 },
      out: want,
    });
    const out = new T(x.length);
    K.addBias(x, { bias, out });
    assert.deepEqual([...out], [...want], T.name);
    K.addBias(x, { bias, out: x });
    assert.deepEqual([...x], [...want], `${T.name} in place`);
    // With an activation: the same add, then unary in place.
    for (const activation of ["sigmoid", "tanh", "relu"] as const) {
      const then = new T(want);
      K.unary(activation, then, then);
      const fused = new T(x.length);
      K.addBias(rand(T, 5 * 7, { seed: 1 }), { bias, out: fused, activation });
      assert.deepEqual([...fused], [...then], `${T.name} ${activation}`);
    }
  }
});
