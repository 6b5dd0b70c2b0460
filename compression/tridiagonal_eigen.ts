/**
 * Eigenvalues and selected eigenvectors of a symmetric tridiagonal matrix:
 * all eigenvalues by the implicit QL algorithm with Wilkinson shifts
 * (O(n²) in total, no vectors accumulated), then eigenvectors one at a time
 * by inverse iteration (LAPACK's `dstein`: a pivoted LU of T − λI, a few
 * solves, re-orthogonalisation inside clusters of close eigenvalues).
 *
 * @module
 */

import { InklingError } from "../autograd/errors.ts";
import type { Rng } from "../autograd/mod.ts";

/** QL iterations allowed per eigenvalue before giving up (LAPACK allows 30 per value). */
const MAX_QL_ITERATIONS = 60;
/** Inverse-iteration solves per eigenvector (dstein stops after 2 past convergence, 5 at most). */
const INVERSE_ITERATIONS = 4;
/** Eigenvalues closer than this fraction of ‖T‖ are one cluster (dstein's ORTOL). */
const CLUSTER_TOLERANCE = 1e-3;

/**
 * All eigenvalues of the tridiagonal matrix with diagonal `d` and
 * off-diagonal `e` (`e[i]` couples i and i+1), in descending order.
 */
export function tridiagonalEigenvalues(d: Float64Array, e: Float64Array): Float64Array {
  const n = d.length;
  const dd = Float64Array.from(d);
  const ee = new Float64Array(n);
  ee.set(e.subarray(0, n - 1));
  // An absolute threshold (ε·‖T‖): Householder reduction is only accurate to
  // that anyway, and a relative one never deflates the near-zero eigenvalues
  // of a rank-deficient Gram matrix, whose rounding noise is all of their size.
  const negligible = Number.EPSILON * tridiagonalNorm(d, e);
  for (let l = 0; l < n; l++) {
    for (let iteration = 0;; iteration++) {
      let m = l;
      while (m < n - 1 && Math.abs(ee[m]) > negligible) m++;
      if (m === l) break;
      if (iteration === MAX_QL_ITERATIONS) {
        throw new InklingError(`tridiagonalEigenvalues: no convergence for eigenvalue ${l}`);
      }
      qlSweep(dd, ee, l, m);
    }
  }
  return dd.sort().reverse();
}

/** The ∞-norm of the tridiagonal matrix (d, e). */
function tridiagonalNorm(d: Float64Array, e: Float64Array): number {
  let norm = 0;
  for (let i = 0; i < d.length; i++) {
    const left = i > 0 ? Math.abs(e[i - 1]) : 0;
    const right = i < d.length - 1 ? Math.abs(e[i]) : 0;
    norm = Math.max(norm, Math.abs(d[i]) + left + right);
  }
  return norm;
}

/** One implicit QL step with a Wilkinson shift on the unreduced block l…m. */
function qlSweep(d: Float64Array, e: Float64Array, l: number, m: number): void {
  let g = (d[l + 1] - d[l]) / (2 * e[l]);
  let r = Math.hypot(g, 1);
  g = d[m] - d[l] + e[l] / (g + (g >= 0 ? r : -r));
  let s = 1;
  let c = 1;
  let p = 0;
  for (let i = m - 1; i >= l; i--) {
    const f = s * e[i];
    const b = c * e[i];
    r = Math.hypot(f, g);
    e[i + 1] = r;
    if (r === 0) {
      // Underflow: the block split; deflate and let the caller restart.
      d[i + 1] -= p;
      e[m] = 0;
      return;
    }
    s = f / r;
    c = g / r;
    g = d[i + 1] - p;
    r = (d[i] - g) * s + 2 * c * b;
    p = s * r;
    d[i + 1] = g + p;
    g = c * r - b;
  }
  d[l] -= p;
  e[l] = g;
  e[m] = 0;
}

/** Pivoted LU of T − λI (LAPACK `dgttrf`): L has unit diagonal, U three diagonals. */
interface TridiagonalLu {
  lower: Float64Array;
  diag: Float64Array;
  upper1: Float64Array;
  upper2: Float64Array;
  swapped: Uint8Array;
}

