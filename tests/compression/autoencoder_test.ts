/** The autoencoder: the assignment's architecture, a short run whose loss falls, divergence stops clearly. */

import assert from "node:assert/strict";
import { Rng, Tensor } from "../../mod.ts";
import { DivergenceError, Linear, ReLU, Sigmoid } from "../../layers/mod.ts";
import {
  AUTOENCODER_DEFAULTS,
  autoencoderReconstruct,
  createAutoencoder,
  reconstructionLoss,
  trainAutoencoder,
} from "../../compression/autoencoder.ts";

/** 216 random "glyphs": a dark bar at one of six positions on a white 16×16 field, with noise. */
function bars(seed: number): Tensor {
  const rng = new Rng(seed);
  const n = 216;
  const x = new Float32Array(n * 256);
  for (let i = 0; i < n; i++) {
    const column = 2 + 2 * (i % 6);
    for (let p = 0; p < 256; p++) {
      const ink = p % 16 === column || p % 16 === column + 1;
      x[i * 256 + p] = Math.min(1, Math.max(0, (ink ? 0.1 : 0.95) + 0.05 * rng.normal()));
    }
  }
  return new Tensor(x, [n, 256]);
}

Deno.test("the network is 1024-32-32-32-1024, ReLU, ReLU, ReLU, sigmoid; 68,704 parameters", () => {
  const model = createAutoencoder(1024);
  const kinds = model.layers.map((l) => l.constructor);
  assert.deepEqual(kinds, [Linear, ReLU, Linear, ReLU, Linear, ReLU, Linear, Sigmoid]);
  assert.deepEqual(
    model.parameters().map((p) => p.shape),
    [[1024, 32], [32], [32, 32], [32], [32, 32], [32], [32, 1024], [1024]],
  );
  assert.equal(model.parameterCount(), 68704);
  assert.deepEqual(
    { ...AUTOENCODER_DEFAULTS },
    { hidden: 32, epochs: 100, batchSize: 36, lr: 3e-5, momentum: 0.9, seed: 0 },
  );
});

Deno.test("a short run at the assignment's settings (summed loss, α 3e-5, momentum 0.9): the loss falls", () => {
  const train = bars(1);
  const valid = bars(2);
  const epochs: number[] = [];
  const result = trainAutoencoder({ train, valid }, {
    settings: { epochs: 15 }, // the assignment's α = 3e-5, batch 36, momentum 0.9
    onEpochEnd: (epoch) => epochs.push(epoch),
  });
  const h = result.history;
  assert.deepEqual(epochs, [...Array(15).keys()]);
  assert.equal(h.train_loss.length, 15);
  assert.equal(h.valid_loss.length, 15);
  assert.ok(
    h.train_loss[14] < 0.5 * h.train_loss[0],
    `train ${h.train_loss[0]} → ${h.train_loss[14]}`,
  );
  assert.ok(
    h.valid_loss[14] < 0.5 * h.valid_loss[0],
    `valid ${h.valid_loss[0]} → ${h.valid_loss[14]}`,
  );
  // The recorded validation loss is the per-image squared error of the final weights.
  assert.ok(
    Math.abs(reconstructionLoss(result.model, valid) - h.valid_loss[14]) < 1e-6 * h.valid_loss[14],
  );
  const out = autoencoderReconstruct(result.model, valid);
  assert.deepEqual(out.shape, [216, 256]);
  assert.ok(out.data.every((v) => v >= 0 && v <= 1), "sigmoid outputs lie in [0, 1]");
});

Deno.test("the same seed gives the same run", () => {
  const train = bars(3);
  const run = () => trainAutoencoder({ train }, { settings: { epochs: 2, lr: 3e-4 } });
  assert.deepEqual(run().history.train_loss, run().history.train_loss);
});

Deno.test("a learning rate far too large stops with a DivergenceError naming it", () => {
  assert.throws(
    () => trainAutoencoder({ train: bars(4) }, { settings: { epochs: 5, lr: 1e30 } }),
    (error: unknown) =>
      error instanceof DivergenceError &&
      /diverged: autoencoder loss is NaN at epoch 1, step \d+; .*\(now 1e\+30\)/.test(
        error.message,
      ),
  );
});
