/**
 * Mode (a), "head": SqueezeNet up to its last fire module runs in
 * onnxruntime, frozen, once per image and augmentation variant; the new
 * classifier (dropout, 1 × 1 conv 512 → 17, ReLU, global average pool) trains
 * in Inkling on the cached feature maps.
 *
 * @module
 */

import { Rng } from "../autograd/mod.ts";
import { Adam, cosineLR, type Sequential } from "../layers/mod.ts";
import type { FlowerSplit } from "./flower_images.ts";
import { type FeatureExtractor, variantFeatures } from "./onnx_features.ts";
import { createHead } from "./networks.ts";
import type { HeadSettings } from "./settings.ts";
import type { ModeResult } from "./mode_result.ts";
import { dataset, epochLine, epochsText, shortNumber, trainAndTest } from "./train_and_test.ts";

/** The head mode's result, with the trained classifier (fine-tuning can start from it). */
export interface HeadResult extends ModeResult {
  /** The trained classifier. */
  head: Sequential;
  /** onnxruntime's feature throughput, images per second. */
  featureImagesPerSecond: number;
}

/** Extracts the features of `data` with `extractor`, then trains and tests the new classifier. */
export async function runHeadMode(
  data: FlowerSplit,
  extractor: FeatureExtractor,
  options: { settings: HeadSettings; seed: number; classes: number; log?: (line: string) => void },
): Promise<HeadResult> {
  const { settings, seed } = options;
  const extractStart = performance.now();
  const trainFeatures = await variantFeatures(extractor, data.train.x, {
    variants: settings.variants,
    seed: seed + 1,
  });
  const validFeatures = await extractor.features(data.val.x);
  const testFeatures = await extractor.features(data.test.x);
  const extractSeconds = (performance.now() - extractStart) / 1000;
  options.log?.(
    `head: ${extractor.images} feature maps from onnxruntime in ${extractSeconds.toFixed(1)} s ` +
      `(${extractor.imagesPerSecond.toFixed(1)} images/s)`,
  );
  const trainLabels = repeatLabels(data.train.y, settings.variants);
  const rng = new Rng(seed);
  const head = createHead(options.classes, { rng, dropout: settings.dropout });
  const optimizer = new Adam(head.parameters(), {
    lr: settings.lr,
    weightDecay: settings.weightDecay,
  });
  const line = epochLine("head", settings.epochs);
  const outcome = await trainAndTest(head, {
    train: dataset(trainFeatures, trainLabels),
    valid: dataset(validFeatures, data.val.y),
    test: dataset(testFeatures, data.test.y),
  }, {
    epochs: settings.epochs,
    batchSize: settings.batchSize,
    evalBatchSize: 256,
    optimizer,
    schedule: cosineLR(settings.lr, { epochs: settings.epochs }),
    rng,
    onEpoch: (...args) => options.log?.(line(...args)),
  });
  return {
    ...outcome,
    mode: "head",
    description: `onnxruntime SqueezeNet 1.1 up to fire9 (frozen, ${settings.variants} cached ` +
      `views per training image: itself, its mirror, random crops) → dropout ${settings.dropout} → ` +
      `1×1 conv 512→${options.classes} → ReLU → global average pool; Adam ${
        shortNumber(settings.lr)
      }, cosine, ` +
      `weight decay ${shortNumber(settings.weightDecay)}, batch ${settings.batchSize}, ${
        epochsText(settings.epochs)
      }`,
    timings: {
      head_feature_seconds: extractSeconds,
      head_train_seconds: outcome.seconds,
    },
    head,
    featureImagesPerSecond: extractor.imagesPerSecond,
  };
}

/** `labels` repeated `times` times, matching the variant-after-variant feature rows. */
export function repeatLabels(labels: Int32Array, times: number): Int32Array {
  const out = new Int32Array(labels.length * times);
  for (let v = 0; v < times; v++) out.set(labels, v * labels.length);
  return out;
}
