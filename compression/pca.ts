/**
 * PCA compression (the assignment's "SVD of the training matrix"): the
 * principal components are the top eigenvectors of the D×D Gram matrix XᵀX,
 * whose eigenvalues are the squared singular values of X. Going through the
 * Gram matrix instead of a full SVD of the N×D matrix is what makes it fast
 * (see gram.ts and symmetric_eigen.ts); rank-deficient data (constant
 * border pixels) only adds zero eigenvalues, which the solver handles.
 * Reconstruction projects onto the components and back: x̂ = μ + (x − μ)·V·Vᵀ.
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
import { gramMatrix } from "./gram.ts";
import { symmetricEigen } from "./symmetric_eigen.ts";

/** Options of {@linkcode fitPca}. */
export interface PcaOptions {
  /** Principal components kept (default 32). */
  components?: number;
  /** Subtract the training mean first (default true; false is the plain SVD of X). */
  center?: boolean;
}

/** A fitted PCA. */
export interface Pca {
  /** Principal components [D, k] float64, orthonormal columns, by decreasing variance. */
  components: Tensor;
  /** Training mean [D] subtracted before projecting (in the data's dtype), or null. */
  mean: Tensor | null;
  /** All D eigenvalues of the (centred) Gram matrix = squared singular values, descending. */
  eigenvalues: Float64Array;
  /** Numerical rank of the (centred) training matrix. */
  rank: number;
}

/**
 * Rank as numpy's `matrix_rank` counts it for a symmetric matrix: eigenvalues
 * above size·ε·λ_max (`values` descending).
 */
export function numericalRank(values: Float64Array, size: number): number {
  const tolerance = size * Number.EPSILON * Math.max(values[0], 0);
  return values.filter((v) => v > tolerance).length;
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
  const { gram, mean } = gramMatrix(x, { center: options.center ?? true });
  const eigen = symmetricEigen(gram, d, { vectors: k });
  return {
    components: new Tensor(eigen.vectors, [d, k]),
    mean,
    eigenvalues: eigen.values,
    rank: numericalRank(eigen.values, d),
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
 * the total squared reconstruction error of the training data.
 */
export function discardedEnergy(pca: Pca): number {
  let total = 0;
  for (const v of pca.eigenvalues.subarray(pca.components.shape[1])) total += v;
  return total;
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
