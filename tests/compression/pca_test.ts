/**
 * PCA, both methods (block Krylov, and the exact Gram matrix eigen-
 * decomposition): orthonormal components, the residual identity
 * ‖X − X̂‖² = Σ discarded squared singular values, eigenvalues against a
 * brute-force solver and the Krylov method against the exact one, on
 * synthetic data and on a slice of real NIST36-format glyphs (built from the
 * shared UNIPEN data, rank-deficient like the full set).
 */

import assert from "node:assert/strict";
import { matmul, Rng, Tensor, transpose } from "../../mod.ts";
import { buildNist36 } from "../../datasets/builders/mod.ts";
import { loadNist36 } from "../../datasets/nist36.ts";
import {
  discardedEnergy,
  fitPca,
  orthonormalityError,
  type Pca,
  pcaDecode,
  pcaEncode,
  pcaParameterCount,
  pcaReconstruct,
  projectionMatrix,
  projectionRank,
} from "../../compression/pca.ts";
import { jacobiEigenvalues } from "./jacobi.ts";
import { DATA_DIR } from "../shared_data.ts";

const unipenDir = `${DATA_DIR}/unipen-train_r01_v07`;

function squaredDistance(a: Tensor, b: Tensor): number {
  let total = 0;
  for (let i = 0; i < a.size; i++) total += (a.data[i] - b.data[i]) ** 2;
  return total;
}

/** The acceptance checks: orthonormal to 1e-5, residual = discarded energy to 1e-3 relative. */
function checkIdentities(x: Tensor, pca: Pca): void {
  assert.ok(orthonormalityError(pca) < 1e-5, `max |VᵀV − I| = ${orthonormalityError(pca)}`);
  const residual = squaredDistance(x, pcaReconstruct(pca, x.clone({ dtype: "float64" })));
  const discarded = discardedEnergy(pca);
  assert.ok(
    Math.abs(residual - discarded) <= 1e-3 * discarded,
    `residual ${residual} vs discarded ${discarded}`,
  );
}

/** N×D data near a 3-dimensional affine subspace plus small noise, with two constant columns. */
function synthetic(n: number, d: number, seed: number): Tensor {
  const rng = new Rng(seed);
  const basis = new Float64Array(3 * d);
  rng.fillNormal(basis);
  const x = new Float64Array(n * d);
  for (let r = 0; r < n; r++) {
    const code = [rng.normal(), rng.normal() * 0.5, rng.normal() * 0.25];
    for (let c = 0; c < d; c++) {
      let v = 2 + 0.01 * rng.normal();
      for (let q = 0; q < 3; q++) v += code[q] * basis[q * d + c];
      x[r * d + c] = c < 2 ? 1 : v;
    }
  }
  return new Tensor(x, [n, d]);
}

Deno.test("synthetic data: eigenvalues match brute-force Jacobi on XᵀX, the identities hold, 3 components carry it", () => {
  const x = synthetic(200, 12, 1);
  for (const center of [true, false]) {
    const pca = fitPca(x, { components: 4, center });
    // Brute force: every eigenvalue of the float64 Gram matrix formed directly.
    const xc = center
      ? new Tensor(
        Float64Array.from(x.data, (v, i) => v - pca.mean!.data[i % 12]),
        x.shape,
      )
      : x;
    const reference = jacobiEigenvalues(matmul(transpose(xc), xc).data as Float64Array, 12);
    pca.eigenvalues.forEach((v, i) =>
      assert.ok(Math.abs(v - reference[i]) < 1e-9 * reference[0], `λ${i}`)
    );
    checkIdentities(x, pca);
    assert.equal(pca.rank, center ? 10 : 11, "two constant columns: rank D − 2 (+1 uncentred)");
    // The Krylov method, forced on data this small, spans the whole space: the same numbers.
    const krylov = fitPca(x, { components: 4, center, method: "krylov" });
    krylov.eigenvalues.forEach((v, i) =>
      assert.ok(Math.abs(v - reference[i]) < 1e-9 * reference[0], `Krylov λ${i}`)
    );
    assert.equal(krylov.eigenvalues.length, 4);
    assert.equal(krylov.rank, undefined, "the Krylov method does not see the whole spectrum");
    checkIdentities(x, krylov);
  }
  const three = fitPca(x, { components: 3 });
  const residual = squaredDistance(x, pcaReconstruct(three, x));
  assert.ok(residual < 0.01 * discardedEnergy(fitPca(x, { components: 1 })), `${residual}`);
});

Deno.test("all components reconstruct exactly; the projection matrix is D×D of rank k", () => {
  const x = synthetic(50, 10, 2);
  const full = fitPca(x, { components: 10, center: false });
  assert.ok(squaredDistance(x, pcaReconstruct(full, x)) < 1e-18 * 50 * 10 * 4);
  const pca = fitPca(x, { components: 3 });
  const p = projectionMatrix(pca);
  assert.deepEqual(p.shape, [10, 10]);
  assert.equal(projectionRank(pca), 3);
  // P is a symmetric idempotent: P·P = P.
  const pp = matmul(p, p);
  assert.ok(squaredDistance(pp, p) < 1e-24);
  assert.equal(pcaParameterCount(pca), 10 * 3 + 10);
  assert.equal(pcaParameterCount(fitPca(x, { components: 3, center: false })), 30);
  // Codes are [N, k]; decode(encode(x)) is the reconstruction.
  const codes = pcaEncode(pca, x);
  assert.deepEqual(codes.shape, [50, 3]);
  assert.ok(squaredDistance(pcaDecode(pca, codes), pcaReconstruct(pca, x)) === 0);
});

