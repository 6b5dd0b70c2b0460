/** Every differentiable op through the shared helper: forward vs loops, backward vs differences. */

import assert from "node:assert/strict";
import * as ink from "../../mod.ts";
import { checkOp, type OpCase } from "./op_check.ts";

const map = (f: (v: number) => number) => (x: Float64Array) => x.map(f);

const unary: [
  string,
  (t: ink.Tensor) => ink.Tensor,
  (v: number) => number,
  "any" | "positive" | "awayFromZero",
][] = [
  ["neg", ink.neg, (v) => -v, "any"],
  ["exp", ink.exp, Math.exp, "any"],
  ["log", ink.log, Math.log, "positive"],
  ["sqrt", ink.sqrt, Math.sqrt, "positive"],
  ["abs", ink.abs, Math.abs, "awayFromZero"],
  ["sigmoid", ink.sigmoid, (v) => 1 / (1 + Math.exp(-v)), "any"],
  ["tanh", ink.tanh, Math.tanh, "any"],
  ["relu", ink.relu, (v) => Math.max(v, 0), "awayFromZero"],
];

const cases: OpCase[] = [];
for (const [name, fn, f, domain] of unary) {
  for (const shape of [[1], [3, 7], [2, 3, 33]]) {
    cases.push({
      name: `${name} ${shape}`,
      fn,
      inputs: [{ shape, domain }],
      reference: map(f),
      shape,
    });
  }
}

