/**
 * Weight initialisation schemes, each drawing from a seeded {@linkcode Rng}.
 *
 * @module
 */

import { type DType, rand, type Rng, Tensor, zeros } from "../autograd/mod.ts";
import { reusableStorage } from "../autograd/storage_pool.ts";

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

/**
 * `t`'s values as a parameter. Every training step reads and updates it, so
 * it is kept where the kernels update it in place (`reusableStorage`).
 */
function param(t: Tensor): Tensor {
  const data = reusableStorage(t.dtype === "float64", t.size);
  data.set(t.data);
  return new Tensor(data, t.shape, { requiresGrad: true });
}
