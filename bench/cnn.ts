/**
 * Benchmark: the MNIST CNN (`mnist-cnn` preset: conv3×3×32–pool–conv3×3×64–
 * pool–fc128–10) in training. `cnn_train_images_per_s` times forward,
 * backward and Adam steps at batch 64 on real MNIST images without
 * augmentation (median of several 20-batch runs after a warm-up);
 * `mnist_cnn_epoch` is one whole epoch of the preset as `deno task train
 * --dataset mnist` runs it (jitter, dropout, then validation), in seconds.
 */

import { crossEntropy, gatherRows, Rng, tidy } from "../mod.ts";
import { Adam } from "../layers/mod.ts";
import { loadGlyphData } from "../datasets/glyph_data.ts";
import { createClassifier } from "../models/mod.ts";
import { architectureOf } from "../train/train_classifier.ts";
import { PRESETS, trainClassifier } from "../train/mod.ts";
import type { BenchResult } from "./result.ts";

/** Times MNIST CNN training steps and one epoch of the preset. */
export async function benchCnn(options: { runs?: number } = {}): Promise<BenchResult[]> {
  const data = await loadGlyphData("mnist");
  const settings = PRESETS["mnist-cnn"].settings;
  const rng = new Rng(0);
  const model = createClassifier(architectureOf(settings, data), { rng });
  const optimizer = new Adam(model.parameters(), { lr: settings.lr });
  const batch = 64;
  const steps = 20;
  const run = () => {
    for (let step = 0; step < steps; step++) {
      const rows = Int32Array.from({ length: batch }, (_, i) => step * batch + i);
      tidy(() => {
        const loss = crossEntropy(
          model.forward(gatherRows(data.train.x, rows)),
          Int32Array.from(rows, (r) => data.train.labels[r]),
        );
        optimizer.zeroGrad({ reuse: true });
        loss.backward();
        optimizer.step();
      });
    }
  };
  run();
  const rates: number[] = [];
  for (let i = 0; i < (options.runs ?? 5); i++) {
    const t0 = performance.now();
    run();
    rates.push((steps * batch) / ((performance.now() - t0) / 1000));
  }
  rates.sort((a, b) => a - b);
  const epoch = await trainClassifier(data, {
    settings: { ...settings, epochs: 1 },
    progress: "none",
  });
  return [
    {
      name: "cnn_train_images_per_s",
      value: Math.round(rates[rates.length >> 1]),
      unit: "images/s",
    },
    { name: "mnist_cnn_epoch", value: Math.round(epoch.seconds * 10) / 10, unit: "s" },
  ];
}

if (import.meta.main) {
  for (const result of await benchCnn()) console.log(JSON.stringify(result));
}
