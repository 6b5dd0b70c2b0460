/**
 * A small convolutional network over square glyphs, as the default OCR
 * model uses it: the glyph rows `[N, size²]` are viewed as single-channel
 * images, each conv block is 3 × 3 convolution (padded) → ReLU → 2 × 2 max
 * pooling, then a hidden ReLU layer with dropout, then the class scores. The
 * first layer does the reshape, so the network eats crops exactly as OCR's
 * `cropLetters` and the NIST36 files store them.
 *
 * With `batchNorm` each block is convolution (without bias) → batch
 * normalisation → ReLU → max pooling, PyTorch's usual `Conv2d(bias=False),
 * BatchNorm2d`. The hidden dense layer gets no BatchNorm1d: dropout follows
 * it (dropout before batch statistics shifts them between training and
 * evaluation), and a last minibatch of one glyph would have no batch
 * variance to normalise by.
 *
 * @module
 */

import { reshape, type Rng, type Tensor } from "../autograd/mod.ts";
import {
  BatchNorm,
  Conv2d,
  Dropout,
  Flatten,
  Linear,
  MaxPool2d,
  Module,
  ReLU,
  Sequential,
} from "../layers/mod.ts";

/** The CNN as a checkpoint's `architecture` metadata describes it. */
export interface CnnArchitecture {
  /** Always "cnn". */
  kind: "cnn";
  /** Side of the square glyph (32 for NIST36). */
  size: number;
  /** Output channels of each conv block; each block halves the side. */
  channels: number[];
  /** Units of the hidden fully connected layer. */
  hidden: number;
  /** Dropout probability before the output layer while training (0 for none). */
  dropout: number;
  /** Class names in output order, or their count. */
  classes: string | number;
  /**
   * Batch normalisation after each convolution, whose bias it makes
   * redundant and so is dropped (absent: false, as in every checkpoint
   * written before it existed).
   */
  batchNorm?: boolean;
}

/** Reshapes glyph rows `[N, size²]` to single-channel images `[N, 1, size, size]`. */
export class GlyphImages extends Module {
  /** Side of the square glyph. */
  readonly size: number;

  /** Creates the layer for `size × size` glyphs. */
  constructor(size: number) {
    super();
    this.size = size;
  }

  /** `[N, size²]` → `[N, 1, size, size]`. */
  forward(x: Tensor): Tensor {
    return reshape(x, [x.shape[0], 1, this.size, this.size]);
  }
}

/**
 * Builds the untrained CNN (He-uniform convolutions, Xavier-uniform linear
 * layers; batch normalisation starts as the identity: scale 1, shift 0).
 */
export function createCnn(architecture: CnnArchitecture, options: { rng: Rng }): Sequential {
  const { size, channels, hidden, dropout, classes } = architecture;
  const batchNorm = architecture.batchNorm ?? false;
  const { rng } = options;
  const layers: Module[] = [new GlyphImages(size)];
  let from = 1;
  for (const to of channels) {
    // BatchNorm subtracts the per-channel mean, so a conv bias before it would learn nothing.
    layers.push(new Conv2d({ in: from, out: to }, 3, { padding: 1, rng, bias: !batchNorm }));
    if (batchNorm) layers.push(new BatchNorm(to));
    layers.push(new ReLU(), new MaxPool2d(2));
    from = to;
  }
  const side = size >> channels.length;
  layers.push(
    new Flatten(),
    new Linear(from * side * side, hidden, { rng }),
    new ReLU(),
    new Dropout(dropout, { rng }),
    new Linear(hidden, typeof classes === "number" ? classes : classes.length, { rng }),
  );
  return new Sequential(...layers);
}
