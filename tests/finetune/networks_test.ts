/**
 * The three networks: the new head maps SqueezeNet features to 17 scores
 * and starts small, the fine-tuning network is the imported trunk plus the
 * head, and the scratch CNN maps 64 px images to 17 scores.
 */

import assert from "node:assert/strict";
import { noGrad, Rng, Tensor } from "../../mod.ts";
import { readOnnx } from "../../onnx/codec.ts";
import {
  createFineTuneNetwork,
  createHead,
  createScratchCnn,
  HEAD_INIT_STD,
} from "../../finetune/networks.ts";
import { SQUEEZENET_PATH } from "../onnx/squeezenet_fixture.ts";

Deno.test("networks: the head maps [N, 512, 13, 13] to [N, 17] non-negative scores", () => {
  const head = createHead(17, { rng: new Rng(0) }).eval();
  assert.equal(head.parameterCount(), 512 * 17 + 17);
  const x = new Tensor(new Float32Array(2 * 512 * 169).fill(1), [2, 512, 13, 13]);
  const y = noGrad(() => head.forward(x));
  assert.deepEqual(y.shape, [2, 17]);
  assert.ok(y.data.every((v) => v >= 0));
  const w = head.parameters()[0].data;
  const std = Math.sqrt(Array.from(w).reduce((s, v) => s + v * v, 0) / w.length);
  assert.ok(Math.abs(std - HEAD_INIT_STD) < 0.002, `std ${std}`);
});

Deno.test("networks: fine-tuning network = imported trunk (all trainable) + head", async () => {
  const head = createHead(17, { rng: new Rng(0) });
  const { model, trunk } = createFineTuneNetwork(await readOnnx(SQUEEZENET_PATH), head);
  assert.equal(model.parameterCount(), trunk.parameterCount() + head.parameterCount());
  assert.ok(trunk.parameterCount() > 700_000);
  const y = noGrad(() =>
    model.eval().forward(new Tensor(new Float32Array(3 * 224 * 224), [1, 3, 224, 224]))
  );
  assert.deepEqual(y.shape, [1, 17]);
});

Deno.test("networks: the scratch CNN is three conv layers and two fully connected layers", () => {
  const architecture = {
    size: 64,
    channels: [8, 16, 32] as [number, number, number],
    hidden: 24,
    dropout: 0.5,
    classes: 17,
  };
  const net = createScratchCnn(architecture, { rng: new Rng(0) });
  const kinds = net.layers.map((l) => l.constructor.name);
  assert.equal(kinds.filter((k) => k === "Conv2d").length, 3);
  assert.equal(kinds.filter((k) => k === "Linear").length, 2);
  const y = noGrad(() =>
    net.eval().forward(new Tensor(new Float32Array(2 * 3 * 64 * 64), [2, 3, 64, 64]))
  );
  assert.deepEqual(y.shape, [2, 17]);
});
