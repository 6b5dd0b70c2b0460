/**
 * The shared training run: validation after every epoch goes into the
 * history, the best validation epoch's weights are restored before the test
 * set is scored, and each epoch's training time is recorded.
 */

import assert from "node:assert/strict";
import { Rng, Tensor } from "../../mod.ts";
import { evaluate, Linear, SGD } from "../../layers/mod.ts";
import { dataset, epochLine, trainAndTest } from "../../finetune/train_and_test.ts";

function blobs(n: number, seed: number) {
  const rng = new Rng(seed);
  const x = new Float32Array(n * 2);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 2;
    x[2 * i] = (y[i] ? 1 : -1) + rng.normal(0, 0.5);
    x[2 * i + 1] = rng.normal(0, 0.5);
  }
  return dataset(new Tensor(x, [n, 2]), y);
}

Deno.test("train and test: validation per epoch, best epoch restored, test scored once", async () => {
  const model = new Linear(2, 2, { rng: new Rng(0) });
  const data = { train: blobs(64, 1), valid: blobs(32, 2), test: blobs(32, 3) };
  const lines: string[] = [];
  const line = epochLine("toy", 4);
  const outcome = await trainAndTest(model, data, {
    epochs: 4,
    batchSize: 16,
    optimizer: new SGD(model.parameters(), { lr: 0.1 }),
    rng: new Rng(0),
    onEpoch: (...args) => lines.push(line(...args)),
  });
  assert.equal(outcome.history.valid_acc.length, 4);
  assert.equal(outcome.epochSeconds.length, 4);
  assert.equal(lines.length, 4);
  assert.ok(lines[0].startsWith("toy epoch 1/4  train acc "), lines[0]);
  assert.equal(outcome.validAcc, Math.max(...outcome.history.valid_acc));
  assert.equal(outcome.history.valid_acc[outcome.bestEpoch - 1], outcome.validAcc);
  assert.equal(evaluate(model, data.valid).accuracy, outcome.validAcc); // the kept weights
  assert.equal(evaluate(model, data.test).accuracy, outcome.testAcc);
  assert.equal(outcome.testPredicted.length, 32);
  assert.ok(outcome.testAcc > 0.8);
});
