/**
 * The workloads `bench/backends.ts` times on each backend, defined so that
 * the NumPy and PyTorch peers in `bench/peers/` can run the very same ones:
 * one autoencoder epoch, training steps of a 5×5 CNN, and a 32-component PCA
 * fit. (The matmul is `gemmGflops` of matmul.ts and the MLP epoch is
 * `benchMlp` of mlp.ts.) Each runs on the active kernels; times are medians
 * after a warm-up.
 *
 * @module
 */

import { crossEntropy, rand, Rng, squaredError, type Tensor, tidy } from "../mod.ts";
import {
  Adam,
  BatchBuffer,
  Conv2d,
  Flatten,
  Linear,
  MaxPool2d,
  randomBatches,
  ReLU,
  Sequential,
  SGD,
} from "../layers/mod.ts";
import { createAutoencoder } from "../compression/autoencoder.ts";
import { fitPca } from "../compression/pca.ts";

/** The median of `runs` timings of `body` in ms, after one untimed call. */
function medianMs(body: () => void, runs: number): number {
  body();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    body();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1];
}

/**
 * One epoch of the assignment's autoencoder (1024-32-32-32-1024, ReLU and a
 * sigmoid output, summed squared error, SGD with momentum 0.9 at 3e-5,
 * batches of 36) on 10,800 uniform random images, in ms: median of 5 (as
 * the NumPy peer's, so one slow epoch on either side weighs less).
 */
export function autoencoderEpochMs(): number {
  const rng = new Rng(0);
  const samples = 10_800;
  const x = rand([samples, 1024], { rng });
  const model = createAutoencoder(1024, { hidden: 32, rng });
  const optimizer = new SGD(model.parameters(), { lr: 3e-5, momentum: 0.9 });
  // Each batch is gathered into the same storage, and each step is a tidy
  // scope, as in trainAutoencoder.
  const batches = new BatchBuffer();
  return medianMs(() => {
    for (const rows of randomBatches(samples, { batchSize: 36, rng })) {
      tidy(() => {
        const batch = batches.gather(x, rows);
        const loss = squaredError(model.forward(batch), batch);
        model.zeroGrad({ reuse: true });
        loss.backward();
        optimizer.step();
      });
    }
  }, 5);
}

/** Training steps per timed CNN run, at batch 64. */
const CNN_STEPS = 10;
const CNN_BATCH = 64;

/**
 * Training images per second of the classic MNIST CNN: 5×5 convolution to
 * 32 channels, ReLU, 2×2 max pooling, 5×5 convolution to 64, ReLU, pooling,
 * a 128-unit ReLU layer and 10 outputs (no padding: 28 → 24 → 12 → 8 → 4),
 * cross-entropy, Adam at 1e-3, batches of 64 uniform random 28×28 images
 * made beforehand; median of 5 runs of 10 steps.
 */
export function cnnImagesPerSecond(): number {
  const rng = new Rng(0);
  const model = new Sequential(
    new Conv2d({ in: 1, out: 32 }, 5, { rng }),
    new ReLU(),
    new MaxPool2d(2),
    new Conv2d({ in: 32, out: 64 }, 5, { rng }),
    new ReLU(),
    new MaxPool2d(2),
    new Flatten(),
    new Linear(64 * 4 * 4, 128, { rng }),
    new ReLU(),
    new Linear(128, 10, { rng }),
  );
  const optimizer = new Adam(model.parameters(), { lr: 1e-3 });
  const labels = Int32Array.from({ length: CNN_BATCH }, (_, i) => i % 10);
  const batches: Tensor[] = Array.from(
    { length: CNN_STEPS },
    () => rand([CNN_BATCH, 1, 28, 28], { rng }),
  );
  const ms = medianMs(() => {
    for (const x of batches) {
      tidy(() => {
        const loss = crossEntropy(model.forward(x), labels);
        optimizer.zeroGrad({ reuse: true });
        loss.backward();
        optimizer.step();
      });
    }
  }, 5);
  return (CNN_STEPS * CNN_BATCH) / (ms / 1000);
}

/** `fitPca` of 32 centred components of `x` (the default method), in ms: median of 3. */
export function pcaFitMs(x: Tensor): number {
  return medianMs(() => fitPca(x, { components: 32 }), 3);
}
