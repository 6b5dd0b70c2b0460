/**
 * The 2-D convolution layer and the pooling layers.
 *
 * @module
 */

import {
  type ActivationOp,
  avgPool2d,
  conv2d,
  conv2dMaxPool,
  maxPool2d,
  type Tensor,
} from "../autograd/mod.ts";
import { heUniform, type InitOptions, zeroParam } from "./init.ts";
import { Module } from "./module.ts";

/** Options of {@linkcode Conv2d}. */
export interface Conv2dLayerOptions extends InitOptions {
  /** Step between windows (default 1). */
  stride?: number;
  /** Zero padding on each side (default 0). */
  padding?: number;
  /** Add a per-channel bias (default true). */
  bias?: boolean;
}

/**
 * 2-D convolution over N×C×H×W with square kernels. He-uniform weights
 * [out, in, k, k] (suited to the ReLU that usually follows), zero bias.
 */
export class Conv2d extends Module {
  /** Weights [out, in, k, k]. */
  weight: Tensor;
  /** Bias [out], or null. */
  bias: Tensor | null;
  /** Step between windows. */
  readonly stride: number;
  /** Zero padding. */
  readonly padding: number;

  /** Creates a layer with `channels.in` inputs, `channels.out` outputs and a k×k kernel. */
  constructor(
    channels: { in: number; out: number },
    kernel: number,
    options: Conv2dLayerOptions = {},
  ) {
    super();
    const fanIn = channels.in * kernel * kernel;
    this.weight = heUniform([channels.out, channels.in, kernel, kernel], fanIn, options);
    this.bias = options.bias === false ? null : zeroParam([channels.out], options);
    this.stride = options.stride ?? 1;
    this.padding = options.padding ?? 0;
  }

  /** [N, in, H, W] → [N, out, OH, OW]. */
  forward(x: Tensor): Tensor {
    return this.forwardWith(x, null);
  }

  /**
   * The layer followed by `activation` in the same op (Sequential uses it to
   * fuse a Conv2d with the activation layer after it).
   */
  forwardWith(x: Tensor, activation: ActivationOp | null): Tensor {
    return conv2d(x, this.weight, {
      bias: this.bias ?? undefined,
      stride: this.stride,
      padding: this.padding,
      activation: activation ?? undefined,
    });
  }

  /**
   * The layer followed by 2×2 max pooling at stride 2 and, with `relu`, a
   * ReLU, as one op (Sequential uses it for a Conv2d, ReLU, MaxPool2d(2)
   * block): the same numbers as the three layers.
   */
  forwardPooled(x: Tensor, options: { relu: boolean }): Tensor {
    return conv2dMaxPool(x, this.weight, {
      bias: this.bias ?? undefined,
      stride: this.stride,
      padding: this.padding,
      relu: options.relu,
    });
  }
}

/** A pooling layer: a square window, stride defaulting to the window. */
export abstract class Pool2d extends Module {
  /** Pooling geometry. */
  readonly options: { kernel: number; stride?: number; padding?: number };

  /** Creates the layer. */
  constructor(kernel: number, options: { stride?: number; padding?: number } = {}) {
    super();
    this.options = { kernel, ...options };
  }
}

/** Max pooling with a square window (stride defaults to the window). */
export class MaxPool2d extends Pool2d {
  /** [N, C, H, W] → [N, C, OH, OW]. */
  forward(x: Tensor): Tensor {
    return maxPool2d(x, this.options);
  }
}

/** Average pooling with a square window (stride defaults to the window). */
export class AvgPool2d extends Pool2d {
  /** [N, C, H, W] → [N, C, OH, OW]. */
  forward(x: Tensor): Tensor {
    return avgPool2d(x, this.options);
  }
}
