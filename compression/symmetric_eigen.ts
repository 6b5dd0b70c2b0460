/**
 * The symmetric eigensolver behind PCA: Householder tridiagonalisation,
 * all eigenvalues by implicit QL, and only the eigenvectors asked for, by
 * inverse iteration on the tridiagonal matrix and back-transformation. For
 * the 1024×1024 Gram matrix and 32 components this does ~1.4 GFLOP instead
 * of the ~3n³ that accumulating every QL rotation would cost.
 *
 * @module
 */

import { InklingError, Rng, ShapeError } from "../autograd/mod.ts";
import { applyReflectors, tridiagonalize } from "./tridiagonalize.ts";
import { tridiagonalEigenvalues, tridiagonalEigenvectors } from "./tridiagonal_eigen.ts";

/** Eigen-decomposition of a symmetric matrix, largest eigenvalues first. */
export interface SymmetricEigen {
  /** All n eigenvalues, descending. */
  values: Float64Array;
  /** n×k row-major: column j is the unit eigenvector of `values[j]`. */
  vectors: Float64Array;
  /** Number of eigenvectors computed. */
  k: number;
}

/** Options of {@linkcode symmetricEigen}. */
export interface SymmetricEigenOptions {
  /** Eigenvectors to compute, for the k largest eigenvalues (default 0: values only). */
  vectors?: number;
  /** Seed of the inverse-iteration start vectors (default 0). */
  seed?: number;
}

/**
 * Eigenvalues (all) and the eigenvectors of the `vectors` largest
 * eigenvalues of the symmetric n×n matrix `a` (row-major; only the lower
 * triangle is read). Zero and repeated eigenvalues are fine: vectors of a
 * cluster are orthogonalised against each other.
 */
export function symmetricEigen(
  a: Float64Array,
  n: number,
  options: SymmetricEigenOptions = {},
): SymmetricEigen {
  const k = options.vectors ?? 0;
  if (!Number.isInteger(k) || k < 0 || k > n) {
    throw new ShapeError(`symmetricEigen: cannot compute ${k} eigenvectors of a ${n}×${n} matrix`);
  }
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i])) {
      throw new InklingError(`symmetricEigen: element ${i} of the matrix is ${a[i]}`);
    }
  }
  const t = tridiagonalize(a, n);
  const values = tridiagonalEigenvalues(t.diagonal, t.offDiagonal);
  const vectors = tridiagonalEigenvectors(t.diagonal, t.offDiagonal, {
    values: values.subarray(0, k),
    rng: new Rng(options.seed ?? 0),
  });
  applyReflectors(t, vectors, k);
  return { values, vectors, k };
}
