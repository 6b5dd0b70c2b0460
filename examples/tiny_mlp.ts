/**
 * The smallest complete example: a 2-16-3 MLP on Gaussian blobs with SGD,
 * and a gradient check of its first layer.
 *
 * Run: npx deno run examples/tiny_mlp.ts
 */

import { crossEntropy, gradcheck, Rng, sigmoid, Tensor } from "../mod.ts";
import { evaluate, fit, Linear, Sequential, SGD, Sigmoid } from "../layers/mod.ts";
import { blobs } from "../datasets/synthetic.ts";

const rng = new Rng(0);
const data = blobs(600, { classes: 3, seed: 3 });
const model = new Sequential(new Linear(2, 16, { rng }), new Sigmoid(), new Linear(16, 3, { rng }));
await fit(model, {
  train: data,
  epochs: 20,
  optimizer: new SGD(model.parameters(), { lr: 0.5 }),
  rng,
});
console.log(`training accuracy ${(100 * evaluate(model, data).accuracy).toFixed(1)}%`);

// Check the gradients of a float64 copy of the first layer against central differences.
const layer = new Linear(2, 4, { rng, dtype: "float64" });
const x = new Tensor(Float64Array.from([0.5, -1, 2, 0.1]), [2, 2]);
// gradcheck perturbs the tensors it is given in place, so the closure may use the layer directly.
const report = gradcheck(() => crossEntropy(sigmoid(layer.forward(x)), [0, 1]), [
  layer.weight,
  layer.bias!,
]);
console.log(
  `gradient check: ${report.ok ? "ok" : "FAILED"}, max relative error ${
    report.maxRelError.toExponential(2)
  }`,
);
