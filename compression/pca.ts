/**
 * PCA compression (the assignment's "SVD of the training matrix"): the
 * principal components are the top eigenvectors of the D×D Gram matrix XᵀX
 * (of the centred data), whose eigenvalues are the squared singular values
 * of X. Two ways to find them:
 * - `"krylov"`: the top k only, by a block Krylov method that never forms
 *   XᵀX (block_krylov.ts); NIST36's 32 components in a quarter of the time;
 * - `"exact"`: XᵀX formed (gram.ts) and fully eigen-decomposed
 *   (symmetric_eigen.ts): every eigenvalue, so the numerical rank and the
 *   whole spectrum, which the compression report plots.
 * The default, `"auto"`, takes the Krylov method where its products cost
 * less than forming XᵀX (k below about D/7.5), else the exact one.
 * Rank-deficient data (constant border pixels) only adds zero eigenvalues,
 * which both handle. Reconstruction projects onto the components and back:
 * x̂ = μ + (x − μ)·V·Vᵀ.
 *
 * @module
 */

import {
  add,
  matmul,
  noGrad,
  ShapeError,
  showShape,
  sub,
  Tensor,
  transpose,
} from "../autograd/mod.ts";
import { krylovShape, topGramEigenpairs } from "./block_krylov.ts";
import { gramMatrix } from "./gram.ts";
import { symmetricEigen } from "./symmetric_eigen.ts";

/** How {@linkcode fitPca} finds the components (see the module doc). */
export type PcaMethod = "auto" | "krylov" | "exact";

/** Options of {@linkcode fitPca}. */
export interface PcaOptions {
  /** Principal components kept (default 32). */
  components?: number;
  /** Subtract the training mean first (default true; false is the plain SVD of X). */
  center?: boolean;
  /** "krylov" (top k), "exact" (full spectrum and rank), or "auto" (default: the cheaper). */
  method?: PcaMethod;
  /** Seed of the Krylov method's random start block (default 0): fits repeat exactly. */
  seed?: number;
}

/** A fitted PCA. */
export interface Pca {
  /** Principal components [D, k] float64, orthonormal columns, by decreasing variance. */
  components: Tensor;
  /** Training mean [D] subtracted before projecting (in the data's dtype), or null. */
  mean: Tensor | null;
  /**
   * Eigenvalues of the (centred) Gram matrix = squared singular values,
   * descending: all D from the exact method, the k of the components from
   * the Krylov method.
   */
  eigenvalues: Float64Array;
  /** Sum of all D eigenvalues: the squared norm of the (centred) training matrix. */
  totalEnergy: number;
  /** Numerical rank of the (centred) training matrix; known from the exact method only. */
  rank?: number;
}

/**
 * Rank as numpy's `matrix_rank` counts it for a symmetric matrix: eigenvalues
 * above size·ε·λ_max (`values` descending).
 */
export function numericalRank(values: Float64Array, size: number): number {
  const tolerance = size * Number.EPSILON * Math.max(values[0], 0);
  return values.filter((v) => v > tolerance).length;
}

/** Whether `method` means the Krylov method for k of D components. */
function useKrylov(method: PcaMethod, k: number, d: number): boolean {
  if (method !== "auto") return method === "krylov";
  // Krylov products: 2s passes of 2·N·D·b flops; forming XᵀX: 2·N·D² (and then its
  // eigen-decomposition, which Krylov also saves).
  const { block, steps } = krylovShape(k, d);
  return 2 * steps * block < d;
}

/** Fits PCA on the rows of x [N, D]. */
export function fitPca(x: Tensor, options: PcaOptions = {}): Pca {
  const k = options.components ?? 32;
  const d = x.shape[1];
  if (x.ndim !== 2 || !Number.isInteger(k) || k < 1 || k > d) {
    throw new ShapeError(
      `fitPca: cannot keep ${k} components of data shaped ${
        showShape(x.shape)
      } (need [N, D], 1 ≤ k ≤ D)`,
    );
  }
  const center = options.center ?? true;
  const method = options.method ?? "auto";
  if (!useKrylov(method, k, d)) {
    const { gram, mean } = gramMatrix(x, { center });
    const eigen = symmetricEigen(gram, d, { vectors: k });
    let totalEnergy = 0;
    for (const v of eigen.values) totalEnergy += v;
    return {
      components: new Tensor(eigen.vectors, [d, k]),
      mean,
      eigenvalues: eigen.values,
      totalEnergy,
      rank: numericalRank(eigen.values, d),
    };
  }
  const top = topGramEigenpairs(x, { k, center, seed: options.seed });
  return {
    components: new Tensor(top.vectors, [d, k]),
    mean: top.mean,
    eigenvalues: top.values,
    totalEnergy: top.trace,
  };
}

