/**
 * Orthonormalisation of a growing basis (the rows of a flat array), as the
 * block Krylov method needs it: a new block of rows made orthonormal and
 * orthogonal to every row before it, in the basis' own dtype. The projection
 * on the earlier rows is two gemms (a float32 basis runs them on the
 * engine's fast kernels; float64 ones would fall back to the plain
 * TypeScript gemm), and only the few rows inside the block are handled one
 * by one.
 *
 * @module
 */

import { InklingError, type Rng, type Storage } from "../autograd/mod.ts";
import { kernels } from "../autograd/kernels/mod.ts";

/**
 * A row that keeps less than this fraction of its norm after projection is
 * replaced by a random one (deflation). Well above each dtype's rounding
 * (float32 6e-8, float64 1e-16), so that the second projection pass always
 * leaves the row orthogonal to rounding level ("twice is enough").
 */
const DEFLATION = { float32: 1e-4, float64: 1e-6 };

/**
 * Makes basis rows `from … from+count−1` (of length d) orthonormal and
 * orthogonal to the rows before them: block classical Gram–Schmidt twice
 * against the earlier rows, as gemms, then modified Gram–Schmidt (twice)
 * inside the block. A row that vanishes (the Krylov space ran out, e.g. for
 * data of low rank) is replaced by a random one.
 */
export function orthonormalizeRows(
  basis: Storage,
  args: { from: number; count: number; d: number; rng: Rng },
): void {
  const { from, count, d, rng } = args;
  const deflation = basis instanceof Float64Array ? DEFLATION.float64 : DEFLATION.float32;
  const block = basis.subarray(from * d, (from + count) * d);
  const before = Array.from(
    { length: count },
    (_, i) => norm(block.subarray(i * d, (i + 1) * d)),
  );
  if (from > 0) {
    const earlier = basis.subarray(0, from * d);
    const coefficients = basis instanceof Float64Array
      ? new Float64Array(count * from)
      : new Float32Array(count * from);
    const gemm = kernels().gemm;
    for (let pass = 0; pass < 2; pass++) {
      // block −= (block·earlierᵀ)·earlier, the subtraction as an accumulating gemm.
      gemm({ a: block, b: earlier, c: coefficients, m: count, n: from, k: d, transB: true });
      for (let i = 0; i < coefficients.length; i++) coefficients[i] = -coefficients[i];
      gemm({ a: coefficients, b: earlier, c: block, m: count, n: d, k: from, accumulate: true });
    }
  }
  for (let r = from; r < from + count; r++) {
    const row = basis.subarray(r * d, (r + 1) * d);
    let scale = before[r - from];
    for (let attempt = 0;; attempt++) {
      // Twice against the rows above: of this block, or all of them for a random refill.
      for (let pass = 0; pass < 2; pass++) {
        for (let q = r - 1; q >= (attempt === 0 ? from : 0); q--) {
          const other = basis.subarray(q * d, (q + 1) * d);
          let dot = 0;
          for (let i = 0; i < d; i++) dot += row[i] * other[i];
          for (let i = 0; i < d; i++) row[i] -= dot * other[i];
        }
      }
      const after = norm(row);
      if (after > deflation * scale && after > 0) {
        for (let i = 0; i < d; i++) row[i] /= after;
        break;
      }
      // Unreachable while rows ≤ d (krylovShape): a random row always keeps a direction.
      if (attempt === 2) throw new InklingError("orthonormalizeRows: no direction left");
      rng.fillNormal(row);
      scale = norm(row);
    }
  }
}

/** Euclidean norm, summed in float64. */
export function norm(v: Storage): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return Math.sqrt(s);
}
