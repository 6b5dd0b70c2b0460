/**
 * Test helper: three training steps of a small CNN (two 5×5 convolutions
 * with ReLU and 2×2 max pooling, two linear layers, SGD with momentum) on
 * seeded random images, for the tests that compare thread counts. Its
 * products are large enough for both backends to split them.
 *
 * @module
 */

import { crossEntropy, rand, Rng } from "../../mod.ts";
import { Conv2d, Flatten, Linear, MaxPool2d, ReLU, Sequential, SGD } from "../../layers/mod.ts";

/** Trains on the active kernels; returns each step's loss and the final weights. */
export function trainSmallCnn(): { losses: number[]; weights: Float32Array[] } {
  const rng = new Rng(7);
  const model = new Sequential(
    new Conv2d({ in: 1, out: 16 }, 5, { rng }),
    new ReLU(),
    new MaxPool2d(2),
    new Conv2d({ in: 16, out: 32 }, 5, { rng }),
    new ReLU(),
    new MaxPool2d(2),
    new Flatten(),
    new Linear(32 * 4 * 4, 64, { rng }),
    new ReLU(),
    new Linear(64, 10, { rng }),
  );
  const optimizer = new SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
  const labels = Int32Array.from({ length: 32 }, (_, i) => i % 10);
  const losses: number[] = [];
  for (let step = 0; step < 3; step++) {
    const loss = crossEntropy(model.forward(rand([32, 1, 28, 28], { rng })), labels);
    losses.push(loss.item());
    optimizer.zeroGrad({ reuse: true });
    loss.backward();
    optimizer.step();
  }
  return { losses, weights: model.parameters().map((p) => (p.data as Float32Array).slice()) };
}