function checkInput(pca: Pca, x: Tensor, op: string): void {
  const d = pca.components.shape[0];
  if (x.ndim !== 2 || x.shape[1] !== d) {
    throw new ShapeError(`${op}: needs [N, ${d}] data, got ${showShape(x.shape)}`);
  }
}

/** Components in the dtype of `like`, for products with data of that dtype. */
function componentsAs(pca: Pca, like: Tensor): Tensor {
  return like.dtype === "float64" ? pca.components : pca.components.clone({ dtype: like.dtype });
}

/** Codes of x [N, D]: (x − μ)·V, shape [N, k], in x's dtype. */
export function pcaEncode(pca: Pca, x: Tensor): Tensor {
  checkInput(pca, x, "pcaEncode");
  return noGrad(() => {
    const centred = pca.mean ? sub(x, pca.mean.clone({ dtype: x.dtype })) : x;
    return matmul(centred, componentsAs(pca, x));
  });
}

/** Images from codes [N, k]: codes·Vᵀ + μ, shape [N, D]. */
export function pcaDecode(pca: Pca, codes: Tensor): Tensor {
  const k = pca.components.shape[1];
  if (codes.ndim !== 2 || codes.shape[1] !== k) {
    throw new ShapeError(`pcaDecode: needs [N, ${k}] codes, got ${showShape(codes.shape)}`);
  }
  return noGrad(() => {
    const out = matmul(codes, transpose(componentsAs(pca, codes)));
    return pca.mean ? add(out, pca.mean.clone({ dtype: codes.dtype })) : out;
  });
}

/**
 * Projection onto the components and back, x̂ = μ + (x − μ)·P with
 * P = V·Vᵀ, computed through the k-dimensional codes (2·D·k instead of D²
 * multiplications per image; the result is the same).
 */
export function pcaReconstruct(pca: Pca, x: Tensor): Tensor {
  return pcaDecode(pca, pcaEncode(pca, x));
}

/** The D×D projection matrix P = V·Vᵀ (float64; rank k). */
export function projectionMatrix(pca: Pca): Tensor {
  return noGrad(() => matmul(pca.components, transpose(pca.components)));
}

/**
 * Σ of the discarded eigenvalues (squared singular values beyond the k-th):
 * the total squared reconstruction error of the training data. Summed from
 * the spectrum where it is known, else the total less the kept ones.
 */
export function discardedEnergy(pca: Pca): number {
  const [d, k] = pca.components.shape;
  let total = 0;
  if (pca.eigenvalues.length === d) {
    for (const v of pca.eigenvalues.subarray(k)) total += v;
    return total;
  }
  for (const v of pca.eigenvalues) total += v;
  // Rounding can push a difference of equals (data of rank ≤ k) just below zero.
  return Math.max(0, pca.totalEnergy - total);
}

/** Numbers stored to compress and decompress: the D×k components, plus D for the mean. */
export function pcaParameterCount(pca: Pca): number {
  return pca.components.size + (pca.mean ? pca.mean.size : 0);
}

/** Numerical rank of the projection matrix V·Vᵀ, from its eigenvalues (k for orthonormal V). */
export function projectionRank(pca: Pca): number {
  const d = pca.components.shape[0];
  return numericalRank(symmetricEigen(projectionMatrix(pca).data as Float64Array, d).values, d);
}

/** max |VᵀV − I| over the components: 0 for exactly orthonormal columns. */
export function orthonormalityError(pca: Pca): number {
  const v = pca.components;
  const k = v.shape[1];
  const product = noGrad(() => matmul(transpose(v), v)).data;
  let worst = 0;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      worst = Math.max(worst, Math.abs(product[i * k + j] - (i === j ? 1 : 0)));
    }
  }
  return worst;
}
