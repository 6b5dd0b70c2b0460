/**
 * {@linkcode Sequential}: layers applied one after another.
 *
 * @module
 */

import type { ActivationOp, Tensor } from "../autograd/mod.ts";
import { ReLU, Sigmoid, Tanh } from "./activations.ts";
import { Conv2d, MaxPool2d } from "./conv2d.ts";
import { Linear } from "./linear.ts";
import { Module } from "./module.ts";

/**
 * The activation a layer applies when it is exactly one of the plain
 * activation layers (a subclass may change `fn`, so it is not fused).
 */
function plainActivation(layer: Module | undefined): ActivationOp | null {
  if (layer === undefined) return null;
  const kind = layer.constructor;
  return kind === Sigmoid ? "sigmoid" : kind === Tanh ? "tanh" : kind === ReLU ? "relu" : null;
}

/**
 * The layer and the activation after it as one call, when the layer is a
 * plain Conv2d or a plain Linear without an activation of its own.
 */
function fusable(
  layer: Module,
  activation: ActivationOp | null,
): ((x: Tensor) => Tensor) | null {
  if (activation === null) return null;
  if (layer.constructor === Conv2d) return (x) => (layer as Conv2d).forwardWith(x, activation);
  if (layer.constructor === Linear && (layer as Linear).activation === null) {
    return (x) => (layer as Linear).forwardWith(x, activation);
  }
  return null;
}

/**
 * Whether `layers[i]` is a plain ReLU and `layers[i + 1]` a plain unpadded
 * MaxPool2d. The two commute — max(relu(a), relu(b)) = relu(max(a, b)), with
 * the same first maximum, and a gradient of zero wherever the ReLU cuts — so
 * they can run as pool then ReLU: the same bits, with the ReLU and its
 * backward on a quarter of the elements for a 2×2 pool. (Padding is left
 * alone: it would compare against cells the ReLU never saw.)
 */
function reluBeforeMaxPool(layers: readonly Module[], i: number): boolean {
  const pool = layers[i + 1];
  return plainActivation(layers[i]) === "relu" && pool?.constructor === MaxPool2d &&
    !(pool as MaxPool2d).options.padding;
}

/** Whether a layer is a plain MaxPool2d of 2×2 windows at stride 2 without padding. */
function plainPool2x2(layer: Module | undefined): boolean {
  if (layer?.constructor !== MaxPool2d) return false;
  const { kernel, stride, padding } = (layer as MaxPool2d).options;
  return kernel === 2 && (stride ?? 2) === 2 && !padding;
}

/**
 * How many layers from `layers[i]` run as one conv2dMaxPool, and whether
 * with a ReLU: a plain Conv2d, then a plain ReLU (optional), then a plain
 * 2×2 max pooling. 0 when they do not.
 */
function convPoolBlock(layers: readonly Module[], i: number): { length: number; relu: boolean } {
  if (layers[i].constructor !== Conv2d) return { length: 0, relu: false };
  if (plainPool2x2(layers[i + 1])) return { length: 2, relu: false };
  if (plainActivation(layers[i + 1]) === "relu" && plainPool2x2(layers[i + 2])) {
    return { length: 3, relu: true };
  }
  return { length: 0, relu: false };
}

/** A chain of layers; parameter names are `layers.<index>.<name>`. */
export class Sequential extends Module {
  /** The layers, in order. */
  readonly layers: Module[];

  /** Chains the given layers. */
  constructor(...layers: Module[]) {
    super();
    this.layers = layers;
  }

  /**
   * Feeds x through every layer. A plain Conv2d followed by 2×2 max
   * pooling (with a ReLU between them or not) runs as one conv2dMaxPool; a
   * plain Conv2d, or a plain Linear without its own activation, followed by
   * a Sigmoid, Tanh or ReLU layer runs as one fused op; and a ReLU followed
   * by max pooling runs after the pooling (they commute): the same numbers,
   * with fewer passes and temporaries.
   */
  forward(x: Tensor): Tensor {
    let h = x;
    const layers = this.layers;
    for (let i = 0; i < layers.length; i++) {
      const layer = layers[i];
      const block = convPoolBlock(layers, i);
      if (block.length > 0) {
        h = (layer as Conv2d).forwardPooled(h, { relu: block.relu });
        i += block.length - 1;
        continue;
      }
      if (reluBeforeMaxPool(layers, i)) {
        h = layer.forward(layers[i + 1].forward(h));
        i++;
        continue;
      }
      const fused = reluBeforeMaxPool(layers, i + 1)
        ? null
        : fusable(layer, plainActivation(layers[i + 1]));
      if (fused !== null) {
        h = fused(h);
        i++;
      } else {
        h = layer.forward(h);
      }
    }
    return h;
  }
}