// Binary ops: equal shapes, scalar-like, row and column broadcasting, rank broadcasting.
const broadcastPairs: [number[], number[], number[]][] = [
  [[7], [7], [7]],
  [[3, 7], [1], [3, 7]],
  [[3, 7], [7], [3, 7]],
  [[3, 1], [1, 7], [3, 7]],
  [[2, 1, 5], [3, 1], [2, 3, 5]],
];
const binary: [
  string,
  (a: ink.Tensor, b: ink.Tensor) => ink.Tensor,
  (a: number, b: number) => number,
][] = [
  ["add", ink.add, (a, b) => a + b],
  ["sub", ink.sub, (a, b) => a - b],
  ["mul", ink.mul, (a, b) => a * b],
  ["div", ink.div, (a, b) => a / b],
  ["pow", ink.pow, (a, b) => a ** b],
  ["maximum", ink.maximum, Math.max],
  ["minimum", ink.minimum, Math.min],
];
function broadcastReference(
  f: (a: number, b: number) => number,
  sa: number[],
  sb: number[],
  so: number[],
) {
  return (a: Float64Array, b: Float64Array) => {
    const out = new Float64Array(so.reduce((p, d) => p * d, 1));
    const index = (s: number[], coords: number[]) => {
      let flat = 0;
      const off = coords.length - s.length;
      s.forEach((d, i) => (flat = flat * d + (d === 1 ? 0 : coords[i + off])));
      return flat;
    };
    for (let i = 0; i < out.length; i++) {
      const coords: number[] = [];
      let r = i;
      for (let d = so.length - 1; d >= 0; d--) {
        coords[d] = r % so[d];
        r = Math.floor(r / so[d]);
      }
      out[i] = f(a[index(sa, coords)], b[index(sb, coords)]);
    }
    return out;
  };
}
for (const [name, fn, f] of binary) {
  for (const [sa, sb, so] of broadcastPairs) {
    cases.push({
      name: `${name} ${sa}·${sb}`,
      fn,
      inputs: [
        { shape: sa, domain: name === "pow" ? "positive" : "any" },
        { shape: sb, domain: name === "div" ? "awayFromZero" : "distinct" },
      ],
      reference: broadcastReference(f, sa, sb, so),
      shape: so,
    });
  }
}
cases.push(
  {
    name: "pow scalar exponent",
    fn: (x) => ink.pow(x, 3),
    inputs: [{ shape: [3, 7] }],
    reference: map((v) => v ** 3),
  },
  {
    name: "add scalar",
    fn: (x) => ink.add(x, 2.5),
    inputs: [{ shape: [33] }],
    reference: map((v) => v + 2.5),
  },
  {
    name: "clamp",
    fn: (x) => ink.clamp(x, { min: -0.5, max: 0.5 }),
    inputs: [{ shape: [3, 33], domain: "distinct" }],
  },
  // Reductions over one axis, several axes, all axes, with and without keepDims.
  { name: "sum all", fn: (x) => ink.sum(x), inputs: [{ shape: [3, 7] }], shape: [] },
  {
    name: "sum axis 1",
    fn: (x) => ink.sum(x, { axis: 1 }),
    inputs: [{ shape: [3, 7, 2] }],
    shape: [3, 2],
  },
  {
    name: "sum axes 0,2 keepDims",
    fn: (x) => ink.sum(x, { axis: [0, -1], keepDims: true }),
    inputs: [{ shape: [3, 7, 2] }],
    shape: [1, 7, 1],
  },
  {
    name: "mean axis -1",
    fn: (x) => ink.mean(x, { axis: -1 }),
    inputs: [{ shape: [7, 33] }],
    shape: [7],
  },
  {
    name: "max all",
    fn: (x) => ink.max(x),
    inputs: [{ shape: [3, 7], domain: "distinct" }],
    shape: [],
  },
  {
    name: "max axis 0",
    fn: (x) => ink.max(x, { axis: 0 }),
    inputs: [{ shape: [7, 3], domain: "distinct" }],
    shape: [3],
  },
  // Layout.
  {
    name: "reshape",
    fn: (x) => ink.reshape(x, [7, -1]),
    inputs: [{ shape: [3, 7] }],
    shape: [7, 3],
  },
  {
    name: "transpose",
    fn: (x) => ink.mul(ink.transpose(x), ink.transpose(x)),
    inputs: [{ shape: [3, 7] }],
    shape: [7, 3],
  },
  {
    name: "permute",
    fn: (x) => ink.exp(ink.permute(x, [2, 0, 1])),
    inputs: [{ shape: [2, 3, 5] }],
    shape: [5, 2, 3],
  },
  {
    name: "slice",
    fn: (x) => ink.exp(ink.slice(x, { axis: 1, start: 2, end: -1 })),
    inputs: [{ shape: [3, 7] }],
    shape: [3, 4],
  },
  {
    name: "concat",
    fn: (a, b) => ink.exp(ink.concat([a, b, a], { axis: 1 })),
    inputs: [{ shape: [3, 2] }, { shape: [3, 5] }],
    shape: [3, 9],
  },
  {
    name: "expand",
    fn: (x) => ink.exp(ink.expand(x, [4, 3, 7])),
    inputs: [{ shape: [3, 1] }],
    shape: [4, 3, 7],
  },
  {
    name: "gatherRows (repeats)",
    fn: (x) => ink.exp(ink.gatherRows(x, Int32Array.from([4, 0, 4, 2]))),
    inputs: [{ shape: [5, 3] }],
    shape: [4, 3],
  },
  // Matrix products.
  {
    name: "matmul 2-D",
    fn: ink.matmul,
    inputs: [{ shape: [3, 7] }, { shape: [7, 33] }],
    shape: [3, 33],
  },
  {
    name: "matmul 1×1",
    fn: ink.matmul,
    inputs: [{ shape: [1, 1] }, { shape: [1, 1] }],
    shape: [1, 1],
  },
  {
    name: "matmul batched",
    fn: ink.matmul,
    inputs: [{ shape: [2, 3, 7] }, { shape: [2, 7, 5] }],
    shape: [2, 3, 5],
  },
  {
    name: "matmul batched × shared",
    fn: ink.matmul,
    inputs: [{ shape: [4, 3, 7] }, { shape: [7, 5] }],
    shape: [4, 3, 5],
  },
  {
    name: "matmul shared × batched",
    fn: ink.matmul,
    inputs: [{ shape: [3, 7] }, { shape: [2, 7, 5] }],
    shape: [2, 3, 5],
  },
  // Softmax family and losses.
  { name: "softmax", fn: (x) => ink.softmax(x), inputs: [{ shape: [3, 7] }], shape: [3, 7] },
  { name: "softmax axis 0", fn: (x) => ink.softmax(x, { axis: 0 }), inputs: [{ shape: [7, 3] }] },
  { name: "logSoftmax", fn: (x) => ink.logSoftmax(x), inputs: [{ shape: [3, 33] }] },
  {
    name: "crossEntropy indices",
    fn: (x) => ink.crossEntropy(x, [0, 6, 3]),
    inputs: [{ shape: [3, 7] }],
    shape: [],
  },
  {
    name: "crossEntropy soft targets, sum",
    fn: (x, t) => ink.crossEntropy(x, ink.softmax(t), { reduction: "sum" }),
    inputs: [{ shape: [3, 7] }, { shape: [3, 7] }],
  },
  {
    name: "crossEntropy indices, label smoothing 0.1",
    fn: (x) => ink.crossEntropy(x, [0, 6, 3], { labelSmoothing: 0.1 }),
    inputs: [{ shape: [3, 7] }],
    // −Σ((1 − ε)·onehot + ε/C)·log softmax, averaged over the rows.
    reference: (x) => {
      const labels = [0, 6, 3];
      let total = 0;
      for (let r = 0; r < 3; r++) {
        const row = x.subarray(7 * r, 7 * r + 7);
        const top = Math.max(...row);
        const logSum = top + Math.log(row.reduce((s, v) => s + Math.exp(v - top), 0));
        row.forEach((v, j) => total -= ((j === labels[r] ? 0.9 : 0) + 0.1 / 7) * (v - logSum));
      }
      return [total / 3];
    },
    shape: [],
  },
  {
    name: "crossEntropy soft targets, label smoothing 0.3, sum",
    fn: (x, t) => ink.crossEntropy(x, ink.softmax(t), { reduction: "sum", labelSmoothing: 0.3 }),
    inputs: [{ shape: [3, 7] }, { shape: [3, 7] }],
  },
  {
    name: "squaredError sum",
    fn: (p, t) => ink.squaredError(p, t),
    inputs: [{ shape: [3, 33] }, { shape: [3, 33] }],
  },
  {
    name: "mse",
    fn: (p, t) => ink.mse(p, t),
    inputs: [{ shape: [7] }, { shape: [7], grad: false }],
  },
  // Convolution and pooling.
  {
    name: "conv2d",
    fn: (x, w, b) => ink.conv2d(x, w, { bias: b }),
    inputs: [{ shape: [2, 3, 5, 6] }, { shape: [4, 3, 3, 3] }, { shape: [4] }],
    shape: [2, 4, 3, 4],
  },
  {
    name: "conv2d stride 2 padding 1",
    fn: (x, w) => ink.conv2d(x, w, { stride: 2, padding: 1 }),
    inputs: [{ shape: [2, 2, 7, 5] }, { shape: [3, 2, 3, 3] }],
    shape: [2, 3, 4, 3],
  },
  {
    name: "maxPool2d",
    fn: (x) => ink.maxPool2d(x, { kernel: 2 }),
    inputs: [{ shape: [2, 3, 6, 7], domain: "distinct" }],
    shape: [2, 3, 3, 3],
  },
  {
    name: "maxPool2d stride 1 padding 1",
    fn: (x) => ink.maxPool2d(x, { kernel: 3, stride: 1, padding: 1 }),
    inputs: [{ shape: [1, 2, 5, 5], domain: "distinct" }],
    shape: [1, 2, 5, 5],
  },
  {
    name: "avgPool2d",
    fn: (x) => ink.avgPool2d(x, { kernel: 3, stride: 2, padding: 1 }),
    inputs: [{ shape: [2, 3, 7, 7] }],
    shape: [2, 3, 4, 4],
  },
  {
    name: "globalAvgPool2d",
    fn: ink.globalAvgPool2d,
    inputs: [{ shape: [2, 3, 5, 7] }],
    shape: [2, 3],
  },
  {
    name: "dropout (fixed seed)",
    fn: (x) => ink.dropout(x, { p: 0.3, rng: new ink.Rng(7) }),
    inputs: [{ shape: [7, 33] }],
  },
);

