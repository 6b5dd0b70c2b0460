/**
 * Elastic distortion fields (Simard, Steinkraus & Platt 2003, "Best practices
 * for convolutional neural networks applied to visual document analysis"):
 * uniform random displacements smoothed by a Gaussian, so neighbouring
 * pixels move together and a stroke bends instead of breaking. Affine jitter
 * changes a glyph as a whole; this changes its shape the way one writer's
 * hand differs from another's, which is what a writer-disjoint test set
 * measures.
 *
 * @module
 */

import type { Rng } from "../autograd/mod.ts";

/** Options of {@linkcode elasticField}. */
export interface ElasticOptions {
  /** Side of the square field. */
  size: number;
  /** Largest displacement in pixels (the field is scaled so its largest |component| is this). */
  maxDisplacement: number;
  /** Standard deviation of the smoothing Gaussian in pixels (larger: smoother, more global). */
  sigma: number;
}

/**
 * A random displacement field: `dx` and `dy` of `size²` values each (row
 * major), every component in [−maxDisplacement, maxDisplacement].
 */
export function elasticField(
  rng: Rng,
  options: ElasticOptions,
): { dx: Float32Array; dy: Float32Array } {
  const { size, maxDisplacement, sigma } = options;
  const kernel = gaussianKernel(sigma, size);
  const component = () => {
    const field = new Float32Array(size * size);
    rng.fillUniform(field, { low: -1, high: 1 });
    const smooth = blur(blur(field, kernel, { size, step: 1 }), kernel, { size, step: size });
    let largest = 0;
    for (const v of smooth) largest = Math.max(largest, Math.abs(v));
    const scale = largest > 0 ? maxDisplacement / largest : 0;
    for (let i = 0; i < smooth.length; i++) smooth[i] *= scale;
    return smooth;
  };
  const dx = component();
  return { dx, dy: component() };
}

/** Normalised Gaussian taps out to 3σ (at most the field's side on each side). */
function gaussianKernel(sigma: number, size: number): Float32Array {
  const radius = Math.min(size, Math.max(1, Math.ceil(3 * sigma)));
  const taps = new Float32Array(2 * radius + 1);
  let total = 0;
  for (let i = -radius; i <= radius; i++) {
    taps[i + radius] = Math.exp(-(i * i) / (2 * sigma * sigma));
    total += taps[i + radius];
  }
  for (let i = 0; i < taps.length; i++) taps[i] /= total;
  return taps;
}

/**
 * One pass of a separable blur along rows (`step` 1) or columns (`step`
 * size), mirroring at the edges so the border is as random as the middle.
 */
function blur(
  field: Float32Array,
  kernel: Float32Array,
  options: { size: number; step: number },
): Float32Array {
  const { size, step } = options;
  const radius = (kernel.length - 1) / 2;
  const across = step === 1 ? size : 1;
  const out = new Float32Array(field.length);
  for (let line = 0; line < size; line++) {
    const start = line * across;
    for (let i = 0; i < size; i++) {
      let sum = 0;
      for (let k = -radius; k <= radius; k++) {
        sum += kernel[k + radius] * field[start + mirror(i + k, size) * step];
      }
      out[start + i * step] = sum;
    }
  }
  return out;
}

/** Reflects an index into 0..size−1 (…2 1 | 0 1 2 … size−1 | size−2 …). */
function mirror(i: number, size: number): number {
  const period = 2 * (size - 1);
  if (period === 0) return 0;
  const m = ((i % period) + period) % period;
  return m < size ? m : period - m;
}
