/**
 * The adamUpdate kernel gives the very bits of the element-wise ops Adam ran
 * before it (`add`, `mul`, `div`, `sqrt`, three `scaleAddInPlace` calls) on
 * every backend: reference, both WebAssembly builds with their size
 * thresholds off (as op_check.ts runs them) and on (as training does, where
 * arrays shorter than axpby's threshold round in float64), and native where
 * it loads. Odd lengths on both sides of that threshold and of a chunk,
 * several steps, with and without weight decay; NaN, infinities and signed
 * zeros come out as they did; Float64Array storage works; shape, dtype and
 * step errors come from `adamUpdateInPlace`.
 */

import assert from "node:assert/strict";
import {
  adamUpdateInPlace,
  add,
  div,
  DTypeError,
  InklingError,
  mul,
  noGrad,
  scaleAddInPlace,
  ShapeError,
  sqrt,
  Tensor,
  zerosLike,
} from "../../mod.ts";
import { Adam } from "../../layers/mod.ts";
import type { Kernels } from "../../autograd/kernels/mod.ts";
import { TRAINING_BACKENDS, withKernels } from "./op_check.ts";
import { randomArray } from "./float_arrays.ts";

/** Adam's numbers for one call. */
interface Hyper {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

const DEFAULTS: Hyper = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 };
const OTHER: Hyper = { lr: 0.05, beta1: 0.8, beta2: 0.99, eps: 1e-6, weightDecay: 0.01 };

/** The update as `Adam.step` wrote it before the kernel existed, op by op. */
function unfusedStep(
  p: Tensor,
  grad: Tensor,
  state: { m: Tensor; v: Tensor },
  h: Hyper,
  t: number,
) {
  const { beta1: b1, beta2: b2 } = h;
  noGrad(() => {
    const g = h.weightDecay ? add(grad, mul(p, h.weightDecay)) : grad;
    scaleAddInPlace(state.m, g, { alpha: b1, beta: 1 - b1 });
    scaleAddInPlace(state.v, mul(g, g), { alpha: b2, beta: 1 - b2 });
    const denom = add(sqrt(div(state.v, 1 - b2 ** t)), h.eps);
    scaleAddInPlace(p, div(state.m, denom), { beta: -h.lr / (1 - b1 ** t) });
  });
}

/** The same number in both, bit for bit, except that any NaN matches any NaN. */
function assertSame(actual: Float32Array | Float64Array, expected: typeof actual, what: string) {
  assert.equal(actual.length, expected.length, `${what}: length`);
  const bits = (x: typeof actual) =>
    x instanceof Float32Array
      ? new Uint32Array(x.buffer, x.byteOffset, x.length)
      : new BigUint64Array(x.buffer, x.byteOffset, x.length);
  const a = bits(actual);
  const e = bits(expected);
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== e[i] && !(Number.isNaN(actual[i]) && Number.isNaN(expected[i]))) {
      assert.fail(`${what}[${i}]: got ${actual[i]}, want ${expected[i]}`);
    }
  }
}

/** A parameter, its gradient and Adam's two moments (v ≥ 0), as tensors of `length`. */
function operands(length: number, seed: number) {
  const make = (data: Float32Array) => new Tensor(data, [length]);
  return {
    p: make(randomArray(length, seed)),
    m: make(randomArray(length, seed + 1, { lo: -0.1, hi: 0.1 })),
    v: make(randomArray(length, seed + 2, { lo: 0, hi: 0.01 })),
  };
}

/**
 * Steps 1, 2, 3 and 1000 of the fused and the unfused update from the same
 * operands, a fresh gradient each step, comparing p, m and v after each.
 */
