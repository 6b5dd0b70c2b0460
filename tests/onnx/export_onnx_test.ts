/**
 * Inkling → ONNX (needs --allow-ffi): every exported network runs in
 * onnxruntime with the same logits as in Inkling (max |Δ| ≤ 1e-4) at batch
 * sizes 1 and 5 — the MLP and CNN classifiers, the committed OCR model, a
 * network of every exportable layer, and SqueezeNet imported and exported
 * again — and the exported OCR model classifies the UNIPEN-built NIST36
 * test set exactly as Inkling does.
 */

import assert from "node:assert/strict";
import {
  argmax,
  Dropout,
  Flatten,
  Linear,
  noGrad,
  ReLU,
  Rng,
  Sequential,
  Tensor,
} from "../../mod.ts";
import {
  AvgPool2d,
  BatchNorm,
  Conv2d,
  GlobalAvgPool2d,
  MaxPool2d,
  type Module,
  Sigmoid,
  Softmax,
  Tanh,
} from "../../layers/mod.ts";
import { createClassifier } from "../../models/mod.ts";
import { loadGlyphData } from "../../datasets/mod.ts";
import { decodeOnnx } from "../../onnx/codec.ts";
import { loadClassifier } from "../../onnx/export_checkpoint.ts";
import { exportOnnx } from "../../onnx/export_onnx.ts";
import { importOnnx } from "../../onnx/import_onnx.ts";
import { readOnnx } from "../../onnx/codec.ts";
import { OnnxSession } from "../../onnx/runtime.ts";
import { DATA_DIR } from "../shared_data.ts";
import { maxAbsDiff, SQUEEZENET_PATH } from "./squeezenet_fixture.ts";

const OCR_MODEL = new URL("../../ocr/default_model.safetensors", import.meta.url).pathname;

function random(shape: number[], seed: number, scale = 1): Tensor {
  const rng = new Rng(seed);
  const size = shape.reduce((p, d) => p * d, 1);
  return new Tensor(Float32Array.from({ length: size }, () => rng.uniform(0, scale)), shape);
}

/** Exports `net`, runs batches of 1 and 5 in both; returns the worst |Δ|. */
async function compare(net: Module, inputShape: number[], scale = 1): Promise<number> {
  const bytes = exportOnnx(net, { inputShape });
  const onnx = decodeOnnx(bytes);
  assert.ok(onnx.opset_import![0].version! >= 13);
  assert.equal(onnx.graph!.input![0].type?.tensor_type?.shape?.dim?.[0].dim_param, "batch");
  const session = await OnnxSession.create(bytes, { threads: 1 });
  let worst = 0;
  try {
    net.eval();
    for (const batch of [1, 5]) {
      const x = random([batch, ...inputShape], batch, scale);
      const { logits } = await session.run({ input: x });
      const want = noGrad(() => net.forward(x));
      assert.deepEqual([...logits.shape], [...want.shape]);
      worst = Math.max(worst, maxAbsDiff(logits.data, want.data));
    }
  } finally {
    await session.release();
  }
  return worst;
}

Deno.test("export: the MLP and CNN classifiers and the committed OCR model match in onnxruntime", async () => {
  const rng = new Rng(1);
  const mlp = createClassifier({ kind: "mlp", inputs: 1024, hidden: 64, classes: 36 }, { rng });
  const cnn = createClassifier({
    kind: "cnn",
    size: 28,
    channels: [8, 16],
    hidden: 32,
    dropout: 0.3,
    classes: "0123456789",
  }, { rng });
  const { network: ocr } = await loadClassifier(OCR_MODEL);
  for (
    const [name, net, shape] of [["mlp", mlp, [1024]], ["cnn", cnn, [784]], ["ocr", ocr, [
      1024,
    ]]] as const
  ) {
    const diff = await compare(net, [...shape]);
    console.log(`${name}: max |Δ logits| ${diff.toExponential(2)}`);
    assert.ok(diff <= 1e-4, `${name}: ${diff}`);
  }
  // Export runs the network in evaluation mode and leaves its mode as it was.
  const training = createClassifier({ kind: "mlp", inputs: 16, hidden: 4, classes: 36 }, { rng });
  exportOnnx(training, { inputShape: [16] });
  assert.ok(training.training && training.children().every(([, c]) => c.training));
});

