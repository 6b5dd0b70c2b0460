/** BestWeights keeps the whole state of the best epoch by accuracy or by loss. */

import assert from "node:assert/strict";
import { Rng, type Tensor } from "../../mod.ts";
import { BatchNorm, BestWeights, Linear, type Module, Sequential } from "../../layers/mod.ts";
import type { EpochEnd } from "../../layers/fit.ts";
import type { History } from "../../layers/history.ts";

/** Runs `update` over epochs whose weights are filled with the epoch number. */
function runEpochs(best: BestWeights, model: Module, scores: { acc: number[]; loss: number[] }) {
  const history: History = { train_loss: [], train_acc: [], valid_loss: [], valid_acc: [], lr: [] };
  scores.acc.forEach((acc, epoch) => {
    history.valid_acc.push(acc);
    history.valid_loss.push(scores.loss[epoch]);
    for (const [, t] of model.namedTensors()) t.data.fill(epoch + 1);
    best.update({ epoch, history, model } as EpochEnd);
  });
}

const state = (model: Module) => model.namedTensors().map(([, t]: [string, Tensor]) => t.data[0]);

Deno.test("BestWeights: highest validation accuracy by default, lowest loss on request; buffers too", () => {
  const scores = { acc: [0.5, 0.8, 0.8, 0.7], loss: [1.0, 0.6, 0.5, 0.4] };
  const model = new Sequential(new Linear(2, 2, { rng: new Rng(0) }), new BatchNorm(2));
  const byAccuracy = new BestWeights(model);
  runEpochs(byAccuracy, model, scores);
  // Ties keep the earlier epoch.
  assert.equal(byAccuracy.epoch, 2);
  assert.equal(byAccuracy.accuracy, 0.8);
  byAccuracy.restore();
  assert.deepEqual(state(model), [2, 2, 2, 2, 2, 2]);

  const byLoss = new BestWeights(model, { monitor: "valid_loss" });
  runEpochs(byLoss, model, scores);
  assert.equal(byLoss.epoch, 4);
  assert.equal(byLoss.accuracy, 0.7);
  for (const [, t] of model.namedTensors()) t.data.fill(0);
  byLoss.restore();
  // Parameters and BatchNorm's running statistics come back alike.
  assert.deepEqual(state(model), [4, 4, 4, 4, 4, 4]);
});
