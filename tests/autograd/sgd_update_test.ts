/**
 * The sgdUpdate kernel (issue 17) gives the very bits of the axpby calls it
 * stands for, on every float32 backend: the ones op_check.ts runs (the
 * WebAssembly sets with their size thresholds off, native over them) and
 * the sets training uses (WebAssembly with its thresholds, where short
 * arrays round in float64, and native over it, which updates with BLAS);
 * lengths on both sides of the WebAssembly axpby's threshold. Shape and
 * dtype errors come from `sgdUpdateInPlace`.
 */

import assert from "node:assert/strict";
import { sgdUpdateInPlace, ShapeError, Tensor } from "../../mod.ts";
import {
  type Kernels,
  loadNativeKernels,
  loadWasmKernels,
  referenceKernels,
} from "../../autograd/kernels/mod.ts";
import { FLOAT32_BACKENDS } from "./op_check.ts";
import { assertSameBits, randomArray } from "./float_arrays.ts";

const trainingWasm = loadWasmKernels(referenceKernels);
const trainingNative = trainingWasm ? loadNativeKernels(trainingWasm).kernels : null;
const BACKENDS: { name: string; kernels: Kernels }[] = [
  ...FLOAT32_BACKENDS,
  ...(trainingWasm ? [{ name: "wasm (default thresholds)", kernels: trainingWasm }] : []),
  ...(trainingNative ? [{ name: "native over default wasm", kernels: trainingNative }] : []),
];

const LENGTHS = [1, 7, 255, 256, 300, 2304, 65536];

Deno.test("sgdUpdate equals its axpby calls bit for bit on every float32 backend", () => {
  for (const { name, kernels } of BACKENDS) {
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
        kernels.sgdUpdate(param, { grad, lr: 0.03, velocity, momentum });
        assertSameBits(param, want, `${what}: param`);
        if (velocity) assertSameBits(velocity, wantVelocity!, `${what}: velocity`);
        assertSameBits(grad, gradBefore, `${what}: the gradient is never written`);
      }
    }
  }
});

Deno.test("sgdUpdate with a zero learning rate leaves the parameter as it was", () => {
  for (const { name, kernels } of BACKENDS) {
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
