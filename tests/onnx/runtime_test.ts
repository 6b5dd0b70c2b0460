/**
 * The onnxruntime wrapper (needs --allow-ffi): SqueezeNet's float16 input
 * and output on fish.png against the reference, sessions from a path and
 * from bytes, batching, features from a cut model against the importer's,
 * ceil-mode pooling against the importer, and the errors.
 */

import assert from "node:assert/strict";
import { FormatError, noGrad, ShapeError, Tensor } from "../../mod.ts";
import { encodeOnnx, readOnnx } from "../../onnx/codec.ts";
import { importOnnx } from "../../onnx/import_onnx.ts";
import { OnnxSession } from "../../onnx/runtime.ts";
import { cutOnnx } from "../../onnx/surgery.ts";
import { float32Tensor } from "../../onnx/tensor_data.ts";
import { Rng } from "../../autograd/rng.ts";
import { branchingModel, model, node, weights } from "./onnx_graphs.ts";
import {
  FEATURES_TENSOR,
  fishInput,
  fishReference,
  maxAbsDiff,
  SQUEEZENET_PATH,
} from "./squeezenet_fixture.ts";

const fish = await fishInput();

Deno.test("runtime: SqueezeNet (float16 in and out) on fish.png matches the reference", async () => {
  const started = performance.now();
  const session = await OnnxSession.create(SQUEEZENET_PATH, { threads: 1 });
  const created = performance.now() - started;
  try {
    assert.deepEqual(session.inputs, [{
      name: "data_0",
      type: "float16",
      shape: [1, 3, 224, 224],
    }]);
    assert.equal(session.outputs[0].name, "softmaxout_1");
    const t0 = performance.now();
    const { softmaxout_1: p } = await session.run({ data_0: fish });
    console.log(`session ${created.toFixed(0)} ms, run ${(performance.now() - t0).toFixed(0)} ms`);
    assert.equal(p.dtype, "float32");
    const diff = maxAbsDiff(p.data, await fishReference());
    console.log(`max |Δp| onnxruntime vs reference: ${diff.toExponential(2)}`);
    assert.ok(diff <= 1e-2 && Math.abs(p.data[0] - 0.7378) < 1e-3, `Δ ${diff}, tench ${p.data[0]}`);
    assert.equal(typeof (globalThis as { Float16Array?: unknown }).Float16Array, "function");
  } finally {
    await session.release();
  }
});

Deno.test("runtime: batches, and features from the cut model match the importer's", async () => {
  const onnx = await readOnnx(SQUEEZENET_PATH);
  const cut = cutOnnx(onnx, FEATURES_TENSOR);
  const session = await OnnxSession.create(encodeOnnx(cut), { source: "cut.onnx", threads: 1 });
  try {
    const dark = new Tensor(fish.data.map((v) => v * 0.5), fish.shape);
    const both = new Tensor(new Float32Array([...fish.data, ...dark.data]), [2, 3, 224, 224]);
    const features = await session.runBatched(both); // the model fixes batch 1: two runs
    assert.deepEqual(features.shape, [2, 512, 13, 13]);
    const single = (await session.run({ data_0: dark }))[FEATURES_TENSOR];
    assert.deepEqual(features.data.subarray(512 * 169), single.data);
    const inkling = noGrad(() => importOnnx(cut).eval().forward(fish));
    const diff = maxAbsDiff(features.data.subarray(0, 512 * 169), inkling.data);
    const scale = Math.max(...inkling.data);
    console.log(`features: max |Δ| ${diff.toExponential(2)} of values up to ${scale.toFixed(1)}`);
    assert.ok(diff <= 1e-2 * scale, `features differ by ${diff}`);
  } finally {
    await session.release();
  }
});

Deno.test("runtime: ceil-mode pooling, concat and legacy softmax agree with the importer", async () => {
  // ceil_mode exists from opset 10; Softmax flattens at its axis before 13.
  for (const opset of [10, 13]) {
    const onnx = branchingModel({ opset });
    const session = await OnnxSession.create(encodeOnnx(onnx), { threads: 1 });
    const rng = new Rng(opset);
    const x = new Tensor(Float32Array.from({ length: 98 }, () => rng.uniform(-1, 1)), [1, 2, 7, 7]);
    const want = (await session.run({ x })).p;
    const got = noGrad(() => importOnnx(onnx).eval().forward(x));
    assert.deepEqual(got.shape, [...want.shape]);
    assert.ok(maxAbsDiff(got.data, want.data) <= 1e-6, `opset ${opset}`);
    await session.release();
  }
});

Deno.test("runtime: a BatchNormalization graph imports as BatchNorm and agrees with onnxruntime", async () => {
  const rng = new Rng(3);
  const variance = float32Tensor("v", [3], [0.5, 1, 2]);
  const bn = node("BatchNormalization", ["x", "s", "b", "m", "v"], "y", [
    { name: "epsilon", type: 1, f: 1e-3 },
  ]);
  const onnx = model([bn], [
    weights("s", [3], rng),
    weights("b", [3], rng),
    weights("m", [3], rng),
    variance,
  ], {
    shape: [2, 3, 4, 4],
    output: "y",
  });
  const session = await OnnxSession.create(encodeOnnx(onnx), { threads: 1 });
  const x = new Tensor(Float32Array.from({ length: 96 }, () => rng.uniform(-2, 2)), [2, 3, 4, 4]);
  const want = (await session.run({ x })).y;
  const got = noGrad(() => importOnnx(onnx).eval().forward(x));
  assert.ok(maxAbsDiff(got.data, want.data) <= 1e-5);
  await session.release();
  const training = model([{ ...bn, output: ["y", "mean", "var"] }], onnx.graph!.initializer!, {
    shape: [2, 3, 4, 4],
    output: "y",
  });
  assert.throws(
    () => importOnnx(training, { source: "t.onnx" }),
    /t\.onnx: node 0 "y" \(op BatchNormalization\): training-mode/,
  );
});

Deno.test("runtime: missing and invalid files, and wrong input shapes, are named", async () => {
  await assert.rejects(
    OnnxSession.create("/nonexistent/squeeze.onnx"),
    (e: Error) =>
      e instanceof FormatError && /^\/nonexistent\/squeeze\.onnx: .*not found/.test(e.message),
  );
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/bad.onnx`, "not a model");
    await assert.rejects(
      OnnxSession.create(`${dir}/bad.onnx`),
      (e: Error) =>
        e instanceof FormatError &&
        e.message.startsWith(`${dir}/bad.onnx: onnxruntime cannot load`),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  const session = await OnnxSession.create(SQUEEZENET_PATH, { threads: 1 });
  try {
    const small = new Tensor(new Float32Array(3 * 200 * 224), [1, 3, 200, 224]);
    await assert.rejects(
      session.run({ data_0: small }),
      (e: Error) =>
        e instanceof ShapeError &&
        e.message ===
          `${SQUEEZENET_PATH}: input "data_0" must be [1, 3, 224, 224], got [1, 3, 200, 224]`,
    );
    await assert.rejects(session.run({ image: fish }), /no tensor given for input "data_0"/);
  } finally {
    await session.release();
  }
});
