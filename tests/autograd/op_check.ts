/**
 * The one test helper every op and layer goes through, on every backend (as
 * tinygrad's `helper_test_op` and tfjs's `ALL_ENVS` do):
 *
 * 1. the reference backend in float64: forward against a plain-loop
 *    reference where one is given, and the backward against central
 *    differences (`gradcheck`, relative error ≤ 1e-6);
 * 2. every float32 backend — the reference kernels, the WebAssembly
 *    kernels in both builds (relaxed and plain SIMD) with their size
 *    thresholds off, so even these small shapes run in WebAssembly, and the
 *    native kernels (BLAS gemm over the relaxed-SIMD set) where FFI is
 *    permitted and a BLAS is installed — forward and backward (input
 *    gradients for a random upstream gradient), compared with the float64
 *    result at float32 tolerance.
 *
 * Ops without a gradient (comparisons, argmax, in-place updates) get the
 * same forward checks. Inputs and parameters are drawn as float32 values, so
 * every backend sees exactly the same numbers and only the arithmetic
 * differs.
 */

import assert from "node:assert/strict";
import { type DType, gradcheck, Rng, Tensor } from "../../mod.ts";
import type { Module } from "../../layers/mod.ts";
import {
  type Kernels,
  loadNativeKernels,
  loadWasmKernels,
  referenceKernels,
  useKernels,
} from "../../autograd/kernels/mod.ts";

/** How to fill an input: values away from kinks and poles so differences are smooth. */
export type Domain = "any" | "positive" | "awayFromZero" | "distinct";

/** One input of an op case. */
export interface InputSpec {
  /** Shape of the input. */
  shape: number[];
  /** Value domain (default "any": uniform in [−1, 1]). */
  domain?: Domain;
  /** Perturbed and checked (default true). */
  grad?: boolean;
}

/** An op under test. */
export interface OpCase {
  /** Test name. */
  name: string;
  /** The op applied to the inputs. */
  fn: (...inputs: Tensor[]) => Tensor;
  /** Inputs to build. */
  inputs: InputSpec[];
  /** Plain-loop reference of the forward result (flat, row-major) from the flat inputs. */
  reference?: (...inputs: Float64Array[]) => ArrayLike<number>;
  /** Expected output shape. */
  shape?: number[];
  /** False for ops with no gradient (comparisons, argmax, in-place updates): forward only. */
  differentiable?: boolean;
}

/** A layer under test: its input and its parameters are checked. */
export interface LayerCase {
  /** Test name. */
  name: string;
  /** Builds the layer in `dtype`; called once per dtype with the same seeded `rng`. */
  layer: (options: { dtype: DType; rng: Rng }) => Module;
  /** Its input. */
  input: InputSpec;
}

/** A float32 backend the cases run on. */
interface Float32Backend {
  name: string;
  kernels: Kernels;
}

function wasm(simd: "relaxed" | "plain"): Float32Backend {
  const kernels = loadWasmKernels(referenceKernels, { simd, ignoreThresholds: true });
  assert.ok(kernels, `the ${simd}-SIMD WebAssembly build must load on this engine`);
  return { name: `wasm (${simd} SIMD) float32`, kernels };
}

/** The native backend when this machine has it; otherwise none, and one line says why. */
function native(): Float32Backend[] {
  const load = loadNativeKernels(wasm("relaxed").kernels);
  if (load.kernels === null) {
    console.log(`op_check: the native backend is skipped: ${load.reason}`);
    return [];
  }
  return [{ name: `native (${load.library}) float32`, kernels: load.kernels }];
}

/** Every float32 backend, checked against the float64 reference. */
export const FLOAT32_BACKENDS: readonly Float32Backend[] = [
  { name: "reference float32", kernels: referenceKernels },
  wasm("relaxed"),
  wasm("plain"),
  ...native(),
];

/**
 * {@linkcode FLOAT32_BACKENDS} and the sets training runs on: WebAssembly
 * with its default size thresholds (where a kernel switches between the
 * reference and WebAssembly, and so between their roundings), and native
 * over it. The optimizer-update tests run on these.
 */
export const TRAINING_BACKENDS: readonly Float32Backend[] = (() => {
  const defaults = loadWasmKernels(referenceKernels);
  assert.ok(defaults, "the WebAssembly kernels must load on this engine");
  const native = loadNativeKernels(defaults).kernels;
  return [
    ...FLOAT32_BACKENDS,
    { name: "wasm (default thresholds)", kernels: defaults },
    ...(native ? [{ name: "native over default wasm", kernels: native }] : []),
  ];
})();

/**
 * Float32 tolerance: |got − want| ≤ 1e-5·|want| + 1e-6·max|want|. Float32
 * keeps 24 bits (6e-8 relative); the cases here sum at most a few hundred
 * terms and the WebAssembly exp/log/tanh are polynomials good to a few ulps,
 * so an error of 1e-5 of the value (about 80 ulps), or 1e-6 of the tensor's
 * largest value where terms cancel, is a bug, not rounding. (Measured: the
 * worst case uses a fifth of it, a cross-entropy gradient at 2e-6 relative.)
 */
const RTOL = 1e-5;
const SCALE_ATOL = 1e-6;

/** Draws `spec`'s values (rounded to float32, so every dtype sees the same numbers). */
function values(spec: InputSpec, rng: Rng): Float64Array {
  const size = spec.shape.reduce((p, d) => p * d, 1);
  const data = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    const u = rng.uniform(-1, 1);
    switch (spec.domain ?? "any") {
      case "any":
        data[i] = u;
        break;
      case "positive":
        data[i] = 0.2 + Math.abs(u);
        break;
      case "awayFromZero":
        data[i] = Math.sign(u || 1) * (0.1 + Math.abs(u));
        break;
      case "distinct": // a shuffled ramp: no ties for max/maxPool
        data[i] = ((i * 7919) % size + 0.5) / size - 0.5;
        break;
    }
  }
  return data.map(Math.fround);
}

