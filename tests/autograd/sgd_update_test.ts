/**
 * The sgdUpdate kernel (issue 17) gives the very bits of the axpby calls it
 * stands for on the reference and WebAssembly sets (with their size
 * thresholds off, as op_check.ts runs them, and on, as training does, where
 * short arrays round in float64), and on the native sets, which update with
 * BLAS and may fuse a multiply and an add, the exact update to within a few
 * float32 roundings; lengths on both sides of the WebAssembly axpby's
 * threshold. Shape and dtype errors come from `sgdUpdateInPlace`.
 */

import assert from "node:assert/strict";
import { sgdUpdateInPlace, ShapeError, Tensor } from "../../mod.ts";
import { TRAINING_BACKENDS } from "./op_check.ts";
import { assertSameBits, randomArray } from "./float_arrays.ts";

const LENGTHS = [1, 7, 255, 256, 300, 2304, 65536];

/** The update at lr 0.03 in float64, from the float32 operands. */
function exactUpdate(
  param: Float32Array,
  args: { grad: Float32Array; velocity?: Float32Array; momentum?: number },
): { param: Float64Array; velocity?: Float64Array } {
  const { grad, velocity } = args;
  if (velocity === undefined) {
    return { param: Float64Array.from(param, (p, i) => p - 0.03 * grad[i]) };
  }
  const v = Float64Array.from(velocity, (x, i) => (args.momentum ?? 0) * x - 0.03 * grad[i]);
  return { param: Float64Array.from(param, (p, i) => p + v[i]), velocity: v };
}

/**
 * Within a few float32 roundings of the exact values: the operands lie in
 * [−1, 1), so each rounding is at most 2⁻²⁴ and four of them stay under 2⁻²².
 */
function assertNear(got: Float32Array, want: Float64Array, what: string): void {
  for (let i = 0; i < got.length; i++) {
    if (Math.abs(got[i] - want[i]) > 2 ** -22) {
      assert.fail(`${what}[${i}]: got ${got[i]}, want ${want[i]}`);
    }
  }
}

Deno.test("sgdUpdate: the axpby calls' bits on reference and wasm, the exact update on native", () => {
  for (const { name, kernels } of TRAINING_BACKENDS) {
    for (const n of LENGTHS) {
      for (const momentum of [undefined, 0.9]) {
        const what = `${name}, n = ${n}, momentum ${momentum}`;
        const grad = randomArray(n, n + 1);
        const param = randomArray(n, n + 2);
        const velocity = momentum === undefined ? undefined : randomArray(n, n + 3);
        const want = param.slice();
        const wantVelocity = velocity?.slice();
        if (wantVelocity === undefined) {
          kernels.axpby({ a: want, alpha: 1, b: grad, beta: -0.03, out: want });
        } else {
          kernels.axpby({ a: wantVelocity, alpha: 0.9, b: grad, beta: -0.03, out: wantVelocity });
          kernels.axpby({ a: want, alpha: 1, b: wantVelocity, beta: 1, out: want });
        }
        const gradBefore = grad.slice();
        const exact = exactUpdate(param, { grad, velocity, momentum });
        kernels.sgdUpdate(param, { grad, lr: 0.03, velocity, momentum });
        if (kernels.name === "native") {
          assertNear(param, exact.param, `${what}: param`);
          if (velocity) assertNear(velocity, exact.velocity!, `${what}: velocity`);
        } else {
          assertSameBits(param, want, `${what}: param`);
          if (velocity) assertSameBits(velocity, wantVelocity!, `${what}: velocity`);
        }
        assertSameBits(grad, gradBefore, `${what}: the gradient is never written`);
      }
    }
  }
});

Deno.test("sgdUpdate with a zero learning rate leaves the parameter as it was", () => {
  for (const { name, kernels } of TRAINING_BACKENDS) {
    const param = randomArray(1000, 5);
    const grad = randomArray(1000, 6);
    grad[3] = NaN; // sscal(0) would turn this into 0; the axpby gives NaN·0 = NaN
    const want = param.slice();
    kernels.axpby({ a: want, alpha: 1, b: grad, beta: -0, out: want });
    kernels.sgdUpdate(param, { grad, lr: 0 });
    assertSameBits(param, want, name);
  }
});

Deno.test("sgdUpdateInPlace rejects gradients and velocities of another shape or dtype", () => {
  const param = new Tensor(new Float32Array(6), [2, 3]);
  assert.throws(
    () => sgdUpdateInPlace(param, new Tensor(new Float32Array(6), [3, 2]), { lr: 1 }),
    ShapeError,
  );
  assert.throws(
    () =>
      sgdUpdateInPlace(param, new Tensor(new Float32Array(6), [2, 3]), {
        lr: 1,
        velocity: new Tensor(new Float32Array(3), [3]),
      }),
    ShapeError,
  );
  assert.throws(
    () => sgdUpdateInPlace(param, new Tensor(new Float64Array(6), [2, 3]), { lr: 1 }),
    /dtypes differ/,
  );
});
