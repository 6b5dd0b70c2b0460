/** Tape semantics: accumulation, zeroGrad, noGrad, release after backward, seeds, custom ops. */

import assert from "node:assert/strict";
import {
  AutogradError,
  defineOp,
  exp,
  gradcheck,
  mul,
  noGrad,
  sum,
  Tensor,
  tensor,
} from "../../mod.ts";

Deno.test("backward on a scalar fills leaf gradients; a second backward accumulates", () => {
  const x = tensor([1, 2, 3], { requiresGrad: true, dtype: "float64" });
  sum(mul(x, x)).backward();
  assert.deepEqual(x.grad!.toArray(), [2, 4, 6]);
  sum(mul(x, x)).backward();
  assert.deepEqual(x.grad!.toArray(), [4, 8, 12]);
  x.zeroGrad();
  assert.equal(x.grad, null);
});

Deno.test("a tensor used twice gets both contributions", () => {
  const x = tensor([3], { requiresGrad: true, dtype: "float64" });
  const y = mul(x, exp(x)); // d/dx = e^x (1 + x)
  y.backward();
  assert.ok(Math.abs(x.grad!.item() - Math.exp(3) * 4) < 1e-12);
});

Deno.test("noGrad records nothing", () => {
  const x = tensor([1, 2], { requiresGrad: true });
  const y = noGrad(() => mul(x, 2));
  assert.equal(y.requiresGrad, false);
  assert.equal(y.node, null);
});

Deno.test("the graph is released after backward unless retainGraph", () => {
  const x = tensor([1, 2], { requiresGrad: true, dtype: "float64" });
  const y = sum(exp(x));
  y.backward(undefined, { retainGraph: true });
  y.backward();
  assert.ok(Math.abs(x.grad!.data[0] - 2 * Math.E) < 1e-12);
  assert.equal(y.node!.inputs.length, 0, "inputs dropped so saved tensors can be collected");
  assert.throws(
    () => y.backward(),
    (e) => e instanceof AutogradError && /released/.test(e.message),
  );
});

Deno.test("non-scalar backward needs a seed of the output's shape", () => {
  const x = tensor([1, 2, 3], { requiresGrad: true });
  const y = mul(x, 2);
  assert.throws(() => y.backward(), (e) => e instanceof AutogradError && /\[3\]/.test(e.message));
  assert.throws(() => y.backward(tensor([1, 1])), AutogradError);
  y.backward(tensor([1, 0, -1]));
  assert.deepEqual(x.grad!.toArray(), [2, 0, -2]);
});

Deno.test("retainGrad keeps an intermediate gradient", () => {
  const x = tensor([0.5], { requiresGrad: true, dtype: "float64" });
  const h = mul(x, 3).retainGrad();
  sum(mul(h, h)).backward();
  assert.equal(h.grad!.item(), 3);
  assert.equal(x.grad!.item(), 9);
});

Deno.test("backward on a tensor that needs no grad is a clear error", () => {
  assert.throws(() => tensor([1]).backward(), AutogradError);
});

Deno.test("a custom op uses its hand-written backward", () => {
  let backwardCalls = 0;
  const cube = defineOp({
    name: "cube",
    forward: (ctx, [x]) => {
      ctx.save(x);
      return mul(mul(x, x), x);
    },
    backward: (ctx, g) => {
      backwardCalls++;
      const [x] = ctx.saved;
      return [mul(g, mul(mul(x, x), 3))];
    },
  });
  const x = new Tensor(Float64Array.from([0.3, -1.2, 2]), [3], { requiresGrad: true });
  const report = gradcheck((t) => cube(t), [x]);
  assert.ok(report.ok, JSON.stringify(report.worst));
  assert.ok(backwardCalls >= 1);
});