function tensorOf(data: Float64Array, shape: number[], dtype: DType, requiresGrad: boolean) {
  const storage = dtype === "float64" ? data.slice() : Float32Array.from(data);
  return new Tensor(storage, shape, { requiresGrad });
}

/** A case ready to run in one dtype: the tensors whose gradients are compared, and the function. */
interface Trial {
  inputs: Tensor[];
  run: () => Tensor;
  /** gradcheck's view: the same function, taking the inputs. */
  fn: (...inputs: Tensor[]) => Tensor;
}

/** Runs `body` with `kernels` active, then restores the kernels that were. */
export function withKernels<T>(kernels: Kernels, body: () => T): T {
  const previous = useKernels(kernels);
  try {
    return body();
  } finally {
    useKernels(previous);
  }
}

function assertClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  assert.equal(got.length, want.length, `${what}: size`);
  let scale = 0;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]));
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(got[i] - want[i]);
    assert.ok(
      err <= RTOL * Math.abs(want[i]) + SCALE_ATOL * scale,
      `${what}[${i}] = ${got[i]}, float64 reference ${want[i]} (|error| ${err})`,
    );
  }
}

/** Runs `trial` forward, and backward with `upstream` as the output gradient (unless null). */
function forwardBackward(trial: Trial, upstream: Float64Array | null) {
  for (const t of trial.inputs) t.grad = null;
  const out = trial.run();
  if (upstream) out.backward(tensorOf(upstream, [...out.shape], out.dtype, false));
  return {
    shape: [...out.shape],
    output: Float64Array.from(out.data),
    grads: trial.inputs.map((t) => (t.grad ? Float64Array.from(t.grad.data) : null)),
  };
}

/** Checks a case given as a builder of trials in each dtype (see the module doc). */
function checkTrials(name: string, build: (dtype: DType) => Trial, options: {
  reference?: (...inputs: Float64Array[]) => ArrayLike<number>;
  shape?: number[];
  differentiable?: boolean;
}): void {
  const backward = options.differentiable ?? true;
  // 1. float64 on the reference kernels: forward vs loops, backward vs differences.
  const exact = withKernels(referenceKernels, () => {
    const trial = build("float64");
    const out = trial.run();
    if (options.shape) assert.deepEqual([...out.shape], options.shape, `${name}: output shape`);
    if (options.reference) {
      const expected = options.reference(...trial.inputs.map((t) => t.data as Float64Array));
      assert.equal(out.size, expected.length, `${name}: output size`);
      for (let i = 0; i < out.size; i++) {
        const e = expected[i];
        assert.ok(
          Math.abs(out.data[i] - e) <= 1e-12 + 1e-10 * Math.abs(e),
          `${name}: forward[${i}] = ${out.data[i]}, reference ${e}`,
        );
      }
    }
    const upstream = values({ shape: [out.size] }, new Rng(99));
    if (!backward) return { upstream, ...forwardBackward(trial, null) };
    const report = gradcheck(trial.fn, trial.inputs, { atol: 1e-9, rtol: 1e-6 });
    assert.ok(
      report.ok && report.maxRelError <= 1e-6,
      `${name}: gradcheck failed ${JSON.stringify(report.worst)} (max rel ${report.maxRelError})`,
    );
    return { upstream, ...forwardBackward(trial, upstream) };
  });
  // 2. every float32 backend against it.
  for (const backend of FLOAT32_BACKENDS) {
    const got = withKernels(
      backend.kernels,
      () => forwardBackward(build("float32"), backward ? exact.upstream : null),
    );
    const where = `${name} on ${backend.name}`;
    assert.deepEqual(got.shape, exact.shape, `${where}: output shape`);
    assertClose(got.output, exact.output, `${where}: forward`);
    exact.grads.forEach((want, i) => {
      if (want === null) return;
      assert.ok(got.grads[i], `${where}: no gradient for input ${i}`);
      assertClose(got.grads[i]!, want, `${where}: gradient of input ${i}`);
    });
  }
}

/** Checks one op on every backend (see the module doc); throws naming the backend on a mismatch. */
export function checkOp(opCase: OpCase, seed = 1): void {
  const rng = new Rng(seed);
  const data = opCase.inputs.map((spec) => values(spec, rng));
  checkTrials(opCase.name, (dtype) => {
    const inputs = opCase.inputs.map((spec, i) =>
      tensorOf(data[i], spec.shape, dtype, (spec.grad ?? true) && opCase.differentiable !== false)
    );
    return { inputs, run: () => opCase.fn(...inputs), fn: opCase.fn };
  }, opCase);
}

/** Checks one layer on every backend: its input and all its parameters. */
export function checkLayer(layerCase: LayerCase, seed = 1): void {
  const input = values(layerCase.input, new Rng(seed));
  // The float32 layer's initial weights, shared by both dtypes.
  const weights = layerCase.layer({ dtype: "float32", rng: new Rng(seed + 1) }).parameters()
    .map((p) => Float64Array.from(p.data));
  checkTrials(layerCase.name, (dtype) => {
    const layer = layerCase.layer({ dtype, rng: new Rng(seed + 1) });
    const params = layer.parameters();
    params.forEach((p, i) => p.data.set(weights[i]));
    const x = tensorOf(input, layerCase.input.shape, dtype, layerCase.input.grad ?? true);
    return { inputs: [x, ...params], run: () => layer.forward(x), fn: (v) => layer.forward(v) };
  }, {});
}
