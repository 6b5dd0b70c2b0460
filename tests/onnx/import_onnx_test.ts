/**
 * ONNX → Inkling: SqueezeNet's imported forward pass reproduces the
 * reference output on fish.png; unsupported ops and weights that do not fit
 * their dims are refused naming the file, the node and the op.
 */

import assert from "node:assert/strict";
import { FormatError, noGrad } from "../../mod.ts";
import { readOnnx } from "../../onnx/codec.ts";
import { importOnnx } from "../../onnx/import_onnx.ts";
import { cutOnnx } from "../../onnx/surgery.ts";
import { float32Tensor } from "../../onnx/tensor_data.ts";
import { branchingModel, ints, model, node } from "./onnx_graphs.ts";
import {
  FEATURES_TENSOR,
  fishInput,
  fishReference,
  maxAbsDiff,
  SQUEEZENET_PATH,
} from "./squeezenet_fixture.ts";

/** fish.png as SqueezeNet input, loaded once for the file. */
const fish = await fishInput();

Deno.test("import: SqueezeNet on fish.png matches the reference output (tench 0.738)", async () => {
  const net = importOnnx(await readOnnx(SQUEEZENET_PATH), { source: SQUEEZENET_PATH }).eval();
  assert.equal(net.parameterCount(), 1235496);
  assert.ok(net.parameters().every((p) => p.dtype === "float32")); // float16 weights → float32
  const p = noGrad(() => net.forward(fish));
  assert.deepEqual(p.shape, [1, 1000, 1, 1]);
  const reference = await fishReference();
  const diff = maxAbsDiff(p.data, reference);
  console.log(`max |Δp| Inkling vs reference: ${diff.toExponential(2)}; tench ${p.data[0]}`);
  assert.ok(diff <= 1e-2, `max |Δp| ${diff}`);
  assert.ok(Math.abs(p.data[0] - 0.7378) < 1e-2);
  assert.equal(p.data.indexOf(Math.max(...p.data)), 0);
});

Deno.test("import: the network up to the last fire module gives 512 × 13 × 13 features", async () => {
  const onnx = await readOnnx(SQUEEZENET_PATH);
  const features = importOnnx(onnx, { output: FEATURES_TENSOR }).eval();
  const cut = importOnnx(cutOnnx(onnx, FEATURES_TENSOR)).eval();
  assert.equal(features.steps.length, cut.steps.length);
  const a = noGrad(() => features.forward(fish));
  assert.deepEqual(a.shape, [1, 512, 13, 13]);
  assert.deepEqual(noGrad(() => cut.forward(fish)).data, a.data);
});

Deno.test("import: unsupported ops and attributes name the file, node and op", () => {
  const unsupported = model([node("LSTM", ["x"], "y")], [], { shape: [1, 4], output: "y" });
  assert.throws(
    () => importOnnx(unsupported, { source: "m.onnx" }),
    /^FormatError: m\.onnx: node 0 "y" \(op LSTM\) is not supported; Inkling imports Conv, /,
  );
  const grouped = branchingModel();
  grouped.graph!.node![0].attribute!.push({ name: "group", type: 2, i: 2 });
  assert.throws(
    () => importOnnx(grouped, { source: "g.onnx" }),
    /g\.onnx: node 0 "c1" \(op Conv\): grouped convolution is not supported/,
  );
  const dilated = branchingModel();
  dilated.graph!.node![3].attribute!.push(ints("dilations", [2, 2]));
  assert.throws(
    () => importOnnx(dilated, { source: "d.onnx" }),
    /d\.onnx: node 3 "b" \(op Conv\): dilated/,
  );
});

Deno.test("import: initializers whose size does not fit their dims are refused", () => {
  const short = branchingModel();
  const w1 = short.graph!.initializer![0];
  w1.raw_data = w1.raw_data!.subarray(0, w1.raw_data!.length - 4);
  assert.throws(
    () => importOnnx(short, { source: "s.onnx" }),
    (e: Error) =>
      e instanceof FormatError &&
      /^s\.onnx: node 0 "c1" \(op Conv\): tensor "w1" holds 284 bytes; its dims \[4,2,3,3\] need 288/
        .test(e.message),
  );
  const wrongDims = branchingModel();
  wrongDims.graph!.initializer![1] = float32Tensor("b1", [5], [1, 2, 3, 4, 5]);
  assert.throws(
    () => importOnnx(wrongDims, { source: "w.onnx" }),
    /w\.onnx: node 0 "c1" \(op Conv\): weight dims \[5\]/,
  );
  const missing = branchingModel();
  missing.graph!.node![1].input = ["nowhere"];
  assert.throws(
    () => importOnnx(missing, { source: "n.onnx" }),
    /n\.onnx: node 1 "r1" \(op Relu\) reads "nowhere"/,
  );
  const shared = branchingModel();
  shared.graph!.node![2].input = ["r1", "w1"];
  assert.throws(() => importOnnx(shared, { source: "w.onnx" }), /another node reads too/);
});
