/**
 * The top eigenpairs of the Gram matrix C = XcᵀXc of a (centred) data matrix
 * without forming C: a block Krylov subspace (block Lanczos with full
 * reorthogonalisation) and a Rayleigh–Ritz step on it, solved by the
 * symmetric eigensolver of symmetric_eigen.ts.
 *
 * Forming C costs 2·N·D² flops (22.6 GFLOP for NIST36's 10,800×1024), more
 * than its eigen-decomposition; here each step multiplies C into a block of
 * b vectors as Xcᵀ(Xc·Q), 4·N·D·b flops on the engine's gemm. The start block
 * is b data rows drawn at random, which already lean towards the top of the
 * spectrum (half a step, for free). After s steps the basis Q spans s·b
 * directions and every C·Qⱼ is kept, so the Rayleigh quotient T = Qᵀ·C·Q
 * needs no further pass over the data.
 *
 * Why a Krylov space and not plain subspace (power) iteration: glyph spectra
 * decay slowly (NIST36's λ₃₂/λ₄₈ is only 1.65), and subspace iteration
 * converges with the gap ratio itself while Krylov spaces converge with
 * about its square root. Measured on NIST36 (k = 32, centred), relative
 * error of the discarded energy Σλᵢ (i > 32) against the exact solver:
 * subspace iteration with 48 vectors and 3 power steps 2.3e-3 (worst of the
 * 32 eigenvalues 2.4e-2); this block Krylov space (b = 24, s = 5) 1.7e-5 to
 * 2.1e-5 over seeds 0–2 (worst eigenvalue 1.8e-4 to 2.7e-4), for fewer
 * flops. The exact method, whose Gram matrix is summed from float32
 * products, is itself only good to about 1e-5 there.
 *
 * @module
 */

import {
  InklingError,
  matmul,
  noGrad,
  Rng,
  type Storage,
  Tensor,
  transpose,
} from "../autograd/mod.ts";
import { symmetricEigen } from "./symmetric_eigen.ts";

/** Krylov steps (blocks of the basis): 5 reach the accuracy above; each costs two passes over X. */
const STEPS = 5;

/** A new basis vector that keeps less than this fraction of its norm is replaced (deflation). */
const DEFLATION = 1e-6;

/** The k largest eigenpairs of XcᵀXc. */
export interface TopEigenpairs {
  /** The k largest eigenvalues (Ritz values), descending. */
  values: Float64Array;
  /** D×k row-major: column j is the unit eigenvector (Ritz vector) of `values[j]`. */
  vectors: Float64Array;
  /** Trace of XcᵀXc (the sum of all D eigenvalues): Σ of the squared entries of Xc. */
  trace: number;
}

/** Block size b and steps s for k eigenpairs of a D×D matrix: k ≤ s·b ≤ D. */
export function krylovShape(k: number, d: number): { block: number; steps: number } {
  // b = ¾k with 5 steps gives a 3.75k-dimensional space, enough for slowly decaying spectra.
  const block = Math.min(d, Math.ceil((3 * k) / 4));
  const steps = Math.min(STEPS, Math.floor(d / block));
  // Too few steps fit (k near D): one block of the whole space, where Rayleigh–Ritz is exact.
  return block * steps >= k ? { block, steps } : { block: d, steps: 1 };
}

/**
 * Eigenpairs of XcᵀXc for the `k` largest eigenvalues, where Xc is the
 * [N, D] matrix `x`, less its column means with `center`, by the block
 * Krylov method above. Products run in x's dtype on the engine's gemm; the
 * basis and the Rayleigh–Ritz step in float64. Deterministic for a given
 * `seed` (and backend).
 */
