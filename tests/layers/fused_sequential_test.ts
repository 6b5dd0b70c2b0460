/**
 * Sequential fuses a plain Linear or Conv2d with the activation layer after
 * it (and Linear's own `activation` option fuses the same way), runs a
 * Conv2d, ReLU (or none), MaxPool2d(2) block as one conv2dMaxPool, and runs
 * any other ReLU followed by max pooling after the pooling: the output and
 * every parameter gradient must be the layers' bits run one by one, on
 * every backend.
 */

import assert from "node:assert/strict";
import { rand, Rng, sigmoid, squaredError, type Tensor } from "../../mod.ts";
import {
  Conv2d,
  Flatten,
  Linear,
  MaxPool2d,
  type Module,
  ReLU,
  Sequential,
  Sigmoid,
  Tanh,
} from "../../layers/mod.ts";
import { useKernels } from "../../autograd/kernels/mod.ts";
import { FLOAT32_BACKENDS } from "../autograd/op_check.ts";

/** Output and parameter gradients of one forward/backward, as raw float32 bits. */
function bits(model: Module, forward: (x: Tensor) => Tensor, x: Tensor): Uint32Array[] {
  model.zeroGrad();
  const y = forward(x);
  squaredError(y, x.shape[1] === y.shape[1] ? x : rand(y.shape, { rng: new Rng(3) })).backward();
  return [y, ...model.parameters().map((p) => p.grad!)].map((t) =>
    new Uint32Array((t.data as Float32Array).slice().buffer)
  );
}

function autoencoder(): Sequential {
  const rng = new Rng(0);
  return new Sequential(
    new Linear(64, 8, { rng }),
    new ReLU(),
    new Linear(8, 8, { rng }),
    new Tanh(),
    new Linear(8, 64, { rng }),
    new Sigmoid(),
  );
}

Deno.test("Sequential: fused Linear + activation equals the layers one by one, bit for bit", () => {
  for (const backend of FLOAT32_BACKENDS) {
    const previous = useKernels(backend.kernels);
    try {
      const model = autoencoder();
      const x = rand([12, 64], { rng: new Rng(1) });
      const fused = bits(model, (v) => model.forward(v), x);
      const unfused = bits(model, (v) => model.layers.reduce((h, l) => l.forward(h), v), x);
      fused.forEach((got, i) => assert.deepEqual(got, unfused[i], `${backend.name}: tensor ${i}`));
    } finally {
      useKernels(previous);
    }
  }
});

/** A small CNN with both orders around pooling: conv-ReLU-pool, and a padded pool after a ReLU. */
function cnn(): Sequential {
  const rng = new Rng(0);
  return new Sequential(
    new Conv2d({ in: 2, out: 4 }, 3, { rng }),
    new ReLU(),
    new MaxPool2d(2),
    new Conv2d({ in: 4, out: 6 }, 3, { rng, padding: 1 }),
    new Tanh(),
    new ReLU(),
    new MaxPool2d(2, { stride: 1 }),
    new ReLU(),
    new MaxPool2d(2, { padding: 1 }),
    new Flatten(),
    new Linear(6 * 3 * 3, 5, { rng }),
  );
}

/**
 * On every backend: `model` run by Sequential and layer by layer on an input
 * of `shape` (uniform in [−1, 1)) gives the same output, parameter gradients
 * and input gradient, bit for bit.
 */
function assertSameAsLayers(model: () => Sequential, shape: number[], seed: number): void {
  for (const backend of FLOAT32_BACKENDS) {
    const previous = useKernels(backend.kernels);
    try {
      const layers = model();
      const x = rand(shape, { rng: new Rng(seed), low: -1, high: 1, requiresGrad: true });
      const run = (forward: (v: Tensor) => Tensor) => {
        x.zeroGrad();
        const out = bits(layers, forward, x);
        return [...out, new Uint32Array((x.grad!.data as Float32Array).slice().buffer)];
      };
      const fused = run((v) => layers.forward(v));
      const unfused = run((v) => layers.layers.reduce((h, l) => l.forward(h), v));
      fused.forEach((got, i) => assert.deepEqual(got, unfused[i], `${backend.name}: tensor ${i}`));
    } finally {
      useKernels(previous);
    }
  }
}

Deno.test("Sequential: a ReLU run after max pooling equals the layers one by one, bit for bit", () => {
  // Uniform in [-1, 1): a good share of the windows are all negative.
  assertSameAsLayers(cnn, [3, 2, 12, 12], 1);
});

Deno.test("Linear: the activation option equals a separate activation, bit for bit", () => {
  const fusedLayer = new Linear(16, 5, { rng: new Rng(2), activation: "sigmoid" });
  const plainLayer = new Linear(16, 5, { rng: new Rng(2) });
  const x = rand([4, 16], { rng: new Rng(4) });
  const got = bits(fusedLayer, (v) => fusedLayer.forward(v), x);
  const want = bits(plainLayer, (v) => sigmoid(plainLayer.forward(v)), x);
  got.forEach((g, i) => assert.deepEqual(g, want[i], `tensor ${i}`));
});

Deno.test("Sequential: a subclassed activation is not fused", () => {
  class Detached extends Sigmoid {
    protected override fn(x: Tensor): Tensor {
      return sigmoid(x).detach();
    }
  }
  const model = new Sequential(new Linear(3, 2, { rng: new Rng(0) }), new Detached());
  const y = model.forward(rand([2, 3], { rng: new Rng(1), requiresGrad: true }));
  // The subclass's own fn ran (its detach cut the graph), not the fused sigmoid.
  assert.equal(y.requiresGrad, false);
});

Deno.test("Sequential: Conv2d, ReLU, MaxPool2d blocks run as one op with the layers' bits", () => {
  // Batches of several chunks, so the convolution lanes (wasm, native) pool them; a block without
  // its ReLU, and odd 5×5 planes after the second pooling.
  const blocks = () => {
    const rng = new Rng(4);
    return new Sequential(
      new Conv2d({ in: 1, out: 8 }, 5, { rng }),
      new ReLU(),
      new MaxPool2d(2),
      new Conv2d({ in: 8, out: 4 }, 3, { rng }),
      new MaxPool2d(2),
      new Flatten(),
      new Linear(4 * 5 * 5, 5, { rng }),
    );
  };
  assertSameAsLayers(blocks, [24, 1, 28, 28], 5);
});
