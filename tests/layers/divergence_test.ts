/**
 * Failing runs in the training loop: weights that turn non-finite on an
 * epoch's last step stop training before the epoch's checkpoint is written,
 * so the file keeps the last good epoch; impossible batch sizes and empty
 * training sets fail at once instead of looping or dividing by zero.
 */

import assert from "node:assert/strict";
import { crossEntropy, InklingError, Rng, Tensor } from "../../autograd/mod.ts";
import {
  checkpointEachEpoch,
  DivergenceError,
  fit,
  Linear,
  loadCheckpoint,
  randomBatches,
  Sequential,
  SGD,
} from "../../layers/mod.ts";
import { blobs } from "../../datasets/synthetic.ts";

Deno.test("weights gone non-finite on an epoch's last step never replace the good checkpoint", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/ckpt.safetensors`;
  const rng = new Rng(0);
  const data = blobs(64, { seed: 1 });
  const model = new Sequential(new Linear(2, 3, { rng }));
  const steps = randomBatches(64, { batchSize: 16 }).length;
  let step = 0;
  await assert.rejects(
    fit(model, {
      train: data,
      epochs: 3,
      batchSize: 16,
      optimizer: new SGD(model.parameters(), { lr: 0.1 }),
      rng,
      progress: "none",
      onEpochEnd: checkpointEachEpoch(path),
      // The loss stays finite; only the last step of epoch 2 poisons one gradient.
      gradients: (batch) => {
        step++;
        const output = model.forward(batch.x);
        const loss = crossEntropy(output, batch.y);
        model.zeroGrad();
        loss.backward();
        if (step === 2 * steps) model.parameters()[0].grad!.data[0] = NaN;
        return { output, loss: loss.item() };
      },
    }),
    (error) =>
      error instanceof DivergenceError && error.epoch === 2 && error.step === steps &&
      /the weights became non-finite at epoch 2, step 4; lower the learning rate/.test(
        error.message,
      ),
  );
  const kept = await loadCheckpoint(path);
  assert.equal(kept.epoch, 1);
  for (const t of Object.values(kept.model)) assert.ok(t.data.every(Number.isFinite));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a batch size below one or fractional is an error, not an endless loop", () => {
  for (const batchSize of [0, -1, 0.5, NaN]) {
    assert.throws(
      () => randomBatches(10, { batchSize }),
      (e) => e instanceof InklingError && /batch size must be a positive integer/.test(e.message),
    );
  }
});

Deno.test("fitting an empty training set fails with a clear error", async () => {
  const rng = new Rng(0);
  const model = new Sequential(new Linear(2, 3, { rng }));
  await assert.rejects(
    fit(model, {
      train: { x: new Tensor(new Float32Array(0), [0, 2]), y: new Int32Array(0) },
      epochs: 1,
      optimizer: new SGD(model.parameters(), { lr: 0.1 }),
      rng,
      progress: "none",
    }),
    /fit: the training set is empty/,
  );
});