export function topGramEigenpairs(
  x: Tensor,
  options: { k: number; center: boolean; seed?: number },
): TopEigenpairs & { mean: Tensor | null } {
  const d = x.shape[1];
  const { k } = options;
  const { block, steps } = krylovShape(k, d);
  const dim = block * steps;
  const rng = new Rng(options.seed ?? 0);
  const { mean, trace } = columnStatistics(x, options.center);
  const basis = new Float64Array(dim * d); // rows: orthonormal basis vectors
  const images = new Float64Array(dim * d); // rows: C times each basis vector
  const rows = (from: number, count: number) => basis.subarray(from * d, (from + count) * d);
  // Products with Xc = X − 1·μᵀ, as products with X and a rank-one correction: centring X
  // itself would cost a pass over it and a copy as large as the data.
  const timesX = (left: Tensor) => uncentre(matmul(left, x).data, { left, mean, d });
  noGrad(() => {
    sampleRows(x, { into: basis, count: block, mean, rng });
    orthonormalize(basis, { from: 0, count: block, d, rng });
    for (let step = 0; step < steps; step++) {
      const q = inDType(rows(step * block, block), [block, d], x);
      // Q·Xcᵀ (b×N) as Q·Xᵀ less Q·μ on every row; then Q·Xcᵀ·Xc, row i being C·qᵢ. (Keeping a
      // transposed copy of X, to avoid the thin X·Qᵀ, measured no faster on WebAssembly and
      // 25 ms slower on BLAS.)
      const projected = transpose(matmul(x, transpose(q)));
      if (mean) subtractFromRows(projected.data, rowDots(q, mean));
      const image = timesX(projected);
      images.set(image, step * block * d);
      if (step + 1 === steps) break;
      basis.set(image, (step + 1) * block * d);
      orthonormalize(basis, { from: (step + 1) * block, count: block, d, rng });
    }
  });
  // T = Q·(images)ᵀ, Tᵢⱼ = qᵢ·C·qⱼ; only its lower triangle is read (the exact T is symmetric).
  const t = noGrad(() =>
    matmul(inDType(basis, [dim, d], x), transpose(inDType(images, [dim, d], x))).data
  );
  const ritz = symmetricEigen(Float64Array.from(t), dim, { vectors: k });
  const vectors = noGrad(() =>
    matmul(transpose(new Tensor(basis, [dim, d])), new Tensor(ritz.vectors, [dim, k])).data
  ) as Float64Array;
  return { values: ritz.values.slice(0, k), vectors, trace, mean };
}

/**
 * Column means (in x's dtype, as PCA subtracts them; null without `center`)
 * and Σ‖xᵣ − μ‖² over the rows, from one pass of float64 sums:
 * Σx² − 2·μ·s + N·‖μ‖² with s the column sums and μ the stored means.
 */
function columnStatistics(x: Tensor, center: boolean): { mean: Tensor | null; trace: number } {
  const [n, d] = x.shape;
  const data = x.data;
  const sums = new Float64Array(d);
  let squares = 0;
  for (let r = 0; r < n; r++) {
    for (let c = 0, i = r * d; c < d; c++, i++) {
      const v = data[i];
      sums[c] += v;
      squares += v * v;
    }
  }
  if (!center) return { mean: null, trace: squares };
  const mean = x.dtype === "float64" ? new Float64Array(d) : new Float32Array(d);
  let trace = squares;
  for (let c = 0; c < d; c++) {
    mean[c] = sums[c] / n;
    trace += mean[c] * (n * mean[c] - 2 * sums[c]);
  }
  return { mean: new Tensor(mean, [d]), trace };
}

/** left·Xc from left·X (rows × D): subtracts (left·1)·μᵀ. Returns float64. */
function uncentre(
  product: Storage,
  args: { left: Tensor; mean: Tensor | null; d: number },
): Float64Array {
  const out = Float64Array.from(product);
  if (!args.mean) return out;
  const { d } = args;
  const [rows, inner] = args.left.shape;
  const left = args.left.data;
  const mean = args.mean.data;
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    for (let i = r * inner; i < (r + 1) * inner; i++) sum += left[i];
    for (let c = 0; c < d; c++) out[r * d + c] -= sum * mean[c];
  }
  return out;
}

