/**
 * The layers of imported graphs, through the one op/layer helper on every
 * backend: ceil-mode and asymmetric max pooling, ONNX Softmax (both
 * meanings), Flatten and Reshape, a whole branching graph, and a slice of
 * SqueezeNet itself (its first convolution, pooling and squeeze layer).
 */

import assert from "node:assert/strict";
import { noGrad, Tensor } from "../../mod.ts";
import { readOnnx } from "../../onnx/codec.ts";
import { OnnxFlatten, OnnxSoftmax, PaddedMaxPool2d, Reshape } from "../../onnx/graph_layers.ts";
import { importOnnx } from "../../onnx/import_onnx.ts";
import { cutOnnx } from "../../onnx/surgery.ts";
import { checkLayer } from "../autograd/op_check.ts";
import { branchingModel } from "./onnx_graphs.ts";
import { SQUEEZENET_PATH } from "./squeezenet_fixture.ts";

Deno.test("PaddedMaxPool2d: ceil mode and asymmetric pads on every backend", () => {
  checkLayer({
    name: "PaddedMaxPool2d ceil 3/2",
    layer: () => new PaddedMaxPool2d(3, { stride: 2, pads: [0, 0, 0, 0], ceilMode: true }),
    input: { shape: [2, 3, 6, 6], domain: "distinct" },
  });
  checkLayer({
    name: "PaddedMaxPool2d pads [1,0,2,1]",
    layer: () => new PaddedMaxPool2d(3, { stride: 2, pads: [1, 0, 2, 1], ceilMode: false }),
    input: { shape: [1, 2, 5, 7], domain: "distinct" },
  });
});

Deno.test("PaddedMaxPool2d: output extents follow ONNX (ceil, and the last window starts inside)", () => {
  const shape = (h: number, k: number, s: number, pads: [number, number, number, number]) =>
    new PaddedMaxPool2d(k, { stride: s, pads, ceilMode: true })
      .forward(new Tensor(new Float32Array(h * h), [1, 1, h, h])).shape;
  assert.deepEqual(shape(6, 3, 2, [0, 0, 0, 0]), [1, 1, 3, 3]); // floor would give 2
  // ceil(5 / 2) + 1 = 4, but a 4th window would start at 6, past the input and its leading pad
  assert.deepEqual(shape(5, 2, 2, [1, 1, 1, 1]), [1, 1, 3, 3]);
  assert.deepEqual(shape(4, 2, 2, [1, 1, 1, 1]), [1, 1, 3, 3]); // ceil(4/2)+1 = 3
});

Deno.test("OnnxSoftmax, OnnxFlatten, Reshape on every backend", () => {
  checkLayer({
    name: "OnnxSoftmax legacy axis 1",
    layer: () => new OnnxSoftmax(1, { legacy: true }),
    input: { shape: [2, 3, 2, 2] },
  });
  checkLayer({
    name: "OnnxSoftmax axis 1",
    layer: () => new OnnxSoftmax(1, { legacy: false }),
    input: { shape: [2, 3, 2] },
  });
  checkLayer({
    name: "OnnxFlatten axis 2",
    layer: () => new OnnxFlatten(2),
    input: { shape: [2, 3, 2, 2] },
  });
  checkLayer({
    name: "Reshape [0, -1, 1, 1]",
    layer: () => new Reshape([0, -1, 1, 1]),
    input: { shape: [2, 6] },
  });
});

Deno.test("an imported branching graph (conv, concat, ceil pool, softmax) on every backend", () => {
  for (const opset of [7, 13]) {
    checkLayer({
      name: `branching graph, opset ${opset}`,
      layer: ({ dtype }) => importOnnx(branchingModel({ opset }), { dtype }),
      input: { shape: [1, 2, 7, 7] },
    });
  }
});

Deno.test("a slice of SqueezeNet gradchecks on every backend (conv1 → pool1 → fire2 squeeze)", async () => {
  const slice = cutOnnx(await readOnnx(SQUEEZENET_PATH), "fire2/squeeze1x1_2");
  const probe = importOnnx(slice);
  assert.equal(probe.steps.length, 5);
  assert.equal(probe.parameterCount(), 64 * 27 + 64 + 16 * 64 + 16);
  checkLayer({
    name: "SqueezeNet conv1..fire2/squeeze1x1",
    layer: ({ dtype }) => importOnnx(slice, { dtype }),
    input: { shape: [1, 3, 9, 9] },
  });
  // The slice is a plain network: a step of SGD changes its output.
  const x = new Tensor(Float32Array.from({ length: 243 }, (_, i) => (i % 17) / 17), [1, 3, 9, 9]);
  const before = noGrad(() => probe.forward(x)).data.slice();
  assert.ok(before.some((v) => v > 0));
});
