/**
 * Crops, mirrors and resizes of planar image batches: the identity crop
 * changes nothing, mirroring twice is the identity, crops stay inside the
 * image, and a seed gives the same crops every time.
 */

import assert from "node:assert/strict";
import { Rng, Tensor } from "../../mod.ts";
import {
  applyCropFlip,
  drawCropFlip,
  flipImages,
  randomCropFlip,
  resizeImages,
} from "../../finetune/image_augment.ts";

function ramp(n: number, channels: number, size: number): Tensor {
  return new Tensor(Float32Array.from({ length: n * channels * size * size }, (_, i) => i % 251), [
    n,
    channels,
    size,
    size,
  ]);
}

Deno.test("augment: the whole-image crop is the identity; mirroring twice is too", () => {
  const x = ramp(2, 3, 8);
  const identity = { top: 0, left: 0, side: 8, flip: false };
  assert.deepEqual(applyCropFlip(x, [identity, identity]).data, x.data);
  assert.deepEqual(flipImages(flipImages(x)).data, x.data);
  const flipped = flipImages(x);
  assert.equal(flipped.data[0], x.data[7]); // first row reversed
  assert.equal(flipped.data[7], x.data[0]);
});

Deno.test("augment: a crop of the top-left quarter scales it up", () => {
  const x = new Tensor(new Float32Array(16), [1, 1, 4, 4]);
  x.data.set([1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  const y = applyCropFlip(x, [{ top: 0, left: 0, side: 2, flip: false }]);
  assert.ok(y.data.every((v) => Math.abs(v - 1) < 1e-6), `${y.data}`);
});

Deno.test("augment: random crops stay inside the image and repeat with the seed", () => {
  const rng = new Rng(3);
  for (let i = 0; i < 200; i++) {
    const c = drawCropFlip(224, rng, { minScale: 0.8 });
    assert.ok(c.side >= 179 && c.side <= 224 && c.top >= 0 && c.left >= 0);
    assert.ok(c.top + c.side <= 224 && c.left + c.side <= 224);
  }
  const x = ramp(3, 3, 16);
  assert.deepEqual(randomCropFlip(x, new Rng(1)).data, randomCropFlip(x, new Rng(1)).data);
  assert.throws(() => drawCropFlip(8, rng, { minScale: 0 }), /minScale/);
});

Deno.test("augment: resizing keeps constants and applies scale and offset", () => {
  const x = new Tensor(new Float32Array(2 * 3 * 32 * 32).fill(128), [2, 3, 32, 32]);
  const y = resizeImages(x, 8, { scale: 1 / 64, offset: -2 });
  assert.deepEqual(y.shape, [2, 3, 8, 8]);
  assert.ok(y.data.every((v) => Math.abs(v) < 1e-6));
});
