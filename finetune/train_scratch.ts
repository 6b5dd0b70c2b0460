/**
 * Mode (c), "scratch": the seed's own design, three conv layers and two
 * fully connected layers, trained from random weights on the same split at
 * a low resolution (64 px by default) with random crops and mirroring.
 *
 * @module
 */

import { Rng } from "../autograd/mod.ts";
import { Adam, cosineLR } from "../layers/mod.ts";
import type { FlowerSplit } from "./flower_images.ts";
import { cropFlipBatches, resizeImages } from "./image_augment.ts";
import { createScratchCnn } from "./networks.ts";
import type { ScratchSettings } from "./settings.ts";
import type { ModeResult } from "./mode_result.ts";
import { dataset, epochLine, epochsText, shortNumber, trainAndTest } from "./train_and_test.ts";

/** Raw 0–255 values → roughly −2…2, so the first layer starts in a sane range. */
const CENTRE = { scale: 1 / 64, offset: -128 / 64 };

/** Trains and tests the small CNN on `data` resized to `settings.size`. */
export async function runScratchMode(
  data: FlowerSplit,
  options: {
    settings: ScratchSettings;
    seed: number;
    classes: number;
    log?: (line: string) => void;
  },
): Promise<ModeResult> {
  const { settings, seed } = options;
  const resizeStart = performance.now();
  const small = (x: typeof data.train.x) => resizeImages(x, settings.size, CENTRE);
  const train = dataset(small(data.train.x), data.train.y);
  const valid = dataset(small(data.val.x), data.val.y);
  const test = dataset(small(data.test.x), data.test.y);
  const resizeSeconds = (performance.now() - resizeStart) / 1000;
  const rng = new Rng(seed + 3);
  const architecture = {
    size: settings.size,
    channels: settings.channels,
    hidden: settings.hidden,
    dropout: settings.dropout,
    classes: options.classes,
  };
  const model = createScratchCnn(architecture, { rng });
  const optimizer = new Adam(model.parameters(), {
    lr: settings.lr,
    weightDecay: settings.weightDecay,
  });
  const line = epochLine("scratch", settings.epochs);
  const outcome = await trainAndTest(model, { train, valid, test }, {
    epochs: settings.epochs,
    batchSize: settings.batchSize,
    evalBatchSize: 128,
    optimizer,
    schedule: cosineLR(settings.lr, { epochs: settings.epochs }),
    rng,
    augment: cropFlipBatches({ minScale: settings.minCrop }),
    onEpoch: (...args) => options.log?.(line(...args)),
  });
  const [c1, c2, c3] = settings.channels;
  return {
    ...outcome,
    mode: "scratch",
    description: `${settings.size}×${settings.size} px input; conv 3×3 ${c1}-${c2}-${c3} (each ` +
      `batch norm, ReLU, 2×2 max pool) → fc ${settings.hidden} → ReLU → dropout ` +
      `${settings.dropout} → fc ${options.classes}; ${
        shortNumber(model.parameterCount())
      } parameters from ` +
      `random initialisation; Adam ${shortNumber(settings.lr)}, cosine, weight decay ${
        shortNumber(settings.weightDecay)
      }, ` +
      `batch ${settings.batchSize}, random crops ${settings.minCrop}–1 and mirroring, ` +
      `${epochsText(settings.epochs)}`,
    timings: {
      scratch_resize_seconds: resizeSeconds,
      scratch_train_seconds: outcome.seconds,
      scratch_seconds_per_epoch: outcome.epochSeconds.reduce((a, b) => a + b, 0) /
        Math.max(outcome.epochSeconds.length, 1),
    },
  };
}
