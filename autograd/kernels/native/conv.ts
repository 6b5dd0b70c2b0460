/**
 * The native backend's convolution: a batch's chunks run side by side in
 * {@linkcode LANES} fixed lanes on the engine's thread pool, each lane doing
 * a whole chunk at a time — im2col, the sgemm, and the move into N×C×H×W in
 * the forward; the move back, the weight-gradient and column-gradient
 * sgemms and col2im in the backward (tasks.ts) — all in the pool's shared
 * WebAssembly memory, where both the WebAssembly kernels and BLAS (through
 * the memory's address) can reach the data. Each lane copies its chunks of
 * the batch in and of the result out (BLAS `scopy` between the caller's
 * arrays and the shared memory), instead of copies around every kernel
 * call. (The caller did those copies before, once per call, with the other
 * thread waiting; the MNIST CNN's training went 3,522–3,706 → 3,729–3,761
 * images/s on two threads and 2,448 → 2,514 on one, in interleaved runs.)
 *
 * Splitting only the gemms left everything else on one thread (14 of the 25
 * ms of an MNIST CNN training step); lanes took that step from 2,753–2,928
 * to 3,290–3,919 images/s.
 *
 * Lanes are fixed by the shapes (lane l takes chunks l, l + 2, …) and each
 * keeps its own weight-gradient partial, added in lane order at the end; so
 * one thread, running the lanes one after another, gives the same bits as
 * two. The output and the input gradient are the chunk loop's bits (the same
 * sgemm calls); the weight gradient differs from the chunk loop's in its
 * last bits (summed per lane, then across lanes).
 *
 * @module
 */

import type { ConvChunks, ConvPool, Kernels, Storage } from "../kernels.ts";
import { addLanePartials, convSizes, LANES, lanesTake, poolFits } from "../wasm/conv_lanes.ts";
import { UNARY } from "../wasm/elementwise.ts";
import { ACTIVATION_CODE } from "../wasm/fused.ts";
import { align16 } from "../wasm/scratch.ts";
import type { Blas } from "./blas.ts";
import { address } from "./gemm.ts";
import { nativeHost, runTasks } from "./host.ts";
import { LANE_WORDS as L, sharedRegion } from "./jobs.ts";

/**
 * Bytes of one lane's temporaries: its columns, its product (or dZ), its
 * column gradient, its chunk of the forward's output (for an activation's
 * gradient, or a fused pooling's input), 128 bytes for the WebAssembly
 * kernels' tails, and a fused pooling's cells (tasks.ts).
 */
function laneBytes(g: ConvChunks): number {
  const plane = g.oh * g.ow;
  const rows = g.c * g.kh * g.kw;
  return align16((2 * rows + 3 * g.oc) * g.chunk * plane * 4 + 128);
}

/**
 * Returns the optional convForward and convBackward kernels of the native
 * backend. `threads` 1 runs the lanes one after another on the calling
 * thread, as the native gemm does.
 */
