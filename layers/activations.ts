/**
 * Parameter-free layers: activations, Flatten and Dropout.
 *
 * @module
 */

import {
  dropout,
  globalAvgPool2d,
  relu,
  reshape,
  Rng,
  sigmoid,
  softmax,
  tanh,
  type Tensor,
} from "../autograd/mod.ts";
import { Module } from "./module.ts";

/** Wraps an element-wise function as a layer. */
export abstract class Activation extends Module {
  /** The element-wise function the layer applies. */
  protected abstract fn(x: Tensor): Tensor;
  /** Applies the activation. */
  forward(x: Tensor): Tensor {
    return this.fn(x);
  }
}

/** Logistic sigmoid layer. */
export class Sigmoid extends Activation {
  /** σ(x). */
  protected fn(x: Tensor): Tensor {
    return sigmoid(x);
  }
}

/** tanh layer. */
export class Tanh extends Activation {
  /** tanh(x). */
  protected fn(x: Tensor): Tensor {
    return tanh(x);
  }
}

/** ReLU layer. */
export class ReLU extends Activation {
  /** max(x, 0). */
  protected fn(x: Tensor): Tensor {
    return relu(x);
  }
}

/** Softmax over the last axis (use crossEntropy on logits for training instead). */
export class Softmax extends Activation {
  /** softmax(x). */
  protected fn(x: Tensor): Tensor {
    return softmax(x);
  }
}

/** Flattens all axes after the first: [N, …] → [N, product]. */
export class Flatten extends Activation {
  /** Reshape to [N, −1]. */
  protected fn(x: Tensor): Tensor {
    return reshape(x, [x.shape[0], -1]);
  }
}

/** Global average pooling: [N, C, H, W] → [N, C]. */
export class GlobalAvgPool2d extends Activation {
  /** Mean over H and W. */
  protected fn(x: Tensor): Tensor {
    return globalAvgPool2d(x);
  }
}

/** Inverted dropout, active only in training mode. */
export class Dropout extends Module {
  /** Drop probability. */
  readonly p: number;
  /** Mask source. */
  readonly rng: Rng;

  /** Creates a dropout layer with drop probability `p`. */
  constructor(p: number, options: { rng?: Rng } = {}) {
    super();
    this.p = p;
    this.rng = options.rng ?? new Rng(0);
  }

  /** Drops elements in training mode; identity in evaluation. */
  forward(x: Tensor): Tensor {
    return dropout(x, { p: this.p, rng: this.rng, training: this.training });
  }
}
