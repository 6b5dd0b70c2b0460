/**
 * Instantiates the kernel module from the base64 binaries of the generated
 * `kernels_wasm.ts`: the relaxed-SIMD build where the engine validates it,
 * else the plain-SIMD build, else nothing (no WebAssembly SIMD); and the
 * interface of its exports.
 *
 * @module
 */

import { PLAIN_SIMD_WASM, RELAXED_SIMD_WASM } from "./kernels_wasm.ts";

/** The functions and globals the kernel module exports (see the `.wat` files). */
export interface KernelExports {
  /** The module's memory. */
  readonly memory: WebAssembly.Memory;
  /** First byte the TypeScript side may use. */
  readonly SCRATCH_BASE: WebAssembly.Global;
  /** Rows of A that gemm packs per block. */
  readonly GEMM_MC: WebAssembly.Global;
  /** Inner indices that gemm packs per block. */
  readonly GEMM_KC: WebAssembly.Global;
  /** One task of the threaded gemm; see gemm.wat. */
  gemm_task(job: number, task: number, slot: number): void;
  /** See gemm.wat. */
  gemm(
    a: number,
    b: number,
    c: number,
    m: number,
    n: number,
    k: number,
    flags: number,
    work: number,
  ): void;
  /** out[i] = f_op(x[i]) for i < n (rounded up to a multiple of 4); see elementwise.wat. */
  unary(op: number, x: number, out: number, n: number): void;
  /** out[i] = f_op(a[i], b[i]); see elementwise.wat. */
  binary(op: number, a: number, b: number, out: number, n: number): void;
  /** out[i] = a[i]·alpha + b[i]·beta; see elementwise.wat. */
  axpby(a: number, alpha: number, b: number, beta: number, out: number, n: number): void;
  /** out[r, j] = x[r, j] + bias[j] over `rows` rows of `n`; see fused.wat. */
  add_bias(x: number, bias: number, out: number, rows: number, n: number): void;
  /** out[i] = grad[i]·f′_op(y[i]) (0 sigmoid, 1 tanh, 2 relu); see fused.wat. */
  activation_grad(op: number, y: number, grad: number, out: number, n: number): void;
  /** x[i] = 2·(seed·x[i]) in place; see fused.wat. */
  squared_error_grad(x: number, out: number, seed: number, n: number): void;
  /** One Adam step on p, m, v in place from g; see adam_update.wat. */
  adam_update(
    p: number,
    g: number,
    m: number,
    v: number,
    n: number,
    decay: number,
    wd: number,
    b1: number,
    c1: number,
    b2: number,
    c2: number,
    corr2: number,
    eps: number,
    scale: number,
  ): void;
  /** Sum along the middle axis; see reduce.wat. */
  sum_axis(x: number, out: number, outer: number, size: number, inner: number): void;
  /** diff = a − b and out = f32 column sums of diff² over `rows` rows of `w`; see reduce.wat. */
  squared_diff_columns(
    a: number,
    b: number,
    diff: number,
    out: number,
    rows: number,
    w: number,
    acc: number,
    clear: number,
  ): void;
  /** Softmax (log-softmax when `log` is 1) of contiguous rows; see reduce.wat. */
  softmax_rows(x: number, out: number, rows: number, size: number, log: number): void;
  /** cols = im2col(x) for the geometry in the trailing arguments; see conv.wat. */
  im2col(x: number, cols: number, ...geometry: number[]): void;
  /** out += col2im(cols); see conv.wat. */
  col2im(cols: number, out: number, ...geometry: number[]): void;
  /** Lane `task` of a convolution (job block at `job`); see conv_lanes.wat. */
  conv_lane_task(job: number, task: number, slot: number): void;
  /** One channel range of a threaded im2col or col2im (job block at `job`); see conv.wat. */
  unfold_task(job: number, task: number, slot: number): void;
  /** out[j, i, :] = x[i, j, :] (+ bias[i]) for x [a, b, inner]; see layout.wat. */
  swap_leading_axes(
    x: number,
    bias: number,
    out: number,
    a: number,
    b: number,
    inner: number,
    hasBias: number,
  ): void;
  /** Unpadded max pooling of `planes` h×w planes (geometry trailing); see pool.wat. */
  max_pool(x: number, out: number, index: number, planes: number, ...geometry: number[]): void;
  /** max_pool for 2×2 windows at stride 2 (geometry h, w, oh, ow); see pool.wat. */
  max_pool_2x2(x: number, out: number, index: number, planes: number, ...geometry: number[]): void;
  /** out[p, index] += grad for every window of every plane; see pool.wat. */
  unpool_add(
    grad: number,
    index: number,
    out: number,
    planes: number,
    planeIn: number,
    planeOut: number,
  ): void;
  /** unary over exactly n floats, the tail through `tmp`; see conv_lanes.wat. */
  unary_exact(op: number, x: number, n: number, tmp: number): void;
  /** grad ·= f′(y) over exactly n floats, the tails through `tmp`; see conv_lanes.wat. */
  activation_grad_exact(op: number, y: number, grad: number, n: number, tmp: number): void;
}

/** Which build to load: the best one the engine runs, or one forced (for tests). */
export type SimdVariant = "relaxed" | "plain";

/** An instantiated build: its exports and the binary they came from. */
export interface KernelInstance {
  /** The instance's exports. */
  exports: KernelExports;
  /** The build's binary, one of {@linkcode kernelBuilds} (the thread pool compiles it again). */
  binary: Uint8Array;
}

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

let builds: { relaxed: Uint8Array<ArrayBuffer>; plain: Uint8Array<ArrayBuffer> } | undefined;

/** The binaries of both builds, decoded once (the same objects on every call). */
export function kernelBuilds(): {
  relaxed: Uint8Array<ArrayBuffer>;
  plain: Uint8Array<ArrayBuffer>;
} {
  builds ??= { relaxed: decodeBase64(RELAXED_SIMD_WASM), plain: decodeBase64(PLAIN_SIMD_WASM) };
  return builds;
}

/**
 * Compiles and instantiates the kernel module synchronously (the binary is a
 * few KiB, well within what engines allow on a main thread). Returns null
 * when WebAssembly or the requested SIMD build is unavailable, or the
 * embedder refuses to compile it.
 */
export function instantiateKernels(variant?: SimdVariant): KernelInstance | null {
  if (typeof WebAssembly !== "object") return null;
  const { relaxed, plain } = kernelBuilds();
  const candidates = variant === "plain"
    ? [plain]
    : variant === "relaxed"
    ? [relaxed]
    : [relaxed, plain];
  for (const binary of candidates) {
    if (!WebAssembly.validate(binary)) continue;
    try {
      const instance = new WebAssembly.Instance(new WebAssembly.Module(binary), {});
      return { exports: instance.exports as unknown as KernelExports, binary };
    } catch {
      // A valid module that still does not compile: the embedder forbids
      // WebAssembly compilation (e.g. a content security policy).
      return null;
    }
  }
  return null;
}
