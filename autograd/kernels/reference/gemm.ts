/**
 * Matrix product of the reference backend, in plain TypeScript.
 *
 * Two loop shapes cover the four transpose combinations, each chosen so the
 * innermost loop reads memory contiguously:
 * - B as stored (k×n): i-k-j order, streaming rows of B into a row of C
 *   (A is only read one scalar at a time, so its layout does not matter);
 * - B transposed (stored n×k): i-j-k dot products between a row of A and a
 *   stored row of B; when A is transposed too, its column is first copied
 *   into a contiguous buffer.
 * Both unroll by four (four rows of B, or four dot products) so each load of
 * C or of A's row is shared by four multiply-adds.
 *
 * @module
 */

import type { GemmArgs, Storage } from "../kernels.ts";

/** C (m×n) = op(A)·op(B), or C += op(A)·op(B) with `accumulate`; see {@linkcode GemmArgs}. */
export function gemm(args: GemmArgs): void {
  const { c, m, n, k } = args;
  if (m === 0 || n === 0) return;
  if (k === 0) {
    // An empty sum: the product is all zeros.
    if (!args.accumulate) c.fill(0, 0, m * n);
    return;
  }
  if (args.transB) gemmDots(args);
  else gemmRowStream(args);
}

/** B stored k×n: for each row i of C, add A[i,p]·(row p of B) for every p. */
function gemmRowStream(args: GemmArgs): void {
  const { a, b, c, m, n, k } = args;
  // A[i, p] lives at a[i·rowStep + p·colStep] whether or not A is transposed.
  const rowStep = args.transA ? 1 : k;
  const colStep = args.transA ? m : 1;
  for (let i = 0; i < m; i++) {
    const ci = i * n;
    const cEnd = ci + n;
    if (!args.accumulate) c.fill(0, ci, cEnd);
    const ai = i * rowStep;
    let p = 0;
    for (; p + 4 <= k; p += 4) {
      const a0 = a[ai + p * colStep];
      const a1 = a[ai + (p + 1) * colStep];
      const a2 = a[ai + (p + 2) * colStep];
      const a3 = a[ai + (p + 3) * colStep];
      // b0..b3 run along four consecutive rows of B in step with j.
      let b0 = p * n;
      let b1 = b0 + n;
      let b2 = b1 + n;
      let b3 = b2 + n;
      for (let j = ci; j < cEnd; j++, b0++, b1++, b2++, b3++) {
        c[j] += a0 * b[b0] + a1 * b[b1] + a2 * b[b2] + a3 * b[b3];
      }
    }
    for (; p < k; p++) {
      const a0 = a[ai + p * colStep];
      let b0 = p * n;
      for (let j = ci; j < cEnd; j++, b0++) c[j] += a0 * b[b0];
    }
  }
}

/** B stored n×k: C[i, j] is the dot product of row i of A with stored row j of B. */
function gemmDots(args: GemmArgs): void {
  const { a, b, c, m, n, k } = args;
  const acc = args.accumulate === true;
  // Column i of a transposed A is strided by m; copy it once per i so the k-long
  // inner loops read contiguous memory (the copy is amortised over n dot products).
  const column: Storage | null = args.transA ? new (a.constructor as typeof Float64Array)(k) : null;
  for (let i = 0; i < m; i++) {
    let row: Storage = a;
    let ai = i * k;
    if (column !== null) {
      for (let p = 0, q = i; p < k; p++, q += m) column[p] = a[q];
      row = column;
      ai = 0;
    }
    const ci = i * n;
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const b0 = j * k;
      const b1 = b0 + k;
      const b2 = b1 + k;
      const b3 = b2 + k;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let p = 0; p < k; p++) {
        const v = row[ai + p];
        s0 += v * b[b0 + p];
        s1 += v * b[b1 + p];
        s2 += v * b[b2 + p];
        s3 += v * b[b3 + p];
      }
      c[ci + j] = acc ? c[ci + j] + s0 : s0;
      c[ci + j + 1] = acc ? c[ci + j + 1] + s1 : s1;
      c[ci + j + 2] = acc ? c[ci + j + 2] + s2 : s2;
      c[ci + j + 3] = acc ? c[ci + j + 3] + s3 : s3;
    }
    for (; j < n; j++) {
      const b0 = j * k;
      let s = 0;
      for (let p = 0; p < k; p++) s += row[ai + p] * b[b0 + p];
      c[ci + j] = acc ? c[ci + j] + s : s;
    }
  }
}
