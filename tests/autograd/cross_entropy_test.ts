/**
 * crossEntropy from class indices (the fused path: no one-hot, product,
 * partial sums or backward temporaries) equals, bit for bit, the unfused
 * computation it replaced, written out here with public ops:
 * −Σ(oneHot · logSoftmax)·scale forward and (softmax − oneHot)·(g·scale)
 * backward. On every float32 backend (the wasm set with its size thresholds
 * off and on) and in float64, at odd shapes (one class, more than 512
 * classes, an empty batch), both reductions, a non-unit upstream gradient,
 * and logits with ±1000 and −∞. (Its gradient check on every backend is the
 * `crossEntropy indices` case of ops_test.ts.)
 */

import assert from "node:assert/strict";
import * as ink from "../../mod.ts";
import {
  type Kernels,
  loadWasmKernels,
  referenceKernels,
  useKernels,
} from "../../autograd/kernels/mod.ts";
import { FLOAT32_BACKENDS } from "./op_check.ts";

interface Case {
  n: number;
  c: number;
  /** Overwrites some logits (flat index → value) after the random fill. */
  special?: Record<number, number>;
}

const CASES: Case[] = [
  { n: 3, c: 7 },
  { n: 32, c: 36 },
  { n: 5, c: 1 },
  { n: 1, c: 2 },
  { n: 17, c: 13 },
  { n: 2, c: 515 },
  { n: 33, c: 600 },
  { n: 0, c: 4 },
  // Large logits (the max is subtracted) and −∞ at a label and off a label.
  { n: 4, c: 6, special: { 1: 1000, 2: -1000, 7: -Infinity, 13: 900 } },
  // Two −∞ in each row: at least one off the label, so the unfused loss is NaN.
  { n: 2, c: 3, special: { 0: -Infinity, 1: -Infinity, 3: -Infinity, 4: -Infinity } },
];

function labelsOf(n: number, c: number, rng: ink.Rng): Int32Array {
  return Int32Array.from({ length: n }, () => Math.min(c - 1, Math.floor(rng.uniform(0, c))));
}

function logitsOf(dtype: ink.DType, testCase: Case, rng: ink.Rng): ink.Tensor {
  const { n, c, special } = testCase;
  // Drawn as float32 values, so both dtypes see the same numbers.
  const values = Float32Array.from({ length: n * c }, () => rng.uniform(-4, 4));
  for (const [i, v] of Object.entries(special ?? {})) values[Number(i)] = v;
  const data = dtype === "float64" ? Float64Array.from(values) : values;
  return new ink.Tensor(data, [n, c], { requiresGrad: true });
}

interface Result {
  loss: ArrayLike<number>;
  grad: ArrayLike<number>;
}

/** Loss and d/dlogits, fused (crossEntropy from labels) or as the old unfused ops. */
function run(
  kernels: Kernels,
  dtype: ink.DType,
  testCase: Case,
  options: { fused: boolean; reduction: ink.Reduction; seed: number; plainArray: boolean },
): Result {
  const previous = useKernels(kernels);
  try {
    const rng = new ink.Rng(testCase.n * 1000 + testCase.c);
    const x = logitsOf(dtype, testCase, rng);
    const labels = labelsOf(testCase.n, testCase.c, rng);
    const scale = options.reduction === "sum" ? 1 : 1 / Math.max(testCase.n, 1);
    const seed = new ink.Tensor(
      dtype === "float64" ? Float64Array.of(options.seed) : Float32Array.of(options.seed),
      [],
    );
    if (options.fused) {
      const target = options.plainArray ? Array.from(labels) : labels;
      const loss = ink.crossEntropy(x, target, { reduction: options.reduction });
      loss.backward(seed);
      return { loss: loss.data, grad: x.grad!.data };
    }
    return ink.noGrad(() => {
      const t = ink.oneHot(labels, testCase.c, { dtype });
      const logProbs = ink.logSoftmax(x, { axis: 1 });
      const loss = dtype === "float64" ? new Float64Array(1) : new Float32Array(1);
      loss[0] = -ink.sum(ink.mul(t, logProbs)).item() * scale;
      const grad = ink.mul(ink.sub(ink.softmax(x, { axis: 1 }), t), seed.item() * scale);
      return { loss, grad: grad.data };
    });
  } finally {
    useKernels(previous);
  }
}