Deno.test("export: every exportable layer, and an import → export round trip", async () => {
  const rng = new Rng(2);
  const net = new Sequential(
    new Conv2d({ in: 3, out: 4 }, 3, { stride: 2, padding: 1, rng }),
    new Tanh(),
    new MaxPool2d(2, { stride: 1, padding: 1 }),
    new Conv2d({ in: 4, out: 6 }, 1, { rng, bias: false }),
    new Sigmoid(),
    new AvgPool2d(3, { stride: 2, padding: 1 }),
    new Dropout(0.5, { rng }),
    new Sequential(new Flatten(), new Linear(6 * 4 * 4, 10, { rng }), new ReLU()),
    new Linear(10, 5, { rng, bias: false }),
    new Softmax(),
  );
  const diff = await compare(net, [3, 11, 11]);
  console.log(`all layers: max |Δ| ${diff.toExponential(2)}`);
  assert.ok(diff <= 1e-4);
  // BatchNorm exports its running statistics, on 4-D and 2-D inputs alike.
  const normed = new Sequential(
    new Conv2d({ in: 3, out: 4 }, 3, { rng, bias: false }),
    new BatchNorm(4),
    new ReLU(),
    new Flatten(),
    new Linear(4 * 4 * 4, 6, { rng }),
    new BatchNorm(6, { eps: 1e-3 }),
  );
  for (const t of normed.namedTensors().filter(([n]) => /running|\.(1|5)\./.test(n))) {
    t[1].data.set(random([t[1].size], t[1].size, 2).data);
  }
  assert.ok(await compare(normed, [3, 6, 6]) <= 1e-4);
  const normedBack = importOnnx(exportOnnx(normed, { inputShape: [3, 6, 6] })).eval();
  const y = random([2, 3, 6, 6], 4);
  assert.ok(
    maxAbsDiff(noGrad(() => normedBack.forward(y)).data, noGrad(() => normed.forward(y)).data) <=
      1e-5,
  );
  const gap = new Sequential(new Conv2d({ in: 3, out: 7 }, 3, { rng }), new GlobalAvgPool2d());
  assert.ok(await compare(gap, [3, 6, 6]) <= 1e-4);
  // Exported, imported back, exported again: the same function.
  const back = importOnnx(exportOnnx(net, { inputShape: [3, 11, 11] })).eval();
  const x = random([2, 3, 11, 11], 9);
  assert.ok(
    maxAbsDiff(noGrad(() => back.forward(x)).data, noGrad(() => net.forward(x)).data) <= 1e-6,
  );
  assert.ok(await compare(back, [3, 11, 11]) <= 1e-4);
});

Deno.test("export: imported SqueezeNet exports as a float32 ONNX model onnxruntime agrees with", async () => {
  const net = importOnnx(await readOnnx(SQUEEZENET_PATH));
  const diff = await compare(net, [3, 224, 224], 255);
  console.log(`SqueezeNet re-exported: max |Δp| ${diff.toExponential(2)}`);
  assert.ok(diff <= 1e-4);
});

Deno.test("export: onnxruntime classifies the UNIPEN-built NIST36 test set as Inkling does", async () => {
  const { network, classes } = await loadClassifier(OCR_MODEL);
  const data = await loadGlyphData("nist36", { dataDir: DATA_DIR });
  assert.equal(data.classes, classes);
  const x = data.test.x;
  const session = await OnnxSession.create(exportOnnx(network, { inputShape: [1024] }));
  try {
    const ort = await session.runBatched(new Tensor(Float32Array.from(x.data), x.shape), {
      batchSize: 256,
    });
    const inkling = noGrad(() => network.forward(x));
    const diff = maxAbsDiff(ort.data, inkling.data);
    const [a, b] = [argmax(ort, { axis: 1 }), argmax(inkling, { axis: 1 })];
    const accuracy = (p: Int32Array) =>
      p.filter((c, i) => c === data.test.labels[i]).length / p.length;
    console.log(
      `${x.shape[0]} test glyphs: onnxruntime ${accuracy(a)}, Inkling ${
        accuracy(b)
      }, max |Δ logits| ${diff.toExponential(2)}`,
    );
    assert.ok(diff <= 1e-4);
    assert.equal(accuracy(a), accuracy(b));
    assert.ok(accuracy(b) > 0.8);
  } finally {
    await session.release();
  }
});
