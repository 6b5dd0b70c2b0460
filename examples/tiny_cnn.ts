/**
 * A small CNN learns to tell horizontal, vertical, diagonal and crossed bars
 * apart in a few seconds: Conv2d → ReLU → MaxPool → Linear, trained with Adam.
 *
 * Run: npx deno run examples/tiny_cnn.ts
 */

import { Rng } from "../mod.ts";
import {
  Adam,
  Conv2d,
  evaluate,
  fit,
  Flatten,
  Linear,
  MaxPool2d,
  ReLU,
  Sequential,
} from "../layers/mod.ts";
import { bars } from "../datasets/synthetic.ts";

const rng = new Rng(1);
const train = bars(2000, { seed: 1 });
const test = bars(500, { seed: 2 });
const model = new Sequential(
  new Conv2d({ in: 1, out: 8 }, 3, { padding: 1, rng }),
  new ReLU(),
  new MaxPool2d(2),
  new Flatten(),
  new Linear(8 * 6 * 6, train.classes, { rng }),
);
await fit(model, {
  train,
  epochs: 5,
  batchSize: 32,
  optimizer: new Adam(model.parameters(), { lr: 0.01 }),
  rng,
});
const result = evaluate(model, test);
console.log(
  `test accuracy ${(100 * result.accuracy).toFixed(1)}% (${model.parameterCount()} parameters)`,
);
