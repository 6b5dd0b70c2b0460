/**
 * {@linkcode Sequential}: layers applied one after another.
 *
 * @module
 */

import type { Tensor } from "../autograd/mod.ts";
import { Module } from "./module.ts";

/** A chain of layers; parameter names are `layers.<index>.<name>`. */
export class Sequential extends Module {
  /** The layers, in order. */
  readonly layers: Module[];

  /** Chains the given layers. */
  constructor(...layers: Module[]) {
    super();
    this.layers = layers;
  }

  /** Feeds x through every layer. */
  forward(x: Tensor): Tensor {
    return this.layers.reduce((h, layer) => layer.forward(h), x);
  }
}
