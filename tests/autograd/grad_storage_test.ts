/**
 * A leaf's gradient storage outlives zeroGrad({ reuse: true }): the next
 * backward writes into it (so a kept reference sees the new values); a plain
 * zeroGrad(), or a gradient set to null by hand, leaves a kept gradient as it
 * was; accumulation without zeroGrad still makes a new array; and a leaf used
 * twice by one op gets a correct gradient.
 */

import assert from "node:assert/strict";
import { linear, rand, Rng, sum, type Tensor, tensor } from "../../mod.ts";

function weights() {
  const rng = new Rng(4);
  const x = rand([3, 4], { rng });
  const w = rand([4, 2], { rng, requiresGrad: true });
  const b = rand([2], { rng, requiresGrad: true });
  return { x, w, b, loss: () => sum(linear(x, w, { bias: b, activation: "tanh" })) };
}

Deno.test("after zeroGrad({ reuse: true }), backward writes into the old gradient's storage", () => {
  const { w, b, loss } = weights();
  loss().backward();
  const [first, firstBias] = [w.grad!, b.grad!];
  const want = [...first.data];
  first.data.fill(NaN);
  w.zeroGrad({ reuse: true });
  b.zeroGrad({ reuse: true });
  assert.equal(w.grad, null);
  loss().backward();
  assert.equal(w.grad!.data, first.data);
  assert.equal(b.grad!.data, firstBias.data);
  assert.deepEqual([...w.grad!.data], want);
});

for (
  const [name, clear] of [
    ["zeroGrad()", (w: Tensor) => w.zeroGrad()],
    ["grad = null", (w: Tensor) => w.grad = null],
    ["zeroGrad({ reuse: true }) then zeroGrad()", (w: Tensor) => {
      w.zeroGrad({ reuse: true });
      w.zeroGrad();
    }],
  ] as const
) {
  Deno.test(`${name} leaves a kept gradient as it was`, () => {
    const { w, loss } = weights();
    for (let step = 0; step < 3; step++) {
      loss().backward();
      const first = w.grad!;
      const copy = [...first.data];
      clear(w);
      loss().backward();
      assert.notEqual(w.grad!.data, first.data);
      assert.deepEqual([...first.data], copy);
      assert.deepEqual([...w.grad!.data], copy);
      w.zeroGrad({ reuse: true });
    }
  });
}

Deno.test("without zeroGrad a second backward accumulates into a new array", () => {
  const { w, loss } = weights();
  loss().backward();
  const first = w.grad!;
  const copy = [...first.data];
  loss().backward();
  assert.notEqual(w.grad!.data, first.data);
  assert.deepEqual([...first.data], copy);
  assert.deepEqual([...w.grad!.data], copy.map((v) => Math.fround(v + v)));
});

Deno.test("a leaf that is both input and weight of one op gets the sum of both gradients", () => {
  const run = (reuse: boolean) => {
    const w = tensor([[1, 2], [3, 4]], { requiresGrad: true, dtype: "float64" });
    for (let i = 0; i < 2; i++) {
      w.zeroGrad({ reuse });
      sum(linear(w, w)).backward();
    }
    return [...w.grad!.data];
  };
  // ∂Σ(W·W)/∂W[a][b] = (row sum b of W) + (column sum a of W): rows 3, 7; columns 4, 6.
  const want = [3 + 4, 7 + 4, 3 + 6, 7 + 6];
  assert.deepEqual(run(false), want);
  assert.deepEqual(run(true), want);
});
