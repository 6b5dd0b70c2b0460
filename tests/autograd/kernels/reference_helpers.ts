/**
 * Shared helpers of the reference-kernel tests: seeded random arrays, a
 * tolerance comparison, naive index arithmetic for strided views and window
 * geometries. Nothing here calls a kernel, so the tests' expectations stay
 * independent of it.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Storage, StridedView, Window2d } from "../../../autograd/kernels/kernels.ts";

/** A constructor of either storage type. */
export type StorageCtor = typeof Float32Array | typeof Float64Array;

/** Both dtypes with the relative tolerance their rounding allows. */
export const DTYPES: { T: StorageCtor; tol: number }[] = [
  { T: Float32Array, tol: 2e-5 },
  { T: Float64Array, tol: 1e-12 },
];

/** Deterministic uniform numbers in [0, 1) (mulberry32). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An array of `n` uniform values in [lo, hi). */
export function rand(
  T: StorageCtor,
  n: number,
  opts: { seed: number; lo?: number; hi?: number },
): Storage {
  const r = rng(opts.seed);
  const lo = opts.lo ?? -1;
  const hi = opts.hi ?? 1;
  const out = new T(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * r();
  return out;
}

/** Element-wise |actual − expected| ≤ tol·(1 + |expected|); NaN must match NaN. */
export function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  opts: { tol: number; what: string },
): void {
  assert.equal(actual.length, expected.length, `${opts.what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (Number.isNaN(e)) {
      assert.ok(Number.isNaN(a), `${opts.what}[${i}]: expected NaN, got ${a}`);
    } else if (!Number.isFinite(e)) {
      assert.equal(a, e, `${opts.what}[${i}]`);
    } else {
      const ok = Math.abs(a - e) <= opts.tol * (1 + Math.abs(e));
      assert.ok(ok, `${opts.what}[${i}]: got ${a}, expected ${e}`);
    }
  }
}

/** Σ a[i]·b[i] in doubles. */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Every multi-index of `shape`, in row-major order. */
export function* indices(shape: readonly number[]): Generator<number[]> {
  if (shape.some((d) => d === 0)) return;
  const idx = shape.map(() => 0);
  while (true) {
    yield [...idx];
    let d = shape.length - 1;
    while (d >= 0 && ++idx[d] === shape[d]) idx[d--] = 0;
    if (d < 0) return;
  }
}

/** Flat position of a multi-index in a strided view. */
export function at(view: StridedView, idx: readonly number[]): number {
  return idx.reduce((p, i, d) => p + i * view.strides[d], view.offset);
}

/**
 * A random view of `shape` over a fresh buffer: axes laid out in a random
 * order, some broadcast (stride 0), with a random offset. Returns the buffer
 * length it needs.
 */
export function randomView(
  shape: readonly number[],
  seed: number,
): { view: StridedView; size: number } {
  const r = rng(seed);
  const order = shape.map((_, d) => d).sort(() => r() - 0.5);
  const strides = shape.map(() => 0);
  let step = 1;
  for (const d of order) {
    if (r() < 0.25) continue; // broadcast axis
    strides[d] = step;
    step *= shape[d] + (r() < 0.3 ? 1 : 0); // sometimes a gap, as in a slice
  }
  const offset = Math.floor(r() * 4);
  const last = shape.reduce((p, n, d) => p + (n - 1) * strides[d], offset);
  return { view: { shape, strides, offset }, size: last + 1 };
}

/** A full Window2d from the free parameters, with oh/ow by the documented formula. */
export function geometry(g: Omit<Window2d, "oh" | "ow">): Window2d {
  return {
    ...g,
    oh: Math.floor((g.h + 2 * g.pad - g.kh) / g.stride) + 1,
    ow: Math.floor((g.w + 2 * g.pad - g.kw) / g.stride) + 1,
  };
}
