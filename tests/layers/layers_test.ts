/** Every layer through the shared gradcheck helper, plus initialisation and state dicts. */

import assert from "node:assert/strict";
import { type DType, Rng, ShapeError, Tensor } from "../../mod.ts";
import {
  AvgPool2d,
  BatchNorm,
  Conv2d,
  Dropout,
  Flatten,
  GlobalAvgPool2d,
  Linear,
  MaxPool2d,
  type Module,
  ReLU,
  Sequential,
  Sigmoid,
  Softmax,
  Tanh,
} from "../../layers/mod.ts";
import { checkLayer, checkOp } from "../autograd/op_check.ts";

function layerCase(
  name: string,
  layer: (options: { dtype: DType; rng: Rng }) => Module,
  inputShape: number[],
  distinct = false,
) {
  Deno.test(`layer ${name}`, () =>
    checkLayer({
      name,
      layer,
      input: { shape: inputShape, domain: distinct ? "distinct" : "awayFromZero" },
    }));
}

layerCase("Linear", (o) => new Linear(7, 3, o), [5, 7]);
layerCase("Linear without bias", (o) => new Linear(33, 1, { ...o, bias: false }), [3, 33]);
layerCase("Conv2d", (o) => new Conv2d({ in: 2, out: 3 }, 3, o), [2, 2, 5, 6]);
layerCase(
  "Conv2d stride 2 padding 1",
  (o) => new Conv2d({ in: 3, out: 2 }, 3, { ...o, stride: 2, padding: 1 }),
  [2, 3, 7, 6],
);
layerCase("MaxPool2d", () => new MaxPool2d(2), [2, 3, 6, 6], true);
layerCase(
  "MaxPool2d stride 2 padding 1",
  () => new MaxPool2d(3, { stride: 2, padding: 1 }),
  [1, 2, 7, 7],
  true,
);
layerCase("AvgPool2d", () => new AvgPool2d(2), [2, 3, 6, 5]);
layerCase("GlobalAvgPool2d", () => new GlobalAvgPool2d(), [2, 3, 4, 5]);
layerCase("Sigmoid", () => new Sigmoid(), [3, 7]);
layerCase("Tanh", () => new Tanh(), [3, 7]);
layerCase("ReLU", () => new ReLU(), [3, 7]);
layerCase("Softmax", () => new Softmax(), [3, 7]);
layerCase("Flatten", () => new Flatten(), [2, 3, 4]);
Deno.test("layer Dropout (training, fixed mask)", () =>
  checkOp({
    name: "Dropout",
    // A fresh seeded layer per call keeps the mask fixed while gradcheck perturbs x.
    fn: (x) => new Dropout(0.5, { rng: new Rng(1) }).forward(x),
    inputs: [{ shape: [4, 9] }],
  }));
layerCase("BatchNorm [N, C] (batch statistics)", (o) => new BatchNorm(3, o), [6, 3]);
layerCase("BatchNorm [N, C, H, W] (batch statistics)", (o) => new BatchNorm(2, o), [3, 2, 4, 5]);
layerCase("BatchNorm (running statistics)", (o) => {
  const layer = new BatchNorm(2, o);
  layer.runningMean.data.set([0.25, -0.5]);
  layer.runningVar.data.set([0.5, 2]);
  return layer.eval();
}, [3, 2, 2, 3]);
layerCase(
  "Sequential CNN with BatchNorm",
  (o) =>
    new Sequential(
      // No conv bias: BatchNorm's mean removes it, so its gradient is exactly 0.
      new Conv2d({ in: 1, out: 2 }, 3, { ...o, padding: 1, bias: false }),
      new BatchNorm(2, o),
      new ReLU(),
      new Flatten(),
      new Linear(2 * 4 * 4, 3, o),
    ),
  [3, 1, 4, 4],
);
layerCase(
  "Sequential CNN",
  (o) =>
    new Sequential(
      new Conv2d({ in: 1, out: 2 }, 3, { ...o, padding: 1 }),
      new ReLU(),
      new MaxPool2d(2),
      new Flatten(),
      new Linear(2 * 3 * 3, 4, o),
    ),
  [2, 1, 6, 6],
);

Deno.test("Linear 1024×64: Xavier-uniform variance 2/(in+out) within 5%, bound √6/√(in+out), zero bias", () => {
  const layer = new Linear(1024, 64, { rng: new Rng(11) });
  const w = layer.weight.data;
  let sum = 0;
  let sq = 0;
  let maxAbs = 0;
  for (const v of w) {
    sum += v;
    sq += v * v;
    maxAbs = Math.max(maxAbs, Math.abs(v));
  }
  const mean = sum / w.length;
  const variance = sq / w.length - mean * mean;
  const expected = 2 / (1024 + 64);
  assert.ok(Math.abs(variance / expected - 1) < 0.05, `variance ${variance} vs ${expected}`);
  assert.ok(maxAbs <= Math.sqrt(6) / Math.sqrt(1088));
  assert.ok(layer.bias!.data.every((v) => v === 0));
});