Deno.test("identical images: rank 0 once centred, and the mean reconstructs them exactly", () => {
  const x = new Tensor(new Float32Array(5 * 4).fill(0.5), [5, 4]);
  const pca = fitPca(x, { components: 2 });
  assert.equal(pca.rank, 0);
  checkIdentities(x, pca);
  assert.deepEqual(Array.from(pcaReconstruct(pca, x).data), Array(20).fill(0.5));
  // Krylov: the data leave no direction, so every basis vector is a random refill.
  const krylov = fitPca(x, { components: 2, method: "krylov" });
  checkIdentities(x, krylov);
  assert.deepEqual(Array.from(pcaReconstruct(krylov, x).data), Array(20).fill(0.5));
});

Deno.test("bad shapes fail with clear errors", () => {
  const x = synthetic(20, 6, 3);
  assert.throws(() => fitPca(x, { components: 7 }), /cannot keep 7 components .* \[20, 6\]/);
  assert.throws(() => fitPca(x, { components: 0 }), /cannot keep 0 components/);
  const pca = fitPca(x, { components: 2 });
  assert.throws(
    () => pcaEncode(pca, synthetic(4, 5, 0)),
    /pcaEncode: needs \[N, 6\] data, got \[4, 5\]/,
  );
  assert.throws(() => pcaDecode(pca, x), /pcaDecode: needs \[N, 2\] codes/);
});

/** N×D data with covariance eigenvalues 0.85ⁱ (a slowly decaying spectrum) along random axes. */
function decaying(n: number, d: number, seed: number): Tensor {
  const rng = new Rng(seed);
  const axes = new Float64Array(d * d);
  rng.fillNormal(axes); // random, nearly orthogonal directions for d this size
  const x = new Float64Array(n * d);
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < d; i++) {
      const code = rng.normal() * 0.85 ** (i / 2);
      for (let c = 0; c < d; c++) x[r * d + c] += code * axes[i * d + c] / Math.sqrt(d);
    }
  }
  return new Tensor(x, [n, d]);
}

Deno.test("Krylov method: close to the exact one, the same for the same seed, the whole space for k near D", () => {
  const x = decaying(400, 96, 4);
  const exact = fitPca(x, { components: 8, method: "exact" });
  const fit = (seed: number) => fitPca(x, { components: 8, seed });
  const krylov = fit(0);
  assert.equal(krylov.rank, undefined, "auto picks Krylov for k = 8 of D = 96");
  checkIdentities(x, krylov);
  const discarded = discardedEnergy(exact);
  assert.ok(Math.abs(discardedEnergy(krylov) - discarded) <= 1e-6 * discarded);
  krylov.eigenvalues.forEach((v, i) =>
    assert.ok(Math.abs(v - exact.eigenvalues[i]) <= 1e-6 * exact.eigenvalues[i], `λ${i}`)
  );
  assert.deepEqual(fit(0).components.data, krylov.components.data, "a seed repeats exactly");
  assert.notDeepEqual(fit(1).components.data, krylov.components.data, "another seed differs");
  // k = D: one block spanning everything; every image reconstructs.
  const full = fitPca(x, { components: 96, method: "krylov", center: false });
  assert.ok(squaredDistance(x, pcaReconstruct(full, x)) < 1e-20 * x.size);
  assert.ok(orthonormalityError(full) < 1e-12);
});

Deno.test("real glyphs (a UNIPEN-built NIST36 slice): identities hold in float32, border pixels cut the rank", async () => {
  await Deno.stat(unipenDir).catch(() => {
    throw new Error(`shared data missing: ${unipenDir} (set INKLING_DATA_DIR)`);
  });
  const dir = await Deno.makeTempDir();
  try {
    await buildNist36({
      unipenDir,
      outDir: dir,
      seed: 0,
      perClass: { train: 30, valid: 1, test: 1 },
    });
    const { train } = await loadNist36(dir, { splits: ["train"] });
    assert.deepEqual(train.x.shape, [1080, 1024]);
    assert.equal(train.x.dtype, "float32");
    for (const center of [true, false]) {
      const pca = fitPca(train.x, { components: 32, center }); // the Krylov method
      checkIdentities(train.x, pca);
      for (let i = 1; i < 32; i++) assert.ok(pca.eigenvalues[i] <= pca.eigenvalues[i - 1]);
      const exact = fitPca(train.x, { components: 32, center, method: "exact" });
      checkIdentities(train.x, exact);
      assert.ok(exact.rank! < 1024, `rank ${exact.rank}: constant white border pixels`);
      // Measured: discarded energy within 3.5e-5, eigenvalues within 1.8e-4 (seeds 0–3).
      const discarded = discardedEnergy(exact);
      assert.ok(Math.abs(discardedEnergy(pca) - discarded) <= 3e-4 * discarded);
      pca.eigenvalues.forEach((v, i) =>
        assert.ok(Math.abs(v - exact.eigenvalues[i]) <= 2e-3 * exact.eigenvalues[i], `λ${i}`)
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
