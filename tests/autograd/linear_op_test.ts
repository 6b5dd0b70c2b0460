/**
 * The fused `linear` op: gradient-checked on every backend through the op
 * helper, and equal bit for bit to the unfused matmul → add → activation on
 * every float32 backend (forward and every gradient), including the wasm
 * set with its size thresholds on, where small and large calls take
 * different kernels.
 */

import assert from "node:assert/strict";
import * as ink from "../../mod.ts";
import {
  type Kernels,
  loadWasmKernels,
  referenceKernels,
  useKernels,
} from "../../autograd/kernels/mod.ts";
import { checkOp, FLOAT32_BACKENDS, type OpCase } from "./op_check.ts";

const ACTIVATIONS = [undefined, "sigmoid", "tanh", "relu"] as const;

const cases: OpCase[] = [
  ...ACTIVATIONS.map((activation): OpCase => ({
    name: `linear (${activation ?? "no activation"})`,
    fn: (x, w, b) => ink.linear(x, w, { bias: b, activation }),
    // relu: inputs away from zero; with this seed no pre-activation lies
    // within the central differences' step of the kink.
    inputs: [{ shape: [5, 7], domain: activation === "relu" ? "awayFromZero" : "any" }, {
      shape: [7, 4],
    }, { shape: [4] }],
    reference: (x, w, b) => {
      const out = new Float64Array(5 * 4);
      for (let i = 0; i < 5; i++) {
        for (let j = 0; j < 4; j++) {
          let z = b[j];
          for (let p = 0; p < 7; p++) z += x[i * 7 + p] * w[p * 4 + j];
          out[i * 4 + j] = activation === "sigmoid"
            ? 1 / (1 + Math.exp(-z))
            : activation === "tanh"
            ? Math.tanh(z)
            : activation === "relu"
            ? Math.max(z, 0)
            : z;
        }
      }
      return out;
    },
    shape: [5, 4],
  })),
  {
    name: "linear without bias (sigmoid)",
    fn: (x, w) => ink.linear(x, w, { activation: "sigmoid" }),
    inputs: [{ shape: [3, 6] }, { shape: [6, 2] }],
    shape: [3, 2],
  },
  {
    name: "linear on a batched input (unfused path)",
    fn: (x, w, b) => ink.linear(x, w, { bias: b, activation: "tanh" }),
    inputs: [{ shape: [2, 3, 4] }, { shape: [4, 5] }, { shape: [5] }],
    shape: [2, 3, 5],
  },
];

for (const opCase of cases) {
  Deno.test(`op ${opCase.name}`, () => checkOp(opCase));
}

/** Runs forward and backward, returning the output and every gradient as float32 bits. */
function run(
  kernels: Kernels,
  fused: boolean,
  activation: ink.ActivationOp | undefined,
  shapes: { m: number; k: number; n: number },
): Float32Array[] {
  const previous = useKernels(kernels);
  try {
    const rng = new ink.Rng(7);
    const x = ink.rand([shapes.m, shapes.k], { rng, low: -1, high: 1, requiresGrad: true });
    const w = ink.rand([shapes.k, shapes.n], { rng, low: -1, high: 1, requiresGrad: true });
    const b = ink.rand([shapes.n], { rng, low: -1, high: 1, requiresGrad: true });
    const seed = ink.rand([shapes.m, shapes.n], { rng, low: -1, high: 1 });
    const unfused = () => {
      const z = ink.add(ink.matmul(x, w), b);
      return activation
        ? { sigmoid: ink.sigmoid, tanh: ink.tanh, relu: ink.relu }[activation](z)
        : z;
    };
    const y = fused ? ink.linear(x, w, { bias: b, activation }) : unfused();
    y.backward(seed);
    return [y, x.grad!, w.grad!, b.grad!].map((t) => t.data as Float32Array);
  } finally {
    useKernels(previous);
  }
}

const BACKENDS = [
  ...FLOAT32_BACKENDS,
  { name: "wasm float32 (thresholds on)", kernels: loadWasmKernels(referenceKernels)! },
];

Deno.test("linear: fused equals matmul → add → activation bit for bit on every backend", () => {
  // Small (under every wasm threshold) and NIST-sized (over them) shapes.
  for (
    const shapes of [{ m: 3, k: 5, n: 4 }, { m: 36, k: 1024, n: 32 }, { m: 36, k: 32, n: 1024 }]
  ) {
    for (const activation of ACTIVATIONS) {
      for (const backend of BACKENDS) {
        const want = run(backend.kernels, false, activation, shapes);
        const got = run(backend.kernels, true, activation, shapes);
        const what = `${activation ?? "none"} ${JSON.stringify(shapes)} on ${backend.name}`;
        ["output", "dx", "dW", "db"].forEach((name, i) => {
          assert.deepEqual(
            new Uint32Array(got[i].buffer, got[i].byteOffset, got[i].length),
            new Uint32Array(want[i].buffer, want[i].byteOffset, want[i].length),
            `${what}: ${name} differs`,
          );
        });
      }
    }
  }
});

Deno.test("linear: mismatched shapes throw a ShapeError naming them", () => {
  const x = ink.zeros([2, 3]);
  assert.throws(() => ink.linear(x, ink.zeros([4, 2])), ink.ShapeError);
  assert.throws(() => ink.linear(x, ink.zeros([3, 2]), { bias: ink.zeros([3]) }), /bias \[3\]/);
});
