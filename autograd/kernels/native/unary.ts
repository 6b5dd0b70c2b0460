/**
 * The native backend's unary math on large float32 arrays — exp, log,
 * sigmoid, tanh and ReLU — cut into {@linkcode PARTS} fixed parts that run
 * side by side on the engine's thread pool. Each part copies its share of
 * the input from the caller's array into its own region of the pool's
 * shared WebAssembly memory with BLAS's `scopy` (a worker has only the
 * array's address), runs the WebAssembly set's `unary` there and copies the
 * result back (tasks.ts). Everything else — shorter arrays (see
 * {@linkcode SPLIT_MIN_LENGTH}), other storage, a library without the
 * level-1 routines — goes to the fallback (the
 * WebAssembly set), which streams the array through its scratch on the
 * calling thread.
 *
 * Only these ops are split because only they gained inside a training step.
 * On the autoencoder's 36×1024 output (µs per call, fallback → parts): alone
 * in a loop, sigmoid 49 → 31 and the light kernels gained too (add 16 → 12,
 * activationGrad 17 → 13); but in the training step sigmoid went 52–57 →
 * 36–38 while the light ones lost as much as they won (squaredErrorGrad
 * 10 → 14–18, the bias add 17 → 20–25), since their operands then had to
 * move between the cores' caches from one kernel to the next.
 *
 * A linear layer's bias add runs in the same parts when one of these ops
 * follows it (addBias with an activation): the bias is added in the part's
 * region before the op, as the WebAssembly set's addBias does in its
 * scratch, and the separate pass over the output on the calling thread is
 * gone.
 *
 * The parts run the WebAssembly set's own build and every element is
 * computed alone, so the bits are the fallback's for any thread count. Part
 * edges are multiples of 64 elements (jobs.ts). With one thread the parts
 * would only add their copies, so every call goes to the fallback: run one
 * after another, the parts took 96 µs for the autoencoder's bias add and
 * sigmoid (36×1024) against 74 in the fallback, 25 against 20 for exp of
 * 2^14 floats and 38 against 27 for ReLU of 2^16.
 *
 * @module
 */

import { isFloat32, type Kernels, type Storage, type UnaryOp } from "../kernels.ts";
import { UNARY } from "../wasm/elementwise.ts";
import type { Blas } from "./blas.ts";
import { address } from "./gemm.ts";
import { threadCount } from "../threads/mod.ts";
import { nativeHost, runTasks } from "./host.ts";
import { PARTS, partStarts, sharedRegion, slotBytes, UNARY_WORDS as W } from "./jobs.ts";

/**
 * The ops split into parts, each with the shortest array it is split for
 * (shorter ones run on the calling thread, in the fallback): from 2^14
 * elements those costing a nanosecond or more per element; ReLU, a light
 * op (light ops lost in parts at the autoencoder's 36,864 elements, below),
 * only from 2^16, the size of the smaller array it was measured to gain on:
 * in the MNIST CNN's training step, ReLU over its pooled outputs (294,912
 * and 65,536 floats) took 306–399 µs per step in the fallback and 202–253
 * in parts (three runs each, two threads).
 */
export const SPLIT_MIN_LENGTH: Readonly<Partial<Record<UnaryOp, number>>> = Object.freeze({
  exp: 1 << 14,
  log: 1 << 14,
  sigmoid: 1 << 14,
  tanh: 1 << 14,
  relu: 1 << 16,
});

/**
 * Returns the unary kernel of the native backend, and its addBias, which
 * runs a bias add followed by one of these ops in the same parts (the
 * linear layer's forward; whole rows per part). With `threads` 1, or a
 * pool of one thread, every call goes to the fallback.
 */
export function nativeUnary(
  blas: Blas,
  options: { fallback: Kernels; threads: 1 | null },
): Pick<Kernels, "unary" | "addBias"> {
  const { fallback, threads } = options;
  const host = nativeHost(blas);
  /** Runs the op (after the bias add) in parts; false when it cannot. */
  const run = (code: number, x: Float32Array, out: Float32Array, bias?: Float32Array): boolean => {
    const task = host.tasks.here.unary_part;
    if (threads === 1 || threadCount() === 1 || blas.level1 === null || task === undefined) {
      return false;
    }
    const n = out.length;
    const width = bias?.length ?? 0;
    const starts = bias ? partStarts(n, width) : partStarts(n);
    // The last part is the longest; the bias follows the part's slot.
    const partBytes = slotBytes(n - starts[PARTS - 1]) + slotBytes(width);
    const region = sharedRegion(PARTS * partBytes);
    if (region === null) return false;
    const words = host.unary;
    words[W.code] = code;
    words[W.x] = address(x);
    words[W.out] = address(out);
    words[W.bias] = bias ? address(bias) : -1;
    words[W.width] = width;
    words[W.base] = region.base;
    words[W.region] = region.start;
    words[W.partBytes] = partBytes;
    words.set(starts, W.starts);
    runTasks(host, {
      name: "unary_part",
      count: PARTS,
      threads,
      here: (part) => task(0, part, 0),
    });
    return true;
  };
  /** The op's code when it is split and the arrays are long float32 ones; else undefined. */
  const splitCode = (op: UnaryOp | undefined, ...arrays: Storage[]) =>
    op !== undefined && arrays[0].length >= (SPLIT_MIN_LENGTH[op] ?? Infinity) &&
      arrays.every(isFloat32)
      ? UNARY[op]?.code
      : undefined;
  return {
    unary: (op, x, out) => {
      const code = splitCode(op, out, x);
      if (code === undefined || !run(code, x as Float32Array, out as Float32Array)) {
        fallback.unary(op, x, out);
      }
    },
    addBias: (x, args) => {
      const { bias, out, activation } = args;
      const code = bias.length === 0 ? undefined : splitCode(activation, out, x, bias);
      if (
        code === undefined ||
        !run(code, x as Float32Array, out as Float32Array, bias as Float32Array)
      ) {
        fallback.addBias(x, args);
      }
    },
  };
}
