/**
 * Small synthetic data sets that train in seconds, for examples and tests:
 * "bars" images (a horizontal, vertical or diagonal stroke, or a cross, in
 * noise) and Gaussian "blobs" for MLPs.
 *
 * @module
 */

import { Rng, Tensor } from "../autograd/mod.ts";

/** A labelled synthetic data set. */
export interface SyntheticSet {
  /** Inputs: [N, 1, size, size] images or [N, features] points. */
  x: Tensor;
  /** Class index per sample. */
  y: Int32Array;
  /** Number of classes. */
  classes: number;
}

/** The classes of {@linkcode bars}. */
export const BAR_CLASSES = ["horizontal", "vertical", "diagonal", "cross"] as const;

/**
 * `count` grey images of `size`×`size` with one bar each at a random
 * position, plus noise. Class = kind of bar (see {@linkcode BAR_CLASSES}).
 */
export function bars(
  count: number,
  options: { size?: number; noise?: number; seed?: number } = {},
): SyntheticSet {
  const size = options.size ?? 12;
  const noise = options.noise ?? 0.2;
  const rng = new Rng(options.seed ?? 0);
  const data = new Float32Array(count * size * size);
  const y = new Int32Array(count);
  for (let n = 0; n < count; n++) {
    const label = rng.int(BAR_CLASSES.length);
    y[n] = label;
    const image = data.subarray(n * size * size, (n + 1) * size * size);
    for (let i = 0; i < image.length; i++) image[i] = noise * rng.next();
    const at = 2 + rng.int(size - 4);
    for (let i = 1; i < size - 1; i++) {
      if (label === 0 || label === 3) image[at * size + i] = 1;
      if (label === 1 || label === 3) image[i * size + at] = 1;
      if (label === 2) image[i * size + i] = 1;
    }
  }
  return { x: new Tensor(data, [count, 1, size, size]), y, classes: BAR_CLASSES.length };
}

/** `count` points in `features` dimensions around one Gaussian centre per class. */
export function blobs(
  count: number,
  options: { features?: number; classes?: number; spread?: number; seed?: number } = {},
): SyntheticSet {
  const features = options.features ?? 2;
  const classes = options.classes ?? 3;
  const rng = new Rng(options.seed ?? 0);
  const centres = Array.from(
    { length: classes },
    () => Array.from({ length: features }, () => rng.uniform(-3, 3)),
  );
  const data = new Float32Array(count * features);
  const y = new Int32Array(count);
  for (let n = 0; n < count; n++) {
    const label = n % classes;
    y[n] = label;
    for (let f = 0; f < features; f++) {
      data[n * features + f] = centres[label][f] + rng.normal(0, options.spread ?? 0.5);
    }
  }
  return { x: new Tensor(data, [count, features]), y, classes };
}
