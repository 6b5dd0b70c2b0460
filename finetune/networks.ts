/**
 * The networks of the three modes: SqueezeNet's new classifier (the seed's
 * recipe: dropout, 1 × 1 convolution 512 → classes, ReLU, global average
 * pooling), the imported SqueezeNet trunk with that classifier on top, and
 * the small CNN trained from scratch (three 3 × 3 conv blocks, two fully
 * connected layers).
 *
 * @module
 */

import type { Rng } from "../autograd/mod.ts";
import {
  BatchNorm,
  Conv2d,
  Dropout,
  Flatten,
  GlobalAvgPool2d,
  Linear,
  MaxPool2d,
  type Module,
  ReLU,
  Sequential,
} from "../layers/mod.ts";
import { importOnnx, type OnnxModel } from "../onnx/mod.ts";

/** The tensor where SqueezeNet 1.1's last fire module ends: features `[N, 512, 13, 13]`. */
export const SQUEEZENET_FEATURES = "fire9/concat_1";
/** Channels of those features. */
export const SQUEEZENET_FEATURE_CHANNELS = 512;

/** Standard deviation of the new classifier's initial weights (SqueezeNet's conv10 filler). */
export const HEAD_INIT_STD = 0.01;

/** How the new classifier is built. */
export interface HeadOptions {
  /** Drop probability before the 1 × 1 convolution (default 0.5, as SqueezeNet's own). */
  dropout?: number;
  /** Initialisation and dropout masks. */
  rng: Rng;
}

/**
 * SqueezeNet's classifier for `classes` classes: dropout → 1 × 1 conv
 * 512 → classes → ReLU → global average pool, giving `[N, classes]` scores
 * from `[N, 512, 13, 13]` features.
 */
export function createHead(classes: number, options: HeadOptions): Sequential {
  const { rng } = options;
  const conv = new Conv2d({ in: SQUEEZENET_FEATURE_CHANNELS, out: classes }, 1, { rng });
  // SqueezeNet's own conv10 starts from N(0, 0.01): its inputs are raw-pixel-scale activations
  // in the tens, and He-uniform weights would start the scores (and the loss) in the tens too.
  rng.fillNormal(conv.weight.data, { std: HEAD_INIT_STD });
  return new Sequential(
    new Dropout(options.dropout ?? 0.5, { rng }),
    conv,
    new ReLU(),
    new GlobalAvgPool2d(),
  );
}

/** The trunk and head of a fine-tuned SqueezeNet, kept apart for their learning rates. */
export interface FineTuneNetwork {
  /** The whole network: images `[N, 3, 224, 224]` → scores. */
  model: Sequential;
  /** SqueezeNet up to its last fire module, imported from ONNX (trainable). */
  trunk: Module;
  /** The new classifier. */
  head: Sequential;
}

/** The imported SqueezeNet trunk of `onnx` with `head` on top. */
export function createFineTuneNetwork(
  onnx: OnnxModel,
  head: Sequential,
  options: { source?: string } = {},
): FineTuneNetwork {
  const trunk = importOnnx(onnx, { output: SQUEEZENET_FEATURES, source: options.source });
  return { model: new Sequential(trunk, head), trunk, head };
}

/** The small CNN's shape. */
export interface ScratchArchitecture {
  /** Side of the square input (divisible by 8). */
  size: number;
  /** Output channels of the three conv blocks. */
  channels: readonly [number, number, number];
  /** Units of the first fully connected layer. */
  hidden: number;
  /** Drop probability before the output layer. */
  dropout: number;
  /** Number of classes. */
  classes: number;
}

/**
 * The from-scratch CNN: three blocks of 3 × 3 conv (padded) → batch norm →
 * ReLU → 2 × 2 max pool, then fully connected → ReLU → dropout → fully
 * connected. Batch norm lets a three-layer network train in a few minutes of
 * epochs on 680 images.
 */
export function createScratchCnn(
  architecture: ScratchArchitecture,
  options: { rng: Rng },
): Sequential {
  const { size, channels, hidden, dropout, classes } = architecture;
  const { rng } = options;
  const layers: Module[] = [];
  let from = 3;
  for (const to of channels) {
    layers.push(
      new Conv2d({ in: from, out: to }, 3, { padding: 1, rng, bias: false }),
      new BatchNorm(to),
      new ReLU(),
      new MaxPool2d(2),
    );
    from = to;
  }
  const side = size >> 3;
  layers.push(
    new Flatten(),
    new Linear(from * side * side, hidden, { rng }),
    new ReLU(),
    new Dropout(dropout, { rng }),
    new Linear(hidden, classes, { rng }),
  );
  return new Sequential(...layers);
}
