/** The training loop on synthetic data: a small CNN separates bars; divergence stops clearly. */

import assert from "node:assert/strict";
import { crossEntropy, Rng } from "../../mod.ts";
import {
  Adam,
  Conv2d,
  DivergenceError,
  evaluate,
  fit,
  Flatten,
  Linear,
  MaxPool2d,
  randomBatches,
  ReLU,
  Sequential,
  SGD,
} from "../../layers/mod.ts";
import { bars, blobs } from "../../datasets/synthetic.ts";

Deno.test("a small CNN reaches ≥ 95% on the bars toy problem", async () => {
  const rng = new Rng(1);
  const train = bars(1200, { seed: 1 });
  const test = bars(400, { seed: 2 });
  const model = new Sequential(
    new Conv2d({ in: 1, out: 6 }, 3, { padding: 1, rng }),
    new ReLU(),
    new MaxPool2d(2),
    new Flatten(),
    new Linear(6 * 6 * 6, 4, { rng }),
  );
  const history = await fit(model, {
    train,
    valid: test,
    epochs: 4,
    optimizer: new Adam(model.parameters(), { lr: 0.01 }),
    rng,
    progress: "none",
  });
  assert.equal(history.train_loss.length, 4);
  assert.ok(history.train_loss[3] < history.train_loss[0]);
  const acc = evaluate(model, test).accuracy;
  assert.ok(acc >= 0.95, `test accuracy ${acc}`);
});

Deno.test("randomBatches covers every index once, keeps the last partial batch", () => {
  const batches = randomBatches(10, { batchSize: 4, rng: new Rng(0) });
  assert.deepEqual(batches.map((b) => b.length), [4, 4, 2]);
  assert.deepEqual(batches.flatMap((b) => [...b]).sort((a, b) => a - b), [
    0,
    1,
    2,
    3,
    4,
    5,
    6,
    7,
    8,
    9,
  ]);
  assert.deepEqual(randomBatches(10, { batchSize: 4, dropLast: true }).map((b) => b.length), [
    4,
    4,
  ]);
});

Deno.test("a diverging run stops with the epoch and step named", async () => {
  const rng = new Rng(0);
  const data = blobs(64, { seed: 1 });
  const model = new Sequential(new Linear(2, 3, { rng }));
  await assert.rejects(
    fit(model, {
      train: data,
      epochs: 5,
      optimizer: new SGD(model.parameters(), { lr: 1e38 }),
      rng,
      progress: "none",
    }),
    (e) => e instanceof DivergenceError && /epoch \d+, step \d+/.test(e.message),
  );
});

Deno.test("fit: a training-only loss (label smoothing) leaves the validation loss plain", async () => {
  const run = async (smoothed: boolean) => {
    const rng = new Rng(3);
    const data = bars(200, { seed: 3 });
    const model = new Sequential(new Flatten(), new Linear(144, 4, { rng }));
    const history = await fit(model, {
      train: data,
      valid: data,
      epochs: 1,
      optimizer: new SGD(model.parameters(), { lr: 0 }), // no learning: both runs see one model
      rng,
      progress: "none",
      loss: smoothed ? (o, t) => crossEntropy(o, t, { labelSmoothing: 0.2 }) : undefined,
      validLoss: crossEntropy,
    });
    return { history, plain: evaluate(model, data).loss };
  };
  const [plain, smoothed] = [await run(false), await run(true)];
  assert.equal(smoothed.history.valid_loss[0], plain.history.valid_loss[0]);
  assert.equal(smoothed.history.valid_loss[0], smoothed.plain);
  assert.notEqual(smoothed.history.train_loss[0], plain.history.train_loss[0]);
});