// Ops without a gradient: forward only, on every backend all the same.
const asDType = (like: ink.Tensor, values: ArrayLike<number>, shape: number[]) =>
  new ink.Tensor(
    like.dtype === "float64" ? Float64Array.from(values) : Float32Array.from(values),
    shape,
  );
cases.push(
  {
    name: "greater",
    fn: ink.greater,
    inputs: [{ shape: [3, 7] }, { shape: [7], domain: "distinct" }],
    reference: broadcastReference((a, b) => a > b ? 1 : 0, [3, 7], [7], [3, 7]),
    differentiable: false,
  },
  {
    name: "rsub",
    fn: (x) => ink.rsub(1, x),
    inputs: [{ shape: [3, 33] }],
    reference: map((v) => 1 - v),
  },
  {
    name: "argmax axis 1",
    fn: (x) => asDType(x, ink.argmax(x, { axis: 1 }), [7]),
    inputs: [{ shape: [7, 33], domain: "distinct" }],
    differentiable: false,
  },
  {
    name: "sumTo (broadcast gradient folded back)",
    fn: (g) => ink.sumTo(g, [3, 1]),
    inputs: [{ shape: [2, 3, 5] }],
    shape: [3, 1],
    differentiable: false,
  },
  {
    name: "scaleAddInPlace",
    fn: (t, s) => {
      const target = t.clone();
      ink.scaleAddInPlace(target, s, { alpha: 0.9, beta: -0.5 });
      return target;
    },
    inputs: [{ shape: [3, 33] }, { shape: [3, 33] }],
    reference: (t, s) => t.map((v, i) => 0.9 * v - 0.5 * s[i]),
    differentiable: false,
  },
  {
    name: "sgdUpdateInPlace",
    fn: (p, g) => {
      const param = p.clone();
      ink.sgdUpdateInPlace(param, g, { lr: 0.5 });
      return param;
    },
    // 300 elements: past the length from which the native set updates with BLAS.
    inputs: [{ shape: [3, 100] }, { shape: [3, 100] }],
    reference: (p, g) => p.map((v, i) => v - 0.5 * g[i]),
    differentiable: false,
  },
  {
    name: "sgdUpdateInPlace with momentum",
    fn: (p, g, v) => {
      const param = p.clone();
      ink.sgdUpdateInPlace(param, g, { lr: 0.5, velocity: v.clone(), momentum: 0.9 });
      return param;
    },
    inputs: [{ shape: [3, 100] }, { shape: [3, 100] }, { shape: [3, 100] }],
    reference: (p, g, v) => p.map((x, i) => x + (0.9 * v[i] - 0.5 * g[i])),
    differentiable: false,
  },
);