export function nativeConv(
  blas: Blas,
  threads: 1 | null,
): Pick<Required<Kernels>, "convForward" | "convBackward"> {
  const host = nativeHost(blas);
  /** Runs `name` in every lane, on the pool when there is one; false without the lanes' code. */
  const runLanes = (name: "conv_forward" | "conv_backward"): boolean => {
    const task = host.tasks.here[name];
    if (task === undefined) return false;
    runTasks(host, { name, count: LANES, threads, here: (lane) => task(0, lane, 0) });
    return true;
  };
  /**
   * Whether each array holds at least `length` elements: the lanes read and
   * write the caller's arrays through their addresses (copying with BLAS's
   * level-1 routines, which the library must have).
   */
  const hold = (...pairs: [Storage | Int32Array | undefined, number][]) =>
    blas.level1 !== null && pairs.every(([a, length]) => a === undefined || a.length >= length);
  /** The job words every lane reads, before the per-call offsets. */
  const geometry = (
    g: ConvChunks,
    weight: Float32Array,
    base: number,
    pool: ConvPool | undefined,
  ) => {
    const words = host.lane;
    words.fill(-1);
    words.set([g.n, g.c, g.h, g.w, g.kh, g.kw, g.oh, g.ow, g.oc, g.chunk, base, address(weight)]);
    words[L.stride] = g.stride;
    words[L.pad] = g.pad;
    words[L.poolOh] = pool ? pool.oh : -1;
    words[L.poolOw] = pool ? pool.ow : -1;
    words[L.callerIndex] = pool ? address(pool.index) : -1;
    return words;
  };
  return {
    convForward: (x, args) => {
      const { weight, bias, activation, geo: g, out, pool } = args;
      const { image, outputs, weights } = convSizes(g);
      const cells = pool ? g.n * g.oc * pool.oh * pool.ow : outputs;
      if (
        !lanesTake(g, x, weight, bias, out) || host.tasks.here.conv_forward === undefined ||
        (pool && !poolFits(g, pool, activation)) ||
        !hold([x, image], [out, cells], [weight, weights], [bias, g.oc], [pool?.index, cells])
      ) {
        return false;
      }
      const xAt = 0;
      const yAt = xAt + align16(image * 4);
      // A fused pooling's output passes through each lane's temporaries alone.
      const biasAt = yAt + (pool ? 0 : align16(outputs * 4));
      const lanesAt = biasAt + align16(g.oc * 4);
      const region = sharedRegion(lanesAt + LANES * laneBytes(g));
      if (region === null) return false;
      const { memory, start, base } = region;
      if (bias) {
        new Float32Array(memory.buffer).set(
          (bias as Float32Array).subarray(0, g.oc),
          (start + biasAt) >> 2,
        );
      }
      const words = geometry(g, weight as Float32Array, base, pool);
      words[L.x] = start + xAt;
      words[L.y] = start + yAt;
      words[L.bias] = bias ? start + biasAt : -1;
      words[L.lanes] = start + lanesAt;
      words[L.laneBytes] = laneBytes(g);
      words[L.callerX] = address(x as Float32Array);
      words[L.callerY] = address(out as Float32Array);
      words[L.activation] = activation ? UNARY[activation]!.code : -1;
      return runLanes("conv_forward");
    },
    convBackward: (gz, args) => {
      const { x, weight, geo: g, gx, gw, activation, y, planeSums, pool } = args;
      const { image, outputs, weights: partial } = convSizes(g);
      const sums = g.n * g.oc;
      // The output gradient and the output the lanes read: pooled with a fused pooling.
      const cells = pool ? g.n * g.oc * pool.oh * pool.ow : outputs;
      if (
        !lanesTake(g, gz, x, weight, gx, gw, y, planeSums) || (activation && !y) ||
        host.tasks.here.conv_backward === undefined || (pool && !poolFits(g, pool, activation)) ||
        !hold(
          [gz, cells],
          [x, image],
          [weight, partial],
          [gx, image],
          [gw, partial],
          [activation ? y : undefined, cells],
          [planeSums, sums],
          [pool?.index, cells],
        )
      ) {
        return false;
      }
      const xAt = 0;
      const gzAt = xAt + align16(image * 4);
      const gxAt = gzAt + align16(outputs * 4);
      const gwAt = gxAt + align16(image * 4);
      const sumsAt = gwAt + align16(LANES * partial * 4);
      const lanesAt = sumsAt + align16(sums * 4);
      const region = sharedRegion(lanesAt + LANES * laneBytes(g));
      if (region === null) return false;
      const { memory, start, base } = region;
      const words = geometry(g, weight as Float32Array, base, pool);
      words[L.x] = start + xAt;
      words[L.gz] = start + gzAt;
      words[L.gx] = gx ? start + gxAt : -1;
      words[L.gw] = gw ? start + gwAt : -1;
      words[L.lanes] = start + lanesAt;
      words[L.laneBytes] = laneBytes(g);
      words[L.callerX] = address(x as Float32Array);
      words[L.callerGz] = address(gz as Float32Array);
      words[L.callerGx] = gx ? address(gx as Float32Array) : -1;
      words[L.activation] = activation ? ACTIVATION_CODE[activation] : -1;
      words[L.callerOut] = activation ? address(y as Float32Array) : -1;
      words[L.planeSums] = planeSums ? start + sumsAt : -1;
      if (!runLanes("conv_backward")) return false;
      const mem = new Float32Array(memory.buffer);
      if (gw) addLanePartials(mem, (start + gwAt) >> 2, gw);
      if (planeSums) {
        planeSums.set(mem.subarray((start + sumsAt) >> 2, ((start + sumsAt) >> 2) + sums));
      }
      return true;
    },
  };
}