Deno.test("parameters are found by reflection with dotted names; state dicts round-trip with shape checks", () => {
  const make = (seed: number) =>
    new Sequential(
      new Linear(4, 3, { rng: new Rng(seed) }),
      new Sigmoid(),
      new Linear(3, 2, { rng: new Rng(seed + 1) }),
    );
  const a = make(1);
  assert.deepEqual(a.namedParameters().map(([n]) => n), [
    "layers.0.weight",
    "layers.0.bias",
    "layers.2.weight",
    "layers.2.bias",
  ]);
  assert.equal(a.parameterCount(), 4 * 3 + 3 + 3 * 2 + 2);
  // parameters() walks without names, in the same order; BatchNorm's running buffers are no parameters.
  const nested = new Sequential(make(3), new BatchNorm(2), make(4));
  assert.deepEqual(nested.parameters(), nested.namedParameters().map(([, t]) => t));
  assert.equal(nested.parameters().length, 10);
  const b = make(7);
  b.loadStateDict(a.stateDict());
  assert.deepEqual(b.parameters().map((p) => p.toArray()), a.parameters().map((p) => p.toArray()));
  const wrong = { ...a.stateDict(), "layers.0.weight": new Tensor(new Float32Array(6), [2, 3]) };
  assert.throws(
    () => b.loadStateDict(wrong),
    (e) => e instanceof ShapeError && /layers\.0\.weight/.test(e.message),
  );
  const { ["layers.2.bias"]: _dropped, ...missing } = a.stateDict();
  assert.throws(() => b.loadStateDict(missing), /missing \[layers\.2\.bias\]/);
});

Deno.test("eval() switches Dropout off in every child", () => {
  const model = new Sequential(new Dropout(0.9, { rng: new Rng(0) }));
  const x = new Tensor(new Float32Array(100).fill(1), [10, 10]);
  model.eval();
  assert.deepEqual(model.forward(x).toArray(), x.toArray());
  model.train();
  assert.ok(model.forward(x).toArray().some((v) => v === 0));
});

Deno.test("BatchNorm: batch statistics in training (PyTorch's running update), running ones in eval", () => {
  const layer = new BatchNorm(2);
  // Channel 0 holds 1, 2, 3, 4; channel 1 holds 10, 10, 30, 30.
  const x = new Tensor(Float32Array.from([1, 2, 10, 10, 3, 4, 30, 30]), [2, 2, 2]);
  const y = layer.forward(x).data;
  const channel0 = [y[0], y[1], y[4], y[5]];
  const sd0 = Math.sqrt(1.25 + 1e-5);
  channel0.forEach((v, i) => assert.ok(Math.abs(v - (i + 1 - 2.5) / sd0) < 1e-5));
  assert.ok(Math.abs(y[2] + 1) < 1e-5 && Math.abs(y[6] - 1) < 1e-5);
  // Running: 0.9 · initial + 0.1 · batch, with the unbiased variance (n = 4).
  const near = (a: ArrayLike<number>, b: number[]) =>
    b.forEach((v, i) => assert.ok(Math.abs(a[i] - v) < 1e-5, `${a[i]} vs ${v}`));
  near(layer.runningMean.data, [0.25, 2]);
  near(layer.runningVar.data, [0.9 + 0.1 * 5 / 3, 0.9 + 0.1 * 400 / 3]);
  assert.deepEqual(layer.namedParameters().map(([n]) => n), ["weight", "bias"]);
  assert.deepEqual(Object.keys(layer.stateDict()), ["weight", "bias", "runningMean", "runningVar"]);
  layer.eval();
  const single = layer.forward(new Tensor(Float32Array.from([1, 10]), [1, 2])).data;
  near(single, [
    (1 - 0.25) / Math.sqrt(layer.runningVar.data[0] + 1e-5),
    (10 - 2) /
    Math.sqrt(layer.runningVar.data[1] + 1e-5),
  ]);
  assert.throws(() => layer.forward(new Tensor(new Float32Array(3), [1, 3])), /needs 2 channels/);
  layer.train();
  assert.throws(
    () => layer.forward(new Tensor(new Float32Array(2), [1, 2])),
    /2\+ values per channel/,
  );
});