function compareSteps(
  kernels: Kernels,
  start: ReturnType<typeof operands>,
  h: Hyper,
  what: string,
) {
  const fused = { p: start.p.clone(), m: start.m.clone(), v: start.v.clone() };
  const unfused = { p: start.p.clone(), m: start.m.clone(), v: start.v.clone() };
  const n = start.p.size;
  for (const t of [1, 2, 3, 1000]) {
    const grad = new Tensor(randomArray(n, 7 * t + n, { lo: -2, hi: 2 }), [n]);
    const gradBefore = grad.data.slice();
    withKernels(kernels, () => {
      adamUpdateInPlace(fused.p, grad, { m: fused.m, v: fused.v, ...h, step: t });
      unfusedStep(unfused.p, grad, unfused, h, t);
    });
    assertSame(fused.p.data, unfused.p.data, `${what}, t = ${t}: p`);
    assertSame(fused.m.data, unfused.m.data, `${what}, t = ${t}: m`);
    assertSame(fused.v.data, unfused.v.data, `${what}, t = ${t}: v`);
    assertSame(grad.data, gradBefore, `${what}, t = ${t}: the gradient is never written`);
  }
}

const LENGTHS = [1, 3, 17, 255, 256, 1000, 40_003];

Deno.test("adamUpdate: the unfused ops' bits on every backend, with and without weight decay", () => {
  for (const { name, kernels } of TRAINING_BACKENDS) {
    for (const n of LENGTHS) {
      for (const h of [DEFAULTS, { ...DEFAULTS, weightDecay: 5e-4 }, OTHER]) {
        compareSteps(kernels, operands(n, n), h, `${name}, n = ${n}, wd ${h.weightDecay}`);
      }
    }
  }
});

Deno.test("adamUpdate: NaN, infinities, signed zeros and overflow come out as before", () => {
  const special = [NaN, Infinity, -Infinity, 0, -0, 3e38, -3e38, 1e-45, -1e-45];
  for (const { name, kernels } of TRAINING_BACKENDS) {
    // 300: past axpby's threshold, so the default-threshold wasm set runs WebAssembly too.
    const start = operands(300, 11);
    start.p.data[0] = -0;
    start.p.data[1] = Infinity;
    start.p.data[2] = NaN;
    start.m.data[3] = NaN;
    start.v.data[4] = Infinity;
    start.v.data[5] = -0;
    const fused = { p: start.p.clone(), m: start.m.clone(), v: start.v.clone() };
    const unfused = { p: start.p.clone(), m: start.m.clone(), v: start.v.clone() };
    for (const h of [DEFAULTS, OTHER, { ...DEFAULTS, weightDecay: 1e-50 }]) {
      const grad = new Tensor(randomArray(300, 12), [300]);
      for (let i = 0; i < 6 * special.length; i++) grad.data[i] = special[i % special.length];
      withKernels(kernels, () => {
        adamUpdateInPlace(fused.p, grad, { m: fused.m, v: fused.v, ...h, step: 1 });
        unfusedStep(unfused.p, grad, unfused, h, 1);
      });
      const what = `${name}, wd ${h.weightDecay}`;
      assertSame(fused.p.data, unfused.p.data, `${what}: p`);
      assertSame(fused.m.data, unfused.m.data, `${what}: m`);
      assertSame(fused.v.data, unfused.v.data, `${what}: v`);
    }
    // Element 0 had a NaN gradient: everything it touched is NaN.
    assert.ok([fused.p, fused.m, fused.v].every((x) => Number.isNaN(x.data[0])), name);
  }
});

