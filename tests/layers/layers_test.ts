/** Every layer through the shared gradcheck helper, plus initialisation and state dicts. */

import assert from "node:assert/strict";
import { type DType, Rng, ShapeError, Tensor } from "../../mod.ts";
import {
  AvgPool2d,
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