/** Index of the first element that differs (Object.is: NaN equals NaN, −0 is not 0), or -1. */
function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

const thresholds = loadWasmKernels(referenceKernels);
assert.ok(thresholds);
const BACKENDS = [
  ...FLOAT32_BACKENDS,
  { name: "wasm float32, thresholds on", kernels: thresholds },
];

Deno.test("crossEntropy from labels: fused equals the unfused ops bit for bit, every backend and dtype", () => {
  for (const { name, kernels } of BACKENDS) {
    for (const dtype of ["float32", "float64"] as const) {
      for (const testCase of CASES) {
        for (const reduction of ["mean", "sum"] as const) {
          for (const seed of [1, 0.37]) {
            const plainArray = testCase.n === 3;
            const base = { reduction, seed, plainArray };
            const fused = run(kernels, dtype, testCase, { ...base, fused: true });
            const old = run(kernels, dtype, testCase, { ...base, fused: false });
            const where = `${name}, ${dtype}, [${testCase.n}, ${testCase.c}]${
              testCase.special ? " special" : ""
            }, ${reduction}, seed ${seed}`;
            assert.equal(
              firstDifference(fused.loss, old.loss),
              -1,
              `${where}: loss ${fused.loss[0]} vs ${old.loss[0]}`,
            );
            const at = firstDifference(fused.grad, old.grad);
            assert.equal(
              at,
              -1,
              `${where}: gradient at ${at}: ${fused.grad[at]} vs ${old.grad[at]}`,
            );
          }
        }
      }
    }
  }
});

Deno.test("crossEntropy from labels: non-finite logits give the unfused NaN / ∞", () => {
  // −∞ off the label makes the unfused product 0·(−∞) = NaN; at the label the loss is +∞.
  const x = new ink.Tensor(Float32Array.of(0, -Infinity, 1, -Infinity, 2, 0), [2, 3]);
  assert.ok(Number.isNaN(ink.crossEntropy(x, [0, 1]).item()));
  const y = new ink.Tensor(Float32Array.of(0, -Infinity, 1), [1, 3]);
  assert.equal(ink.crossEntropy(y, [1]).item(), Infinity);
});

Deno.test("crossEntropy from labels: bad labels throw as before", () => {
  const x = ink.zeros([2, 3]);
  assert.throws(() => ink.crossEntropy(x, [0, 3]), ink.ShapeError);
  assert.throws(() => ink.crossEntropy(x, [0, 1.5]), ink.ShapeError);
  assert.throws(() => ink.crossEntropy(x, [0, -1]), ink.ShapeError);
  assert.throws(() => ink.crossEntropy(x, [0]), ink.ShapeError);
  assert.throws(() => ink.crossEntropy(x, [0, 1, 2]), ink.ShapeError);
});

Deno.test("crossEntropy from labels: the labels are copied, and a second backward gives the same gradient", () => {
  const rng = new ink.Rng(3);
  const x = ink.rand([4, 5], { rng, requiresGrad: true });
  const labels = Int32Array.of(1, 4, 0, 2);
  const loss = ink.crossEntropy(x, labels);
  labels.fill(3);
  loss.backward(undefined, { retainGraph: true });
  const first = Float32Array.from(x.grad!.data);
  x.grad = null;
  loss.backward();
  assert.deepEqual(x.grad!.data, first);
  const want = ink.noGrad(() =>
    ink.mul(ink.sub(ink.softmax(x, { axis: 1 }), ink.oneHot([1, 4, 0, 2], 5)), 1 / 4)
  );
  assert.deepEqual(first, want.data);
});
