/**
 * Per-group learning rates: each group steps at its multiple of the shared
 * rate (a schedule moves them together), a zero multiple freezes a group,
 * and the inner optimizers' state round-trips.
 */

import assert from "node:assert/strict";
import { Adam, SGD, tensor } from "../../mod.ts";
import { GroupedOptimizer } from "../../finetune/param_groups.ts";

function param(value: number) {
  const p = tensor([value], { requiresGrad: true });
  p.grad = tensor([1]);
  return p;
}

Deno.test("param groups: each group steps at lr × its scale", () => {
  const [a, b, c] = [param(0), param(0), param(0)];
  const opt = new GroupedOptimizer(
    [{ params: [a], lrScale: 1 }, { params: [b], lrScale: 0.1 }, { params: [c], lrScale: 0 }],
    (params) => new SGD(params, { lr: 1 }),
    { lr: 0.5 },
  );
  opt.step();
  assert.ok(Math.abs(a.data[0] + 0.5) < 1e-7);
  assert.ok(Math.abs(b.data[0] + 0.05) < 1e-7);
  assert.equal(c.data[0], 0);
  opt.lr = 0.1; // what a schedule does
  opt.step();
  assert.ok(Math.abs(a.data[0] + 0.6) < 1e-6);
  assert.equal(opt.steps, 2);
  assert.equal(opt.params.length, 3);
});

Deno.test("param groups: a parameter in two groups is refused; state round-trips", () => {
  const p = param(0);
  assert.throws(
    () =>
      new GroupedOptimizer([{ params: [p] }, { params: [p] }], (ps) => new SGD(ps, { lr: 1 }), {
        lr: 1,
      }),
    /in two groups/,
  );
  const [a, b] = [param(1), param(2)];
  const opt = new GroupedOptimizer([{ params: [a] }, { params: [b] }], (ps) => new Adam(ps), {
    lr: 1e-3,
  });
  opt.step();
  const state = opt.stateTensors();
  assert.deepEqual(Object.keys(state).sort(), ["g0.m.0", "g0.v.0", "g1.m.0", "g1.v.0"]);
  const again = new GroupedOptimizer([{ params: [a] }, { params: [b] }], (ps) => new Adam(ps), {
    lr: 1e-3,
  });
  again.loadStateTensors(state);
  assert.deepEqual(again.stateTensors()["g1.v.0"].data, state["g1.v.0"].data);
});
