/**
 * Optimizers: the assignment's momentum rule by hand, Adam against its
 * formula, schedules; and where parameters and optimizer state live.
 */

import assert from "node:assert/strict";
import { rand, Rng, sum, Tensor, tidy } from "../../mod.ts";
import { Adam, cosineLR, Linear, SGD, stepLR } from "../../layers/mod.ts";
import { residentAddress } from "../../autograd/kernels/wasm/resident.ts";
import { wasm } from "../autograd/native_sets.ts";
import { withKernels } from "../autograd/op_check.ts";

function param(values: number[]): Tensor {
  return new Tensor(Float64Array.from(values), [values.length], { requiresGrad: true });
}

Deno.test("SGD momentum: three steps of M ← 0.9M − αg, W ← W + M match hand computation exactly", () => {
  const w = param([1, -2]);
  const sgd = new SGD([w], { lr: 0.1, momentum: 0.9 });
  const grads = [[0.5, 1], [-1, 2], [0.25, -0.5]];
  // By hand: M1 = −α g1; M2 = 0.9 M1 − α g2; M3 = 0.9 M2 − α g3; W += M each step.
  const m = [0, 0];
  const expected = [1, -2];
  for (const g of grads) {
    w.grad = new Tensor(Float64Array.from(g), [2]);
    sgd.step();
    for (let i = 0; i < 2; i++) {
      m[i] = 0.9 * m[i] - 0.1 * g[i];
      expected[i] += m[i];
    }
    assert.deepEqual(w.toArray(), expected);
  }
  assert.deepEqual(sgd.stateTensors()["momentum.0"].toArray(), m);
});

Deno.test("plain SGD and weight decay", () => {
  const w = param([1, 2]);
  const sgd = new SGD([w], { lr: 0.5, weightDecay: 0.1 });
  w.grad = new Tensor(Float64Array.from([1, -1]), [2]);
  sgd.step();
  assert.deepEqual(w.toArray(), [1 - 0.5 * (1 + 0.1), 2 - 0.5 * (-1 + 0.2)]);
});

Deno.test("Adam follows its bias-corrected update", () => {
  const w = param([0.5]);
  const adam = new Adam([w], { lr: 0.1 });
  let m = 0;
  let v = 0;
  let expected = 0.5;
  for (let t = 1; t <= 3; t++) {
    const g = t * 0.3;
    w.grad = new Tensor(Float64Array.from([g]), [1]);
    adam.step();
    m = 0.9 * m + 0.1 * g;
    v = 0.999 * v + 0.001 * g * g;
    expected -= 0.1 * (m / (1 - 0.9 ** t)) / (Math.sqrt(v / (1 - 0.999 ** t)) + 1e-8);
    assert.ok(Math.abs(w.data[0] - expected) < 1e-12, `step ${t}: ${w.data[0]} vs ${expected}`);
  }
});

Deno.test("schedules", () => {
  const step = stepLR(0.1, { every: 10, gamma: 0.5 });
  assert.deepEqual([step(0), step(9), step(10), step(25)], [0.1, 0.1, 0.05, 0.025]);
  const cos = cosineLR(1, { epochs: 10, min: 0 });
  assert.equal(cos(0), 1);
  assert.ok(Math.abs(cos(5) - 0.5) < 1e-12);
  assert.ok(Math.abs(cos(10)) < 1e-12);
});

Deno.test("on the WebAssembly kernels a layer's weights, their reused gradients and the optimizers' state live in the shared memory", () => {
  withKernels(wasm, () => {
    const layer = new Linear(64, 32, { rng: new Rng(1) });
    const sgd = new SGD(layer.parameters(), { lr: 0.1, momentum: 0.9 });
    const adam = new Adam(layer.parameters(), { lr: 1e-3 });
    const x = rand([8, 64], { rng: new Rng(2) });
    for (const optimizer of [sgd, adam, sgd]) {
      tidy(() => {
        const loss = sum(layer.forward(x));
        layer.zeroGrad({ reuse: true });
        loss.backward();
        optimizer.step();
      });
    }
    const w = layer.weight;
    assert.ok(residentAddress(w.data) >= 0, "the weight");
    assert.ok(residentAddress(w.grad!.data) >= 0, "its gradient");
    const state = { ...sgd.stateTensors(), ...adam.stateTensors() };
    for (const name of ["momentum.0", "m.0", "v.0"]) {
      assert.ok(residentAddress(state[name].data) >= 0, name);
    }
    // 32 floats: below RESIDENT_MIN_LENGTH, an ordinary array.
    assert.equal(residentAddress(layer.bias!.data), -1, "the bias");
  });
});
