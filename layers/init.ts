/**
 * Weight initialisation schemes, each drawing from a seeded {@linkcode Rng}.
 *
 * @module
 */

import { type DType, rand, type Rng, type Tensor, zeros } from "../autograd/mod.ts";

/** Common options of the initialisers. */
export interface InitOptions {
  /** Random source (default: seed 0). */
  rng?: Rng;
  /** Element type (default float32). */
  dtype?: DType;
}

/**
 * Xavier/Glorot uniform (Glorot & Bengio 2010, eq. 16):
 * U[−√6/√(fanIn+fanOut), +√6/√(fanIn+fanOut)], variance 2/(fanIn+fanOut).
 */
export function xavierUniform(
  shape: number[],
  fans: { fanIn: number; fanOut: number },
  options: InitOptions = {},
): Tensor {
  const bound = Math.sqrt(6) / Math.sqrt(fans.fanIn + fans.fanOut);
  return param(rand(shape, { ...options, low: -bound, high: bound }));
}

/** He/Kaiming uniform for ReLU layers: U[−√(6/fanIn), +√(6/fanIn)], variance 2/fanIn. */
export function heUniform(shape: number[], fanIn: number, options: InitOptions = {}): Tensor {
  const bound = Math.sqrt(6 / fanIn);
  return param(rand(shape, { ...options, low: -bound, high: bound }));
}

/** A zero-filled parameter (biases). */
export function zeroParam(shape: number[], options: InitOptions = {}): Tensor {
  return param(zeros(shape, { dtype: options.dtype }));
}

function param(t: Tensor): Tensor {
  t.requiresGrad = true;
  return t;
}
