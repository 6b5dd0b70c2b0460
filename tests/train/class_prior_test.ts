/** Post-hoc logit adjustment: the output bias loses log(class share); rare classes win ties. */

import assert from "node:assert/strict";
import { Rng, Tensor } from "../../mod.ts";
import { Linear, ReLU, Sequential } from "../../layers/mod.ts";
import { foldOutClassPrior } from "../../train/class_prior.ts";

Deno.test("foldOutClassPrior subtracts log(share) from the output bias; absent classes untouched", () => {
  const model = new Sequential(new Linear(2, 4, { rng: new Rng(0) }), new ReLU(), new Linear(4, 3));
  const output = model.layers[2] as Linear;
  // Class 0 holds 3 of 4 labels, class 1 one, class 2 none.
  const shares = foldOutClassPrior(model, Int32Array.from([0, 0, 1, 0]), 3);
  assert.deepEqual(Array.from(shares), [0.75, 0.25, 0]);
  const bias = Array.from(output.bias!.data);
  assert.ok(Math.abs(bias[0] + Math.log(0.75)) < 1e-6);
  assert.ok(Math.abs(bias[1] + Math.log(0.25)) < 1e-6);
  assert.equal(bias[2], 0);
  // Equal evidence for classes 0 and 1 now goes to the rarer class 1.
  output.weight.data.fill(0);
  const logits = model.forward(new Tensor(Float32Array.from([1, 1]), [1, 2])).data;
  assert.ok(logits[1] > logits[0]);
  assert.throws(() => foldOutClassPrior(model, Int32Array.from([0]), 5), /no 5-way output/);
});
