/**
 * Mode (b), "full": the engine's own SqueezeNet, imported from the same ONNX
 * file, fine-tuned end to end with the new classifier on top, the backbone
 * at a tenth of the head's learning rate, and light augmentation (random
 * crops of 80–100 % of the side, mirroring). When the head mode ran first its
 * trained classifier is the starting head (linear probing, then fine-tuning:
 * the pretrained features are not disturbed by a random head's gradients).
 *
 * @module
 */

import { Rng } from "../autograd/mod.ts";
import { Adam, cosineLR, type Sequential } from "../layers/mod.ts";
import type { OnnxModel } from "../onnx/mod.ts";
import type { FlowerSplit } from "./flower_images.ts";
import { cropFlipBatches } from "./image_augment.ts";
import { createFineTuneNetwork, createHead } from "./networks.ts";
import { GroupedOptimizer } from "./param_groups.ts";
import type { FullSettings } from "./settings.ts";
import type { ModeResult } from "./mode_result.ts";
import { dataset, epochLine, epochsText, shortNumber, trainAndTest } from "./train_and_test.ts";

/**
 * A head starting from random weights learns at this multiple of the rate:
 * a few epochs at the rate that suits a trained head would leave it far
 * from its optimum while the backbone drifts.
 */
export const FRESH_HEAD_SCALE = 10;

/** Fine-tunes SqueezeNet (`onnx`) end to end on `data`; `options.head` is a trained head to start from. */
export async function runFullMode(
  data: FlowerSplit,
  onnx: OnnxModel,
  options: {
    settings: FullSettings;
    seed: number;
    classes: number;
    head?: Sequential;
    source?: string;
    log?: (line: string) => void;
  },
): Promise<ModeResult> {
  const { settings, seed } = options;
  const rng = new Rng(seed + 2);
  const head = createHead(options.classes, { rng });
  if (options.head) head.loadStateDict(options.head.stateDict());
  const { model, trunk } = createFineTuneNetwork(onnx, head, { source: options.source });
  const headScale = options.head ? 1 : FRESH_HEAD_SCALE;
  const optimizer = new GroupedOptimizer(
    [
      { params: trunk.parameters(), lrScale: settings.backboneScale },
      { params: head.parameters(), lrScale: headScale },
    ],
    (params) => new Adam(params, { lr: settings.lr, weightDecay: settings.weightDecay }),
    { lr: settings.lr },
  );
  const line = epochLine("full", settings.epochs);
  const outcome = await trainAndTest(model, {
    train: dataset(data.train.x, data.train.y),
    valid: dataset(data.val.x, data.val.y),
    test: dataset(data.test.x, data.test.y),
  }, {
    epochs: settings.epochs,
    batchSize: settings.batchSize,
    evalBatchSize: 16,
    optimizer,
    schedule: cosineLR(settings.lr, { epochs: settings.epochs }),
    rng,
    augment: cropFlipBatches({ minScale: settings.minCrop }),
    onEpoch: (...args) => options.log?.(line(...args)),
  });
  const perEpoch = outcome.epochSeconds.reduce((a, b) => a + b, 0) /
    Math.max(outcome.epochSeconds.length, 1);
  return {
    ...outcome,
    mode: "full",
    description:
      `Inkling's imported SqueezeNet 1.1 (all ${shortNumber(model.parameterCount())} parameters ` +
      `trainable) with the new head (${options.head ? "the head mode's, trained" : "random"}); ` +
      `Adam with a cosine rate from ${shortNumber(settings.lr * headScale)} for the head and ` +
      `${shortNumber(settings.lr * settings.backboneScale)} for the backbone, weight decay ` +
      `${
        shortNumber(settings.weightDecay)
      }, batch ${settings.batchSize}, random crops ${settings.minCrop}–1 ` +
      `of the side and mirroring, ${epochsText(settings.epochs)}`,
    timings: { full_train_seconds: outcome.seconds, full_seconds_per_epoch: perEpoch },
  };
}
