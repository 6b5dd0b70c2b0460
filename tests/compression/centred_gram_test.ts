/**
 * The Krylov method's building blocks: the centred Gram operator (slabbed
 * products with rank-one centring) against C = XcᵀXc formed directly, and
 * the orthonormalisation of a float32 basis, deflation included.
 */

import assert from "node:assert/strict";
import { Rng, Tensor } from "../../mod.ts";
import { applyGram, centredGram } from "../../compression/centred_gram.ts";
import { orthonormalizeRows } from "../../compression/orthonormalize.ts";

Deno.test("applyGram equals XcᵀXc·q over several slabs, centred or not; the trace is Σ of Xc²", () => {
  const [n, d, b] = [1100, 5, 3]; // 1100 rows: three slabs, the last one short
  const rng = new Rng(7);
  const x = new Float64Array(n * d);
  rng.fillNormal(x, { mean: 2 });
  const q = new Float64Array(b * d);
  rng.fillNormal(q);
  for (const center of [true, false]) {
    const gram = centredGram(new Tensor(x, [n, d]), center);
    const mean = Array.from({ length: d }, (_, c) => gram.mean ? gram.mean[c] : 0);
    const xc = (r: number, c: number) => x[r * d + c] - mean[c];
    let trace = 0;
    for (let i = 0; i < n * d; i++) trace += xc(Math.floor(i / d), i % d) ** 2;
    assert.ok(Math.abs(gram.trace - trace) < 1e-12 * trace, `trace ${gram.trace} vs ${trace}`);
    const out = applyGram(gram, q, b);
    for (let i = 0; i < b; i++) {
      for (let c = 0; c < d; c++) {
        let expected = 0;
        for (let r = 0; r < n; r++) {
          let dot = 0;
          for (let j = 0; j < d; j++) dot += xc(r, j) * q[i * d + j];
          expected += xc(r, c) * dot;
        }
        assert.ok(Math.abs(out[i * d + c] - expected) < 1e-9 * n, `(${i}, ${c})`);
      }
    }
  }
});

Deno.test("orthonormalizeRows: a float32 basis orthonormal to float32 rounding, a repeated row replaced", () => {
  const [rows, d] = [12, 40];
  const rng = new Rng(3);
  const basis = new Float32Array(rows * d);
  rng.fillNormal(basis);
  basis.copyWithin(7 * d, 2 * d, 3 * d); // row 7 repeats row 2: nothing of it survives projection
  orthonormalizeRows(basis, { from: 0, count: 4, d, rng });
  orthonormalizeRows(basis, { from: 4, count: 8, d, rng });
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j <= i; j++) {
      let dot = 0;
      for (let c = 0; c < d; c++) dot += basis[i * d + c] * basis[j * d + c];
      assert.ok(Math.abs(dot - (i === j ? 1 : 0)) < 1e-6, `row ${i}·row ${j} = ${dot}`);
    }
  }
});