function factorShifted(d: Float64Array, e: Float64Array, lambda: number): TridiagonalLu {
  const n = d.length;
  const diag = Float64Array.from(d, (x) => x - lambda);
  const lower = Float64Array.from(e.subarray(0, n - 1));
  const upper1 = Float64Array.from(e.subarray(0, n - 1));
  const upper2 = new Float64Array(n);
  const swapped = new Uint8Array(n);
  for (let i = 0; i < n - 1; i++) {
    if (Math.abs(diag[i]) >= Math.abs(lower[i])) {
      const fact = diag[i] === 0 ? 0 : lower[i] / diag[i];
      lower[i] = fact;
      diag[i + 1] -= fact * upper1[i];
    } else {
      const fact = diag[i] / lower[i];
      diag[i] = lower[i];
      lower[i] = fact;
      const next = diag[i + 1];
      diag[i + 1] = upper1[i] - fact * next;
      upper1[i] = next;
      if (i < n - 2) {
        upper2[i] = upper1[i + 1];
        upper1[i + 1] *= -fact;
      }
      swapped[i] = 1;
    }
  }
  return { lower, diag, upper1, upper2, swapped };
}

/** Solves (T − λI)·x = b in place; pivots below `tiny` are replaced by it (dlagts). */
function solveShifted(lu: TridiagonalLu, b: Float64Array, tiny: number): void {
  const { lower, diag, upper1, upper2, swapped } = lu;
  const n = b.length;
  for (let i = 0; i < n - 1; i++) {
    if (swapped[i]) {
      const t = b[i];
      b[i] = b[i + 1];
      b[i + 1] = t - lower[i] * b[i];
    } else {
      b[i + 1] -= lower[i] * b[i];
    }
  }
  const pivot = (i: number) => Math.abs(diag[i]) >= tiny ? diag[i] : (diag[i] < 0 ? -tiny : tiny);
  for (let i = n - 1; i >= 0; i--) {
    let x = b[i];
    if (i + 1 < n) x -= upper1[i] * b[i + 1];
    if (i + 2 < n) x -= upper2[i] * b[i + 2];
    b[i] = x / pivot(i);
  }
}

function normalize(x: Float64Array): void {
  let norm = 0;
  for (let i = 0; i < x.length; i++) norm += x[i] * x[i];
  norm = Math.sqrt(norm);
  for (let i = 0; i < x.length; i++) x[i] /= norm;
}

/**
 * Eigenvectors of the tridiagonal matrix (d, e) for the given eigenvalues
 * (as returned by {@linkcode tridiagonalEigenvalues}, so equal values are
 * adjacent). Returns an n×k row-major matrix, column j for `values[j]`,
 * orthonormal columns.
 */
export function tridiagonalEigenvectors(
  d: Float64Array,
  e: Float64Array,
  args: { values: Float64Array; rng: Rng },
): Float64Array {
  const n = d.length;
  const k = args.values.length;
  const norm = tridiagonalNorm(d, e);
  // For the zero matrix every vector is an eigenvector; pivots of 1 just keep the start vectors.
  const tiny = norm * Number.EPSILON || 1;
  const out = new Float64Array(n * k);
  const columns: Float64Array[] = [];
  let clusterStart = 0;
  for (let j = 0; j < k; j++) {
    const lambda = args.values[j];
    if (j > 0 && Math.abs(args.values[j - 1] - lambda) > CLUSTER_TOLERANCE * norm) {
      clusterStart = j;
    }
    const lu = factorShifted(d, e, lambda);
    const x = new Float64Array(n);
    args.rng.fillUniform(x, { low: -1, high: 1 });
    for (let it = 0; it < INVERSE_ITERATIONS; it++) {
      normalize(x);
      // Vectors of close eigenvalues must be made orthogonal explicitly.
      for (let q = clusterStart; q < j; q++) subtractProjection(x, columns[q]);
      solveShifted(lu, x, tiny);
    }
    normalize(x);
    for (let q = clusterStart; q < j; q++) subtractProjection(x, columns[q]);
    normalize(x);
    columns.push(x);
    for (let i = 0; i < n; i++) out[i * k + j] = x[i];
  }
  return out;
}

function subtractProjection(x: Float64Array, q: Float64Array): void {
  let dot = 0;
  for (let i = 0; i < x.length; i++) dot += x[i] * q[i];
  for (let i = 0; i < x.length; i++) x[i] -= dot * q[i];
}
