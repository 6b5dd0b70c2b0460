/**
 * Benchmark: the compression module on the cached NIST36 training set
 * (10,800 × 1024): the PCA fit (Gram matrix on the engine's matmul +
 * symmetric eigensolver, 32 centred components; median of 3 after a warm-up
 * fit), under 3 s by the acceptance bar, and the autoencoder's 100 epochs at
 * the assignment's settings (one run, training loop only, no validation
 * passes), under 30 s. Also the mean validation PSNR of both, in dB.
 */

import { loadNist36Source } from "../datasets/nist36_source.ts";
import { autoencoderReconstruct, trainAutoencoder } from "../compression/autoencoder.ts";
import { fitPca, pcaReconstruct } from "../compression/pca.ts";
import { meanPsnr } from "../compression/psnr.ts";
import type { BenchResult } from "./result.ts";

const seconds = (ms: number) => Math.round(ms / 10) / 100;
const decibels = (db: number) => Math.round(db * 1000) / 1000;

/** Times PCA and the autoencoder on the NIST36 training split. */
export async function benchCompression(): Promise<BenchResult[]> {
  const data = await loadNist36Source(); // builds the cache on first use, outside the timing
  const train = data.train.x;
  let pca = fitPca(train); // warm-up: V8 tiers the eigensolver's loops up
  const times: number[] = [];
  for (let run = 0; run < 3; run++) {
    const started = performance.now();
    pca = fitPca(train);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const started = performance.now();
  const autoencoder = trainAutoencoder({ train });
  const aeMs = performance.now() - started;
  const valid = data.valid.x;
  return [
    { name: "pca_fit", value: seconds(times[1]), unit: "s" },
    { name: "autoencoder_100_epochs", value: seconds(aeMs), unit: "s" },
    {
      name: "pca_psnr_valid",
      value: decibels(meanPsnr(valid, pcaReconstruct(pca, valid))),
      unit: "dB",
    },
    {
      name: "autoencoder_psnr_valid",
      value: decibels(meanPsnr(valid, autoencoderReconstruct(autoencoder.model, valid))),
      unit: "dB",
    },
  ];
}

if (import.meta.main) {
  for (const result of await benchCompression()) console.log(JSON.stringify(result));
}
