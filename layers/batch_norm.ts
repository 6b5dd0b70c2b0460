/**
 * Batch normalisation (Ioffe & Szegedy 2015) over the channel axis 1 of
 * `[N, C]` or `[N, C, H, W]`, built from the engine's ops so its backward
 * pass is the tape's: nothing here needs a gradcheck of its own beyond the
 * layer's.
 *
 * @module
 */

import {
  add,
  div,
  type DType,
  mean,
  mul,
  noGrad,
  ones,
  reshape,
  ShapeError,
  showShape,
  sqrt,
  sub,
  type Tensor,
  zeros,
} from "../autograd/mod.ts";
import { Module } from "./module.ts";

/** Options of {@linkcode BatchNorm}. */
export interface BatchNormOptions {
  /** Weight of the newest batch in the running statistics (default 0.1, PyTorch's). */
  momentum?: number;
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
  /** Element type (default float32). */
  dtype?: DType;
}

/**
 * y = (x − μ) / √(σ² + ε) · weight + bias per channel. In training μ and σ²
 * are the batch's (over every axis but 1), and the running averages move
 * towards them (σ² unbiased, as PyTorch keeps it); in evaluation the running
 * averages are used, so one glyph reads the same alone or in a batch. The
 * running averages are buffers: saved in state dicts, not trained.
 */
export class BatchNorm extends Module {
  /** Scale per channel [C], initially 1. */
  weight: Tensor;
  /** Shift per channel [C], initially 0. */
  bias: Tensor;
  /** Running mean per channel [C] (buffer). */
  runningMean: Tensor;
  /** Running unbiased variance per channel [C] (buffer). */
  runningVar: Tensor;
  /** Weight of the newest batch in the running statistics. */
  readonly momentum: number;
  /** Added to the variance before the square root. */
  readonly eps: number;

  /** Creates the layer for `channels` channels. */
  constructor(channels: number, options: BatchNormOptions = {}) {
    super();
    const dtype = options.dtype;
    this.weight = ones([channels], { dtype, requiresGrad: true });
    this.bias = zeros([channels], { dtype, requiresGrad: true });
    this.runningMean = zeros([channels], { dtype });
    this.runningVar = ones([channels], { dtype });
    this.momentum = options.momentum ?? 0.1;
    this.eps = options.eps ?? 1e-5;
  }

  /** Normalises `x` [N, C, …] per channel. */
  forward(x: Tensor): Tensor {
    const channels = this.weight.size;
    if (x.ndim < 2 || x.shape[1] !== channels) {
      throw new ShapeError(
        `BatchNorm(${channels}): input ${showShape(x.shape)} needs ${channels} channels on axis 1`,
      );
    }
    // [1, C, 1, …]: the per-channel vectors broadcast against x.
    const perChannel = x.shape.map((n, i) => (i === 1 ? n : 1));
    const axis = x.shape.map((_, i) => i).filter((i) => i !== 1);
    let centred: Tensor;
    let variance: Tensor;
    if (this.training) {
      centred = sub(x, mean(x, { axis, keepDims: true }));
      variance = mean(mul(centred, centred), { axis, keepDims: true });
      this.#track(x, variance, x.size / channels);
    } else {
      centred = sub(x, reshape(this.runningMean, perChannel));
      variance = reshape(this.runningVar, perChannel);
    }
    const scale = mul(reshape(this.weight, perChannel), sqrtInverse(variance, this.eps));
    return add(mul(centred, scale), reshape(this.bias, perChannel));
  }

  /** Moves the running statistics towards this batch's (`count` values per channel). */
  #track(x: Tensor, variance: Tensor, count: number): void {
    if (count < 2) {
      throw new ShapeError(
        `BatchNorm: training needs 2+ values per channel, got input ${showShape(x.shape)}`,
      );
    }
    noGrad(() => {
      const axis = x.shape.map((_, i) => i).filter((i) => i !== 1);
      const batchMean = mean(x, { axis }).data;
      const m = this.momentum;
      const unbiased = count / (count - 1);
      const { runningMean, runningVar } = this;
      for (let c = 0; c < runningMean.size; c++) {
        runningMean.data[c] = (1 - m) * runningMean.data[c] + m * batchMean[c];
        runningVar.data[c] = (1 - m) * runningVar.data[c] + m * unbiased * variance.data[c];
      }
    });
  }
}

/** 1 / √(variance + eps), differentiable. */
function sqrtInverse(variance: Tensor, eps: number): Tensor {
  return div(ones(variance.shape, { dtype: variance.dtype }), sqrt(add(variance, eps)));
}
