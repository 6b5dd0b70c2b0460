/**
 * The fused squared error: equal bit for bit to the unfused chain it
 * replaced (sub → mul → sum, and mean for "mean"), forward and both
 * gradients, on every float32 backend including the wasm set with its size
 * thresholds on, at small and odd shapes and at the autoencoder's [36, 1024]. (Its
 * gradient check on every backend is the `squaredError` and `mse` cases of
 * ops_test.ts.)
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

/** Loss, d/dprediction and d/dtarget as float32 arrays. */
function run(
  kernels: Kernels,
  options: { fused: boolean; reduction: ink.Reduction; shape: number[]; seed?: number },
): Float32Array[] {
  const previous = useKernels(kernels);
  try {
    const rng = new ink.Rng(11);
    const p = ink.rand(options.shape, { rng, requiresGrad: true });
    const t = ink.rand(options.shape, { rng, requiresGrad: true });
    const unfused = () => {
      const d = ink.sub(p, t);
      const sq = ink.mul(d, d);
      return options.reduction === "mean" ? ink.mean(sq) : ink.sum(sq);
    };
    const loss = options.fused
      ? ink.squaredError(p, t, { reduction: options.reduction })
      : unfused();
    loss.backward(options.seed === undefined ? undefined : ink.tensor(options.seed));
    return [loss, p.grad!, t.grad!].map((x) => x.data as Float32Array);
  } finally {
    useKernels(previous);
  }
}

const BACKENDS = [
  ...FLOAT32_BACKENDS,
  { name: "wasm float32 (thresholds on)", kernels: loadWasmKernels(referenceKernels)! },
];

Deno.test("squaredError: fused equals sub → mul → sum/mean bit for bit on every backend", () => {
  // Rows of one element (1-D, trailing 1s) keep the unfused kernels; widths not a multiple of
  // 4 straddle vectors in wasm; 40×1031 spans several of its chunks.
  const shapes = [[3, 5], [36, 1024], [2000], [9, 1], [5, 7, 3], [40, 1031], [1, 9], [4, 3, 1]];
  for (const shape of shapes) {
    for (const reduction of ["sum", "mean"] as const) {
      for (const seed of [undefined, 0.37]) {
        for (const backend of BACKENDS) {
          const want = run(backend.kernels, { fused: false, reduction, shape, seed });
          const got = run(backend.kernels, { fused: true, reduction, shape, seed });
          const what = `${reduction} ${JSON.stringify(shape)} seed ${seed} on ${backend.name}`;
          ["loss", "d/dprediction", "d/dtarget"].forEach((name, i) => {
            assert.deepEqual(
              new Uint32Array(got[i].buffer, got[i].byteOffset, got[i].length),
              new Uint32Array(want[i].buffer, want[i].byteOffset, want[i].length),
              `${what}: ${name} differs`,
            );
          });
        }
      }
    }
  }
});

Deno.test("squaredError: the same tensor as prediction and target gives zero gradient", () => {
  const x = ink.rand([4, 3], { rng: new ink.Rng(1), requiresGrad: true });
  const loss = ink.squaredError(x, x);
  assert.equal(loss.item(), 0);
  loss.backward();
  assert.deepEqual([...x.grad!.data], new Array(12).fill(0));
});

Deno.test("squaredError: mismatched shapes and dtypes throw", () => {
  assert.throws(() => ink.squaredError(ink.zeros([2, 3]), ink.zeros([3, 2])), ink.ShapeError);
  assert.throws(
    () => ink.squaredError(ink.zeros([2]), ink.zeros([2], { dtype: "float64" })),
    ink.DTypeError,
  );
});

Deno.test("squaredError: a second backward (retainGraph) leaves the first gradient untouched", () => {
  const p = ink.rand([2, 3], { rng: new ink.Rng(2), requiresGrad: true });
  const t = ink.rand([2, 3], { rng: new ink.Rng(3) });
  const loss = ink.squaredError(p, t);
  loss.backward(undefined, { retainGraph: true });
  const first = p.grad!;
  const copy = [...first.data];
  p.zeroGrad();
  loss.backward();
  assert.deepEqual([...first.data], copy);
  assert.deepEqual([...p.grad!.data], copy);
});
