/**
 * Benchmark: SqueezeNet 1.1 features (up to its last fire module,
 * `[N, 512, 13, 13]`) from 224 × 224 images, in images per second, the way
 * `deno task finetune` computes them: `squeezenet_features_images_per_s`
 * by onnxruntime (the cut float16 model, one image per run as the model
 * fixes its batch) and `squeezenet_features_engine_images_per_s` by the
 * engine's imported network (float32, batches of 8, no tape). Eight Flowers
 * 17 test images; medians of several runs after a warm-up run.
 */

import { noGrad, Tensor } from "../mod.ts";
import { resolveDataDir } from "../datasets/data_dir.ts";
import {
  readFlowers17Splits,
  readImageCHW,
  SQUEEZENET_PREPROCESS,
} from "../datasets/flowers17/mod.ts";
import { readOnnx } from "../onnx/mod.ts";
import { FeatureExtractor, SQUEEZENET_FEATURES, SQUEEZENET_FILE } from "../finetune/mod.ts";
import { importOnnx } from "../onnx/mod.ts";
import type { BenchResult } from "./result.ts";

async function median(runs: number, work: () => Promise<unknown> | unknown): Promise<number> {
  await work();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await work();
    times.push((performance.now() - t0) / 1000);
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1];
}

/** Times feature extraction in onnxruntime and in the engine. */
export async function benchSqueezenet(options: { runs?: number } = {}): Promise<BenchResult[]> {
  const dataDir = await resolveDataDir();
  const test = (await readFlowers17Splits(`${dataDir}/flowers17`)).test.slice(0, 8);
  const per = 3 * 224 * 224;
  const data = new Float32Array(test.length * per);
  for (const [i, image] of test.entries()) {
    data.set(await readImageCHW(image.path, SQUEEZENET_PREPROCESS), i * per);
  }
  const images = new Tensor(data, [test.length, 3, 224, 224]);
  const onnx = await readOnnx(`${dataDir}/${SQUEEZENET_FILE}`);
  const runs = options.runs ?? 3;
  const extractor = await FeatureExtractor.create(onnx, { threads: 1 });
  const ort = await median(runs, () => extractor.features(images));
  await extractor.release();
  const engine = importOnnx(onnx, { output: SQUEEZENET_FEATURES }).eval();
  const inkling = await median(runs, () => noGrad(() => engine.forward(images)));
  const rate = (seconds: number) => Math.round((test.length / seconds) * 10) / 10;
  return [
    { name: "squeezenet_features_images_per_s", value: rate(ort), unit: "images/s" },
    { name: "squeezenet_features_engine_images_per_s", value: rate(inkling), unit: "images/s" },
  ];
}

if (import.meta.main) {
  for (const result of await benchSqueezenet()) console.log(JSON.stringify(result));
}
