/** PSNR: the formula on hand-computed images, per image and averaged; bad input fails clearly. */

import assert from "node:assert/strict";
import { tensor } from "../../mod.ts";
import { meanPsnr, psnrPerImage } from "../../compression/psnr.ts";

Deno.test("psnrPerImage follows 20·log10(MAX) − 10·log10(MSE) row by row", () => {
  const original = tensor([[0, 0, 1, 1], [0.5, 0.5, 0.5, 0.5]]);
  // Row 0: every pixel off by 0.1 → MSE 0.01 → 20 dB. Row 1: one pixel off by 0.5 → MSE 1/16.
  const reconstruction = tensor([[0.1, 0.1, 0.9, 0.9], [0.5, 0.5, 0.5, 1]]);
  const values = psnrPerImage(original, reconstruction);
  assert.ok(Math.abs(values[0] - 20) < 1e-5, `row 0: ${values[0]}`);
  assert.ok(Math.abs(values[1] - 10 * Math.log10(16)) < 1e-5, `row 1: ${values[1]}`);
  const mean = meanPsnr(original, reconstruction);
  assert.ok(Math.abs(mean - (values[0] + values[1]) / 2) < 1e-12);
});

Deno.test("MAX scales the peak: 8-bit images at MAX 255 give the same dB as [0, 1] images", () => {
  const a = tensor([[0, 255, 128, 64]], { dtype: "float64" });
  const b = tensor([[10, 250, 120, 70]], { dtype: "float64" });
  const scaled = (t: typeof a) =>
    tensor([Array.from(t.data, (v) => v / 255)], { dtype: "float64" });
  const at255 = psnrPerImage(a, b, { max: 255 })[0];
  const at1 = psnrPerImage(scaled(a), scaled(b))[0];
  assert.ok(Math.abs(at255 - at1) < 1e-9, `${at255} vs ${at1}`);
  // MSE = (100 + 25 + 64 + 36) / 4 = 56.25.
  assert.ok(Math.abs(at255 - (20 * Math.log10(255) - 10 * Math.log10(56.25))) < 1e-9);
});

Deno.test("an exact reconstruction is +Infinity dB", () => {
  const x = tensor([[0.2, 0.4]]);
  assert.equal(psnrPerImage(x, x)[0], Infinity);
});

Deno.test("mismatched shapes and a bad MAX fail with clear errors", () => {
  assert.throws(
    () => psnrPerImage(tensor([[1, 2]]), tensor([[1, 2, 3]])),
    /psnr: original \[1, 2\]/,
  );
  assert.throws(() => psnrPerImage(tensor([1, 2]), tensor([1, 2])), /not the same \[N, P\] images/);
  assert.throws(() => psnrPerImage(tensor([[1]]), tensor([[1]]), { max: 0 }), /max must be/);
});
