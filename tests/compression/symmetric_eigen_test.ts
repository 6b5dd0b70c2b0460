/**
 * The symmetric eigensolver against an independent brute-force one (cyclic
 * Jacobi rotations, written out here), on random, rank-deficient, repeated
 * and tiny matrices.
 */

import assert from "node:assert/strict";
import { Rng } from "../../mod.ts";
import { symmetricEigen } from "../../compression/symmetric_eigen.ts";
import { jacobiEigenvalues } from "./jacobi.ts";

function randomSymmetric(n: number, rng: Rng): Float64Array {
  const b = new Float64Array(n * n);
  rng.fillNormal(b);
  return Float64Array.from({ length: n * n }, (_, i) => b[i] + b[(i % n) * n + Math.floor(i / n)]);
}

/** B·Bᵀ for a random n×r B: symmetric positive semi-definite of rank r. */
function lowRank(n: number, r: number, rng: Rng): Float64Array {
  const b = new Float64Array(n * r);
  rng.fillNormal(b);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let q = 0; q < r; q++) s += b[i * r + q] * b[j * r + q];
      a[i * n + j] = s;
    }
  }
  return a;
}

/** Checks values against Jacobi, A·v = λ·v and VᵀV = I. */
function checkDecomposition(a: Float64Array, n: number, k: number): void {
  const { values, vectors } = symmetricEigen(a, n, { vectors: k });
  const scale = Math.max(1, ...Array.from(values, Math.abs));
  jacobiEigenvalues(a, n).forEach((v, i) =>
    assert.ok(Math.abs(v - values[i]) < 1e-11 * scale, `value ${i}: ${values[i]} vs Jacobi ${v}`)
  );
  for (let j = 0; j < k; j++) {
    for (let i = 0; i < n; i++) {
      let av = 0;
      for (let c = 0; c < n; c++) av += a[i * n + c] * vectors[c * k + j];
      assert.ok(Math.abs(av - values[j] * vectors[i * k + j]) < 1e-11 * scale, `A·v ${j}`);
    }
    for (let q = 0; q < k; q++) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += vectors[i * k + j] * vectors[i * k + q];
      assert.ok(Math.abs(dot - (j === q ? 1 : 0)) < 1e-12, `vᵀv (${j}, ${q}) = ${dot}`);
    }
  }
}

Deno.test("random symmetric matrices agree with brute-force Jacobi", () => {
  const rng = new Rng(3);
  for (const n of [1, 2, 3, 7, 24]) checkDecomposition(randomSymmetric(n, rng), n, n);
});

Deno.test("rank-deficient matrices: zero eigenvalues, orthonormal vectors past the rank", () => {
  const rng = new Rng(4);
  const n = 30;
  const a = lowRank(n, 6, rng);
  checkDecomposition(a, n, 12);
  const { values } = symmetricEigen(a, n);
  for (let i = 6; i < n; i++) {
    assert.ok(Math.abs(values[i]) < 1e-12 * values[0], `λ${i} ${values[i]}`);
  }
});

Deno.test("repeated eigenvalues and a matrix with zero rows and columns", () => {
  const n = 8;
  // diag(5, 5, 5, 2, 0, 0, 0, 0) rotated by a random orthogonal matrix (from Gram–Schmidt).
  const rng = new Rng(5);
  const q = new Float64Array(n * n);
  rng.fillNormal(q);
  for (let j = 0; j < n; j++) {
    for (let p = 0; p < j; p++) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += q[i * n + j] * q[i * n + p];
      for (let i = 0; i < n; i++) q[i * n + j] -= dot * q[i * n + p];
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += q[i * n + j] ** 2;
    for (let i = 0; i < n; i++) q[i * n + j] /= Math.sqrt(norm);
  }
  const spectrum = [5, 5, 5, 2, 0, 0, 0, 0];
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      for (let m = 0; m < n; m++) a[i * n + j] += q[i * n + m] * spectrum[m] * q[j * n + m];
    }
  }
  checkDecomposition(a, n, n);
  // Zero rows/columns (constant pixels after centring) leave the Householder steps with nothing to do.
  const padded = new Float64Array(100);
  padded[0] = 3;
  padded[2 * 10 + 2] = 1;
  padded[2 * 10 + 5] = padded[5 * 10 + 2] = 2;
  padded[5 * 10 + 5] = 1;
  checkDecomposition(padded, 10, 10);
  assert.deepEqual(
    Array.from(symmetricEigen(padded, 10).values.slice(0, 3), (v) => Math.round(v * 1e9) / 1e9),
    [3, 3, 0],
  );
});

Deno.test("the zero matrix: zero eigenvalues and still an orthonormal basis", () => {
  checkDecomposition(new Float64Array(25), 5, 5);
});

Deno.test("bad arguments fail with clear errors", () => {
  assert.throws(() => symmetricEigen(new Float64Array(5), 2), /not an n×n matrix/);
  assert.throws(() => symmetricEigen(new Float64Array(4), 2, { vectors: 3 }), /cannot compute 3/);
  assert.throws(() => symmetricEigen(Float64Array.of(1, NaN, NaN, 1), 2), /element 1 .* NaN/);
});
