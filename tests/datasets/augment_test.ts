/** Glyph augmentation: whole-pixel shifts, affine jitter and elastic distortion fields. */

import assert from "node:assert/strict";
import { Rng, ShapeError, Tensor } from "../../mod.ts";
import { jitterGlyphs, shiftGlyphs } from "../../datasets/augment.ts";
import { elasticField } from "../../datasets/elastic.ts";

const SIZE = 16;

/** Two 16×16 glyphs: a vertical bar and a box outline, dark ink (0) on white (1). */
function glyphs(): Tensor {
  const x = new Float32Array(2 * SIZE * SIZE).fill(1);
  for (let r = 4; r < 12; r++) {
    x[r * SIZE + 7] = 0;
    for (const c of [4, 11]) x[SIZE * SIZE + r * SIZE + c] = 0;
    x[SIZE * SIZE + 4 * SIZE + r] = 0;
    x[SIZE * SIZE + 11 * SIZE + r] = 0;
  }
  return new Tensor(x, [2, SIZE * SIZE]);
}

const ink = (data: ArrayLike<number>) => Array.from(data).reduce((s, v) => s + (1 - v), 0);

Deno.test("shiftGlyphs moves each glyph by whole pixels and fills with paper", () => {
  const x = glyphs();
  const shifted = shiftGlyphs(x, new Rng(3), { size: SIZE, maxShift: 2 });
  assert.deepEqual(shifted.shape, x.shape);
  // The glyphs sit 4 px from every edge, so a ±2 px shift keeps all their ink.
  assert.equal(ink(shifted.data), ink(x.data));
  assert.deepEqual(shiftGlyphs(x, new Rng(3), { size: SIZE, maxShift: 0 }).data, x.data);
  assert.throws(() => shiftGlyphs(x, new Rng(0), { size: 15, maxShift: 1 }), ShapeError);
});

Deno.test("jitterGlyphs: zero ranges are the identity; jitter keeps most ink; seeded", () => {
  const x = glyphs();
  const none = { size: SIZE, maxShift: 0, maxScale: 0, maxRotation: 0, maxShear: 0 };
  assert.deepEqual(jitterGlyphs(x, new Rng(1), none).data, x.data);
  const options = { size: SIZE, maxShift: 1.5, maxScale: 0.1, maxRotation: 0.15, maxShear: 0.2 };
  const a = jitterGlyphs(x, new Rng(5), options);
  assert.deepEqual(jitterGlyphs(x, new Rng(5), options).data, a.data);
  assert.notDeepEqual(a.data, x.data);
  const ratio = ink(a.data) / ink(x.data);
  assert.ok(ratio > 0.75 && ratio < 1.3, `ink ratio ${ratio}`);
});

Deno.test("elasticField: bounded, smooth, seeded; elastic jitter bends glyphs without losing them", () => {
  const options = { size: SIZE, maxDisplacement: 2, sigma: 3 };
  const { dx, dy } = elasticField(new Rng(7), options);
  for (const field of [dx, dy]) {
    const largest = Math.max(...Array.from(field, Math.abs));
    assert.ok(Math.abs(largest - 2) < 1e-5, `largest |d| ${largest}`);
    // Neighbours move together: the steps between adjacent pixels are a small part of the range.
    let step = 0;
    for (let r = 0; r < SIZE; r++) {
      for (let c = 1; c < SIZE; c++) {
        step = Math.max(step, Math.abs(field[r * SIZE + c] - field[r * SIZE + c - 1]));
      }
    }
    assert.ok(step < 1, `largest step between neighbours ${step}`);
  }
  assert.deepEqual(elasticField(new Rng(7), options).dx, dx);
  const x = glyphs();
  const affine = { size: SIZE, maxShift: 0, maxScale: 0, maxRotation: 0, maxShear: 0 };
  const bent = jitterGlyphs(x, new Rng(2), {
    ...affine,
    elastic: { maxDisplacement: 1.5, sigma: 3 },
  });
  assert.notDeepEqual(bent.data, x.data);
  const ratio = ink(bent.data) / ink(x.data);
  assert.ok(ratio > 0.75 && ratio < 1.3, `ink ratio ${ratio}`);
  // Without `elastic` no field is drawn: the random stream of plain jitter is unchanged.
  const rng = new Rng(4);
  jitterGlyphs(x, rng, affine);
  const after = rng.uniform();
  const fresh = new Rng(4);
  for (let i = 0; i < 2 * 5; i++) fresh.uniform();
  assert.equal(after, fresh.uniform());
});
