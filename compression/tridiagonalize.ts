/**
 * Householder reduction of a symmetric matrix to tridiagonal form,
 * A = Q·T·Qᵀ (LAPACK's `dsytd2` with the lower triangle), and the
 * back-transformation of eigenvectors of T into eigenvectors of A. This is
 * the O(n³) half of a symmetric eigensolver; everything after it is O(n²)
 * per eigenvector.
 *
 * @module
 */

import { ShapeError } from "../autograd/errors.ts";

/** T = Qᵀ·A·Q with Q kept as Householder reflectors. */
export interface Tridiagonal {
  /** Order n. */
  n: number;
  /** Diagonal of T, length n. */
  diagonal: Float64Array;
  /** Off-diagonal of T: `offDiagonal[i]` couples i and i+1 (length n; the last entry is 0). */
  offDiagonal: Float64Array;
  /**
   * Reflector i is H_i = I − τ_i·v·vᵀ acting on rows i+1…n−1, with v_{i+1} = 1
   * and v_r (r ≥ i+2) stored at `reflectors[r·n + i]` (row-major n×n).
   */
  reflectors: Float64Array;
  /** τ_i of each reflector (0 where the column was already reduced). */
  tau: Float64Array;
}

/**
 * Reduces the symmetric n×n matrix `a` (row-major; only its lower triangle is
 * read) to tridiagonal form. `a` is not modified.
 */
export function tridiagonalize(a: Float64Array, n: number): Tridiagonal {
  if (!Number.isInteger(n) || n < 1 || a.length !== n * n) {
    throw new ShapeError(`tridiagonalize: ${a.length} elements are not an n×n matrix (n = ${n})`);
  }
  const m = Float64Array.from(a);
  const diagonal = new Float64Array(n);
  const offDiagonal = new Float64Array(n);
  const tau = new Float64Array(n);
  const v = new Float64Array(n);
  const p = new Float64Array(n);
  for (let i = 0; i < n - 2; i++) {
    // Reflector that zeroes column i below the subdiagonal: x = A[i+1:, i].
    const alpha = m[(i + 1) * n + i];
    let tail = 0;
    for (let r = i + 2; r < n; r++) tail += m[r * n + i] ** 2;
    diagonal[i] = m[i * n + i];
    if (tail === 0) {
      // Already reduced (e.g. a zero column of a rank-deficient matrix): H = I.
      offDiagonal[i] = alpha;
      continue;
    }
    const beta = -Math.sign(alpha || 1) * Math.sqrt(alpha * alpha + tail);
    const t = (beta - alpha) / beta;
    const scale = 1 / (alpha - beta);
    v[i + 1] = 1;
    for (let r = i + 2; r < n; r++) {
      v[r] = m[r * n + i] * scale;
      m[r * n + i] = v[r];
    }
    offDiagonal[i] = beta;
    tau[i] = t;
    symmetricUpdate(m, n, { from: i + 1, v, p, tau: t });
  }
  if (n >= 2) {
    diagonal[n - 2] = m[(n - 2) * n + n - 2];
    offDiagonal[n - 2] = m[(n - 1) * n + n - 2];
  }
  diagonal[n - 1] = m[(n - 1) * n + n - 1];
  return { n, diagonal, offDiagonal, reflectors: m, tau };
}

/**
 * A₂₂ ← H·A₂₂·H for the trailing block rows/columns ≥ `from`, on the lower
 * triangle: p = τ·A₂₂·v, w = p − (τ/2)(pᵀv)·v, A₂₂ −= v·wᵀ + w·vᵀ. Both passes
 * walk the lower triangle row by row, so memory is read contiguously.
 */
function symmetricUpdate(
  m: Float64Array,
  n: number,
  args: { from: number; v: Float64Array; p: Float64Array; tau: number },
): void {
  const { from, v, p, tau } = args;
  p.fill(0, from, n);
  for (let r = from; r < n; r++) {
    const row = r * n;
    const vr = v[r];
    let acc = 0;
    for (let c = from; c < r; c++) {
      const x = m[row + c];
      acc += x * v[c];
      p[c] += x * vr;
    }
    p[r] += acc + m[row + r] * vr;
  }
  let pv = 0;
  for (let r = from; r < n; r++) {
    p[r] *= tau;
    pv += p[r] * v[r];
  }
  const half = 0.5 * tau * pv;
  for (let r = from; r < n; r++) p[r] -= half * v[r];
  for (let r = from; r < n; r++) {
    const row = r * n;
    const vr = v[r];
    const wr = p[r];
    for (let c = from; c <= r; c++) m[row + c] -= vr * p[c] + wr * v[c];
  }
}

/**
 * Turns eigenvectors of T into eigenvectors of A in place: `y` is n×k
 * row-major (one eigenvector per column), and becomes Q·y.
 */
export function applyReflectors(t: Tridiagonal, y: Float64Array, k: number): void {
  const { n, reflectors, tau } = t;
  if (y.length !== n * k) {
    throw new ShapeError(`applyReflectors: ${y.length} elements are not ${n}×${k}`);
  }
  const dot = new Float64Array(k);
  for (let i = n - 3; i >= 0; i--) {
    if (tau[i] === 0) continue;
    // dot = vᵀ·Y[i+1:, :], then Y[i+1:, :] −= τ·v·dot.
    dot.set(y.subarray((i + 1) * k, (i + 2) * k));
    for (let r = i + 2; r < n; r++) {
      const vr = reflectors[r * n + i];
      const row = r * k;
      for (let j = 0; j < k; j++) dot[j] += vr * y[row + j];
    }
    for (let j = 0; j < k; j++) dot[j] *= tau[i];
    for (let j = 0; j < k; j++) y[(i + 1) * k + j] -= dot[j];
    for (let r = i + 2; r < n; r++) {
      const vr = reflectors[r * n + i];
      const row = r * k;
      for (let j = 0; j < k; j++) y[row + j] -= vr * dot[j];
    }
  }
}
