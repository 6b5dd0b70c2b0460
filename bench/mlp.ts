/**
 * Benchmark: one epoch of the assignment's 1024-64(sigmoid)-36(softmax) MLP
 * on 10,800 samples at batch 32 — forward, backward and SGD step through the
 * tape — in milliseconds (median of several epochs after a warm-up epoch).
 */

import { crossEntropy, rand, Rng, tidy } from "../mod.ts";
import { BatchBuffer, Linear, SGD } from "../layers/mod.ts";
import type { BenchResult } from "./result.ts";

/** Times MLP training epochs on synthetic NIST36-sized data. */
export function benchMlp(options: { epochs?: number } = {}): BenchResult[] {
  const rng = new Rng(0);
  const samples = 10_800;
  const x = rand([samples, 1024], { rng });
  const labels = Int32Array.from({ length: samples }, (_, i) => i % 36);
  // The sigmoid is fused into the first layer (one op on the tape: same numbers, fewer passes).
  const layer1 = new Linear(1024, 64, { rng, activation: "sigmoid" });
  const layer2 = new Linear(64, 36, { rng });
  const optimizer = new SGD([...layer1.parameters(), ...layer2.parameters()], { lr: 0.01 });
  // Each batch is gathered into the same storage, and each step is a tidy scope, as in fit.
  const batches = new BatchBuffer();
  const epoch = () => {
    const order = rng.permutation(samples);
    for (let start = 0; start < samples; start += 32) {
      const rows = order.subarray(start, Math.min(start + 32, samples));
      tidy(() => {
        const logits = layer2.forward(layer1.forward(batches.gather(x, rows)));
        const batchLabels = Array.from(rows, (r) => labels[r]);
        optimizer.zeroGrad({ reuse: true });
        crossEntropy(logits, batchLabels).backward();
        optimizer.step();
      });
    }
  };
  epoch();
  const times: number[] = [];
  for (let i = 0; i < (options.epochs ?? 5); i++) {
    const t0 = performance.now();
    epoch();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return [{ name: "mlp_epoch", value: round(times[times.length >> 1]), unit: "ms" }];
}

function round(v: number): number {
  return Math.round(v * 10) / 10;
}

if (import.meta.main) {
  for (const result of benchMlp()) console.log(JSON.stringify(result));
}
