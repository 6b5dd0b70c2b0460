/**
 * The native backend's max pooling of large float32 batches (a CNN's
 * activations), its planes cut into {@linkcode PARTS} fixed parts that run
 * side by side on the engine's thread pool (tasks.ts). A worker has only
 * the arrays' addresses, and reads and writes them through views
 * (`Deno.UnsafePointerView`). Forward, each part copies its planes into its
 * own region of the pool's shared WebAssembly memory, pools them there with
 * the WebAssembly set's kernel and copies the maxima and positions out.
 * Backward, each part adds its planes' gradients at their positions.
 *
 * Measured inside the MNIST CNN's training step at batch 64 (4 interleaved
 * pairs of runs, µs per call, the fallback → two parts): the first pooling
 * (64×32×24×24) forward 1,028–1,369 → 564–756 and backward 502–526 →
 * 321–399; the second (64×64×8×8) 219–289 → 160–206 and 118–125 → 76–94;
 * the step 3,313–3,736 → 3,766–4,020 images/s.
 *
 * A window's maximum and position never depend on which part finds them,
 * and a plane's gradients are added in the same order whoever adds them, so
 * the bits are the fallback's for any thread count. Padded geometries,
 * small batches and other storage go to the fallback (the WebAssembly set).
 *
 * @module
 */

import { isFloat32, type Kernels, type Storage, type Window2d } from "../kernels.ts";
import { align16 } from "../wasm/scratch.ts";
import type { Blas } from "./blas.ts";
import { threadCount } from "../threads/mod.ts";
import { address } from "./gemm.ts";
import { nativeHost, runTasks } from "./host.ts";
import { PARTS, partStarts, POOL_WORDS as Q, sharedRegion } from "./jobs.ts";

/**
 * Batches with fewer input cells than this are pooled on the calling thread
 * (the fallback). Medians of 9 × 50 calls, µs, fallback → two parts, forward
 * and backward: 16×64×8×8 (65,536 cells) 42 → 65 and 29 → 38; 32×64×8×8
 * 82–86 → 75–110 and 56 → 65–91; 64×64×8×8 (262,144) 162 → 122–135 and
 * 113 → 100–103.
 */
export const POOL_SPLIT_MIN_INPUTS = 1 << 18;

/**
 * Returns the maxPool2d and maxPool2dBackward kernels of the native
 * backend. With `threads` 1, or a pool of one thread, every call goes to
 * the fallback.
 */
export function nativeMaxPool(
  blas: Blas,
  options: { fallback: Kernels; threads: 1 | null },
): Pick<Kernels, "maxPool2d" | "maxPool2dBackward"> {
  const { fallback, threads } = options;
  const host = nativeHost(blas);
  /**
   * Whether the parts take this call: more than one thread to run them
   * (on one, the fallback's copies through its scratch are cheaper than
   * the parts'), unpadded, large, float32, arrays at least as long as the
   * geometry says (the parts write through raw addresses), and the task
   * code present.
   */
  const takes = (g: Window2d, arrays: { cells: Storage; windows: Storage; index: Int32Array }) => {
    const planes = g.n * g.c;
    const [inputs, outputs] = [planes * g.h * g.w, planes * g.oh * g.ow];
    return threads !== 1 && threadCount() > 1 && g.pad === 0 &&
      inputs >= POOL_SPLIT_MIN_INPUTS && isFloat32(arrays.cells) &&
      isFloat32(arrays.windows) && arrays.cells.length >= inputs &&
      arrays.windows.length >= outputs && arrays.index.length >= outputs &&
      host.tasks.here.pool_part !== undefined;
  };
  /** Fills the job words of `g` (`from` → `to`) and runs task `name` in every part. */
  const run = (
    name: "pool_part" | "unpool_part",
    g: Window2d,
    arrays: { from: Float32Array; to: Float32Array; index: Int32Array },
  ) => {
    const words = host.pool;
    words[Q.from] = address(arrays.from);
    words[Q.to] = address(arrays.to);
    words[Q.index] = address(arrays.index);
    words.set([g.h, g.w, g.kh, g.kw, g.stride, g.oh, g.ow], Q.h);
    words.set(partStarts(g.n * g.c, 1), Q.starts);
    const task = host.tasks.here[name]!;
    runTasks(host, { name, count: PARTS, threads, here: (part) => task(0, part, 0) });
  };
  return {
    maxPool2d: (x, args) => {
      const { out, index } = args;
      if (!takes(args, { cells: x, windows: out, index })) {
        fallback.maxPool2d(x, args);
        return;
      }
      // The last part is the longest: its input, maxima and positions.
      const starts = partStarts(args.n * args.c, 1);
      const most = args.n * args.c - starts[PARTS - 1];
      const partBytes = align16(most * args.h * args.w * 4) +
        2 * align16(most * args.oh * args.ow * 4);
      const region = sharedRegion(PARTS * partBytes);
      if (region === null) {
        fallback.maxPool2d(x, args);
        return;
      }
      const words = host.pool;
      words[Q.region] = region.start;
      words[Q.partBytes] = partBytes;
      run("pool_part", args, { from: x as Float32Array, to: out as Float32Array, index });
    },
    maxPool2dBackward: (grad, args) => {
      const { out, index } = args;
      if (!takes(args, { cells: out, windows: grad, index })) {
        fallback.maxPool2dBackward(grad, args);
        return;
      }
      run("unpool_part", args, { from: grad as Float32Array, to: out as Float32Array, index });
    },
  };
}
