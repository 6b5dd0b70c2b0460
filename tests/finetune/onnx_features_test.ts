/**
 * onnxruntime features: the cut SqueezeNet gives [N, 512, 13, 13] maps that
 * match the engine's own trunk; training variants are the image, its mirror
 * and seeded crops; the engine and onnxruntime agree on the probabilities.
 */

import assert from "node:assert/strict";
import { noGrad, Tensor } from "../../mod.ts";
import { readOnnx } from "../../onnx/codec.ts";
import { importOnnx } from "../../onnx/import_onnx.ts";
import { FeatureExtractor, variantCrops, variantFeatures } from "../../finetune/onnx_features.ts";
import { compareWithOnnxRuntime } from "../../finetune/parity.ts";
import { flipImages } from "../../finetune/image_augment.ts";
import { SQUEEZENET_FEATURES } from "../../finetune/networks.ts";
import { fishInput, maxAbsDiff, SQUEEZENET_PATH } from "../onnx/squeezenet_fixture.ts";

const onnx = await readOnnx(SQUEEZENET_PATH);
const fish = await fishInput();

Deno.test("features: onnxruntime's fire9 maps match the engine's and count their images", async () => {
  const extractor = await FeatureExtractor.create(onnx, { source: SQUEEZENET_PATH, threads: 1 });
  try {
    const two = new Tensor(new Float32Array([...fish.data, ...flipImages(fish).data]), [
      2,
      3,
      224,
      224,
    ]);
    const maps = await extractor.features(two);
    assert.deepEqual(maps.shape, [2, 512, 13, 13]);
    assert.equal(extractor.images, 2);
    assert.ok(extractor.imagesPerSecond > 0);
    const engine = noGrad(() =>
      importOnnx(onnx, { output: SQUEEZENET_FEATURES }).eval().forward(two)
    );
    let scale = 0;
    for (const v of engine.data) scale = Math.max(scale, Math.abs(v));
    // float16 inside onnxruntime: relative agreement to the half-precision step
    assert.ok(maxAbsDiff(maps.data, engine.data) < 0.01 * scale, `scale ${scale}`);
    const variants = await variantFeatures(extractor, two, { variants: 2, seed: 0 });
    assert.deepEqual(variants.shape, [4, 512, 13, 13]);
    assert.deepEqual(variants.data.subarray(0, maps.size), maps.data);
  } finally {
    await extractor.release();
  }
});

Deno.test("features: variant 0 is the image, 1 its mirror, the rest seeded crops", () => {
  const crops = variantCrops(3, 4, 5);
  assert.deepEqual(crops[0][0], { top: 0, left: 0, side: 224, flip: false });
  assert.deepEqual(crops[1][2], { top: 0, left: 0, side: 224, flip: true });
  assert.ok(crops[2].every((c) => c.side < 224 || c.top === 0));
  assert.deepEqual(variantCrops(3, 4, 5), crops);
});

Deno.test("parity: the engine and onnxruntime agree on SqueezeNet's probabilities", async () => {
  const parity = await compareWithOnnxRuntime(onnx, fish, { source: SQUEEZENET_PATH });
  assert.equal(parity.images, 1);
  assert.ok(parity.sameTop);
  assert.ok(parity.maxAbs < 5e-3, `max |Δp| ${parity.maxAbs}`);
  assert.ok(parity.engineImagesPerSecond > 0);
});