for (const opCase of cases) {
  Deno.test(`op ${opCase.name}`, () => checkOp(opCase));
}

Deno.test("crossEntropy: label smoothing 0 is the plain loss and gradient, bit for bit", () => {
  const rng = new ink.Rng(5);
  const data = Float32Array.from({ length: 4 * 9 }, () => rng.uniform(-3, 3));
  const labels = [8, 0, 3, 3];
  const run = (options?: ink.CrossEntropyOptions) => {
    const x = new ink.Tensor(data.slice(), [4, 9], { requiresGrad: true });
    const loss = ink.crossEntropy(x, labels, options);
    loss.backward();
    return { loss: loss.item(), grad: Array.from(x.grad!.data) };
  };
  // The pre-smoothing formula, written out with public ops.
  const plain = ink.noGrad(() => {
    const x = new ink.Tensor(data.slice(), [4, 9]);
    const logProbs = ink.logSoftmax(x, { axis: 1 });
    const loss = -ink.sum(ink.mul(ink.oneHot(labels, 9), logProbs)).item() * (1 / 4);
    const grad = ink.mul(ink.sub(ink.softmax(x, { axis: 1 }), ink.oneHot(labels, 9)), 1 / 4);
    return { loss, grad: Array.from(grad.data) };
  });
  assert.deepEqual(run({ labelSmoothing: 0 }), plain);
  assert.deepEqual(run(), plain);
  // Smoothing raises the loss of confident logits and spreads ε/C of the target over every class.
  const smoothed = run({ labelSmoothing: 0.2 });
  assert.notEqual(smoothed.loss, plain.loss);
  const gradSums = [0, 1, 2, 3].map((r) =>
    smoothed.grad.slice(9 * r, 9 * r + 9).reduce((s, v) => s + v, 0)
  );
  gradSums.forEach((s) => assert.ok(Math.abs(s) < 1e-6, `rows of the gradient sum to 0: ${s}`));
});