Deno.test("adamUpdate on Float64Array storage: the unfused ops' bits in float64", () => {
  for (const { name, kernels } of TRAINING_BACKENDS.slice(0, 2)) {
    for (const n of [1, 17, 1000]) {
      const of64 = (t: Tensor) => new Tensor(Float64Array.from(t.data), t.shape);
      const start32 = operands(n, 3 * n);
      const start = { p: of64(start32.p), m: of64(start32.m), v: of64(start32.v) };
      const fused = { p: start.p.clone(), m: start.m.clone(), v: start.v.clone() };
      const unfused = { p: start.p.clone(), m: start.m.clone(), v: start.v.clone() };
      for (const t of [1, 2, 3]) {
        const grad = of64(new Tensor(randomArray(n, t), [n]));
        withKernels(kernels, () => {
          adamUpdateInPlace(fused.p, grad, { m: fused.m, v: fused.v, ...OTHER, step: t });
          unfusedStep(unfused.p, grad, unfused, OTHER, t);
        });
        assert.ok(fused.p.data instanceof Float64Array);
        assertSame(fused.p.data, unfused.p.data, `${name}, n = ${n}, t = ${t}: p`);
        assertSame(fused.m.data, unfused.m.data, `${name}, n = ${n}, t = ${t}: m`);
        assertSame(fused.v.data, unfused.v.data, `${name}, n = ${n}, t = ${t}: v`);
      }
    }
  }
});

Deno.test("Adam.step gives the unfused ops' bits over a CNN's parameter shapes", () => {
  const shapes = [[8, 1, 5, 5], [8], [16, 8, 3, 3], [16], [10, 64], [10]];
  for (const { name, kernels } of TRAINING_BACKENDS) {
    for (const weightDecay of [0, 1e-4]) {
      const params = shapes.map((shape, i) => {
        const size = shape.reduce((a, b) => a * b, 1);
        return new Tensor(randomArray(size, 100 + i), shape, { requiresGrad: true });
      });
      const copies = params.map((p) => p.clone());
      const moments = copies.map((p) => ({ m: zerosLike(p), v: zerosLike(p) }));
      const adam = new Adam(params, { lr: 0.01, weightDecay });
      for (let t = 1; t <= 3; t++) {
        params.forEach((p, i) => (p.grad = new Tensor(randomArray(p.size, 10 * t + i), p.shape)));
        withKernels(kernels, () => {
          adam.step();
          copies.forEach((p, i) =>
            unfusedStep(p, params[i].grad!, moments[i], { ...DEFAULTS, lr: 0.01, weightDecay }, t)
          );
        });
        params.forEach((p, i) => {
          assertSame(p.data, copies[i].data, `${name}, wd ${weightDecay}, t = ${t}: param ${i}`);
        });
      }
    }
  }
});

Deno.test("adamUpdateInPlace rejects other shapes, dtypes and steps, naming the operand", () => {
  const t = (data: Float32Array | Float64Array, shape: number[]) => new Tensor(data, shape);
  const p = t(new Float32Array(6), [2, 3]);
  const ok = () => t(new Float32Array(6), [2, 3]);
  const options = { m: ok(), v: ok(), ...DEFAULTS, step: 1 };
  assert.throws(
    () => adamUpdateInPlace(p, t(new Float32Array(6), [3, 2]), options),
    (e: unknown) => e instanceof ShapeError && /gradient \[3, 2\]/.test(e.message),
  );
  assert.throws(
    () => adamUpdateInPlace(p, ok(), { ...options, m: t(new Float32Array(5), [5]) }),
    (e: unknown) => e instanceof ShapeError && /and m \[5\] differ/.test(e.message),
  );
  assert.throws(
    () => adamUpdateInPlace(p, ok(), { ...options, v: t(new Float32Array(7), [7]) }),
    (e: unknown) => e instanceof ShapeError && /and v \[7\] differ/.test(e.message),
  );
  assert.throws(
    () => adamUpdateInPlace(p, ok(), { ...options, v: t(new Float64Array(6), [2, 3]) }),
    (e: unknown) => e instanceof DTypeError && /dtypes differ/.test(e.message),
  );
  for (const step of [0, 1.5, NaN]) {
    assert.throws(
      () => adamUpdateInPlace(p, ok(), { ...options, step }),
      (e: unknown) => e instanceof InklingError && /step must be an integer/.test(e.message),
    );
  }
  assert.deepEqual([...p.data], [0, 0, 0, 0, 0, 0], "nothing was written");
});
