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
 * products, is itself only good to about 1e-5 there. (The errors above are
 * against the exact method on float64 data, and are the same with the
 * float32 basis used since; the float32 exact method is within 1.5e-7 of
 * it.) Steps matter more than block width: b = 20, s = 6 gives 2.5e-6 to
 * 3.3e-6 (worst eigenvalue 4.7e-5) and b = 16, s = 7 2.7e-6 to 3.9e-6, for
 * 5–15% more CPU time; b = 32, s = 4 only 5e-5 and b = 40, s = 3 7e-4.
 *
 * Cost, measured in CPU time on NIST36 (k = 32) at b = 24, s = 5 (OpenBLAS
 * / WebAssembly): the five C·Q products 91 / 215 ms (centred_gram.ts reads
 * X once per product), column statistics 7 / 7 ms, orthonormalisation of
 * the float32 basis 9 / 8 ms, Rayleigh–Ritz 5 / 5 ms; about 115 / 240 ms in
 * all. A float64 basis cost 15 ms more, in float64 products that run on the
 * plain TypeScript gemm.
 *
 * @module
 */

import { Rng, type Storage, Tensor } from "../autograd/mod.ts";
import { kernels } from "../autograd/kernels/mod.ts";
import { applyGram, centredGram } from "./centred_gram.ts";
import { norm, orthonormalizeRows } from "./orthonormalize.ts";
import { symmetricEigen } from "./symmetric_eigen.ts";

/** Krylov steps (blocks of the basis): 5 reach the accuracy above; each costs one slab pass over X. */
const STEPS = 5;

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
 * Krylov method above. The products, the basis and its orthonormalisation
 * run in x's dtype on the engine's gemm; the Rayleigh–Ritz step in float64.
 * Deterministic for a given `seed` (and backend). `block` and `steps`
 * override {@linkcode krylovShape} (for measurements).
 */
export function topGramEigenpairs(
  x: Tensor,
  options: { k: number; center: boolean; seed?: number; block?: number; steps?: number },
): TopEigenpairs & { mean: Tensor | null } {
  const d = x.shape[1];
  const { k } = options;
  const shape = krylovShape(k, d);
  const block = options.block ?? shape.block;
  const steps = options.steps ?? shape.steps;
  const dim = block * steps;
  const rng = new Rng(options.seed ?? 0);
  const gram = centredGram(x, options.center);
  const make = (size: number) =>
    x.dtype === "float64" ? new Float64Array(size) : new Float32Array(size);
  const basis = make(dim * d); // rows: orthonormal basis vectors
  const images = make(dim * d); // rows: C times each basis vector
  sampleRows(x, { into: basis, count: block, mean: gram.mean, rng });
  orthonormalizeRows(basis, { from: 0, count: block, d, rng });
  for (let step = 0; step < steps; step++) {
    const from = step * block;
    const image = applyGram(gram, basis.subarray(from * d, (from + block) * d), block);
    images.set(image, from * d);
    if (step + 1 === steps) break;
    basis.set(image, (from + block) * d);
    orthonormalizeRows(basis, { from: from + block, count: block, d, rng });
  }
  const gemm = kernels().gemm;
  // T = Q·(images)ᵀ, Tᵢⱼ = qᵢ·C·qⱼ; only its lower triangle is read (the exact T is symmetric).
  const t = make(dim * dim);
  gemm({ a: basis, b: images, c: t, m: dim, n: dim, k: d, transB: true });
  const ritz = symmetricEigen(Float64Array.from(t), dim, { vectors: k });
  // Ritz vectors Qᵀ·Y, then one Gram–Schmidt pass in float64: a float32 basis is
  // orthonormal to ~1e-7 only, and the components are promised orthonormal to rounding.
  const product = make(d * k);
  const y = x.dtype === "float64" ? ritz.vectors : Float32Array.from(ritz.vectors);
  gemm({ a: basis, b: y, c: product, m: d, n: k, k: dim, transA: true });
  const vectors = orthonormalColumns(Float64Array.from(product), d, k);
  const mean = gram.mean ? new Tensor(gram.mean, [d]) : null;
  return { values: ritz.values.slice(0, k), vectors, trace: gram.trace, mean };
}

/**
 * `count` distinct rows of Xc, drawn at random, into the first rows of
 * `into`: data rows lean towards the top of the spectrum as Xcᵀ·G does for a
 * random G (half a Krylov step), without a pass over X. (Measured on NIST36,
 * seeds 0–2: the same accuracy as a ±1 start block Xcᵀ·S.)
 */
function sampleRows(
  x: Tensor,
  args: { into: Storage; count: number; mean: Storage | null; rng: Rng },
): void {
  const [n, d] = x.shape;
  const { into, mean } = args;
  const picked = args.rng.permutation(n).subarray(0, args.count);
  picked.forEach((row, i) => {
    for (let c = 0; c < d; c++) into[i * d + c] = x.data[row * d + c] - (mean ? mean[c] : 0);
  });
}

/**
 * The d×k row-major `v`, its columns made orthonormal in place by one pass
 * of modified Gram–Schmidt (enough for columns already orthonormal to ~1e-7).
 */
function orthonormalColumns(v: Float64Array, d: number, k: number): Float64Array {
  const column = new Float64Array(d);
  const columns = Array.from({ length: k }, () => new Float64Array(d));
  for (let j = 0; j < k; j++) {
    for (let i = 0; i < d; i++) column[i] = v[i * k + j];
    for (let q = 0; q < j; q++) {
      const other = columns[q];
      let dot = 0;
      for (let i = 0; i < d; i++) dot += column[i] * other[i];
      for (let i = 0; i < d; i++) column[i] -= dot * other[i];
    }
    const size = norm(column);
    for (let i = 0; i < d; i++) columns[j][i] = column[i] / size;
  }
  for (let j = 0; j < k; j++) {
    for (let i = 0; i < d; i++) v[i * k + j] = columns[j][i];
  }
  return v;
}