/** μ·qᵢ for every row qᵢ of q, in float64. */
function rowDots(q: Tensor, mean: Tensor): Float64Array {
  const [rows, d] = q.shape;
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < d; c++) out[r] += q.data[r * d + c] * mean.data[c];
  }
  return out;
}

/** Row i of `data` (b×N) −= v[i]. */
function subtractFromRows(data: Storage, v: Float64Array): void {
  const width = data.length / v.length;
  for (let i = 0; i < v.length; i++) {
    for (let j = i * width; j < (i + 1) * width; j++) data[j] -= v[i];
  }
}

/** `data` as a tensor of `shape` in the dtype of `like` (a copy when that is float32). */
function inDType(data: Float64Array, shape: number[], like: Tensor): Tensor {
  return new Tensor(like.dtype === "float64" ? data : Float32Array.from(data), shape);
}

/**
 * `count` distinct rows of Xc, drawn at random, into the first rows of
 * `into`: data rows lean towards the top of the spectrum as Xcᵀ·G does for a
 * random G (half a Krylov step), without a pass over X. (Measured on NIST36,
 * seeds 0–2: the same accuracy as a ±1 start block Xcᵀ·S.)
 */
function sampleRows(
  x: Tensor,
  args: { into: Float64Array; count: number; mean: Tensor | null; rng: Rng },
): void {
  const [n, d] = x.shape;
  const { into, mean } = args;
  const picked = args.rng.permutation(n).subarray(0, args.count);
  picked.forEach((row, i) => {
    for (let c = 0; c < d; c++) into[i * d + c] = x.data[row * d + c] - (mean ? mean.data[c] : 0);
  });
}

/**
 * Makes basis rows `from … from+count−1` (of length d) orthonormal and
 * orthogonal to the rows before them: block classical Gram–Schmidt twice
 * ("twice is enough") against the earlier rows, as two float64 products,
 * then modified Gram–Schmidt inside the block. A row that vanishes (the
 * Krylov space ran out, e.g. for data of low rank) is replaced by a random
 * one.
 */
function orthonormalize(
  basis: Float64Array,
  args: { from: number; count: number; d: number; rng: Rng },
): void {
  const { from, count, d, rng } = args;
  const block = new Tensor(basis.subarray(from * d, (from + count) * d), [count, d]);
  const before = Array.from(
    { length: count },
    (_, i) => norm(basis.subarray((from + i) * d, (from + i + 1) * d)),
  );
  if (from > 0) {
    const earlier = new Tensor(basis.subarray(0, from * d), [from, d]);
    const earlierT = transpose(earlier);
    for (let pass = 0; pass < 2; pass++) {
      noGrad(() => {
        const coefficients = matmul(block, earlierT); // count × from
        const along = matmul(coefficients, earlier).data;
        for (let i = 0; i < along.length; i++) block.data[i] -= along[i];
      });
    }
  }
  for (let r = from; r < from + count; r++) {
    const row = basis.subarray(r * d, (r + 1) * d);
    let scale = before[r - from];
    for (let attempt = 0;; attempt++) {
      // Twice against the rows above, the rows of this block included.
      for (let pass = 0; pass < 2; pass++) {
        for (let q = r - 1; q >= (attempt === 0 ? from : 0); q--) {
          const other = basis.subarray(q * d, (q + 1) * d);
          let dot = 0;
          for (let i = 0; i < d; i++) dot += row[i] * other[i];
          for (let i = 0; i < d; i++) row[i] -= dot * other[i];
        }
      }
      const after = norm(row);
      if (after > DEFLATION * scale && after > 0) {
        for (let i = 0; i < d; i++) row[i] /= after;
        break;
      }
      // Unreachable while rows ≤ d (krylovShape): a random row always keeps a direction.
      if (attempt === 2) throw new InklingError("orthonormalize: no direction left");
      rng.fillNormal(row);
      scale = norm(row);
    }
  }
}

function norm(v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return Math.sqrt(s);
}
