/**
 * The native backend's convolution: a batch's chunks run side by side in
 * {@linkcode LANES} fixed lanes on the engine's thread pool, each lane doing
 * a whole chunk at a time — im2col, the sgemm, and the move into N×C×H×W in
 * the forward; the move back, the weight-gradient and column-gradient
 * sgemms and col2im in the backward (tasks.ts) — all in the pool's shared
 * WebAssembly memory, where both the WebAssembly kernels and BLAS (through
 * the memory's address) can reach the data. The caller copies the batch in
 * and the result out once per call, instead of around every kernel call.
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

import type { ConvChunks, Kernels } from "../kernels.ts";
import { addLanePartials, convSizes, LANES, lanesTake } from "../wasm/conv_lanes.ts";
import { align16 } from "../wasm/scratch.ts";
import type { Blas } from "./blas.ts";
import { address } from "./gemm.ts";
import { nativeHost, runTasks } from "./host.ts";
import { LANE_WORDS as L, sharedRegion } from "./jobs.ts";

/** Bytes of one lane's temporaries: its columns, its product (or dZ) and its column gradient. */
function laneBytes(g: ConvChunks): number {
  const plane = g.oh * g.ow;
  const rows = g.c * g.kh * g.kw;
  return align16((2 * rows + g.oc) * g.chunk * plane * 4);
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
  /** The job words every lane reads, before the per-call offsets. */
  const geometry = (g: ConvChunks, weight: Float32Array, base: number) => {
    const words = host.lane;
    words.fill(-1);
    words.set([g.n, g.c, g.h, g.w, g.kh, g.kw, g.oh, g.ow, g.oc, g.chunk, base, address(weight)]);
    words[L.stride] = g.stride;
    words[L.pad] = g.pad;
    return words;
  };
  return {
    convForward: (x, args) => {
      const { weight, bias, geo: g, out } = args;
      if (!lanesTake(g, x, weight, bias, out) || host.tasks.here.conv_forward === undefined) {
        return false;
      }
      const { image, outputs } = convSizes(g);
      const xAt = 0;
      const yAt = xAt + align16(image * 4);
      const biasAt = yAt + align16(outputs * 4);
      const lanesAt = biasAt + align16(g.oc * 4);
      const region = sharedRegion(lanesAt + LANES * laneBytes(g));
      if (region === null) return false;
      const { memory, start, base } = region;
      const mem = new Float32Array(memory.buffer);
      mem.set((x as Float32Array).subarray(0, image), (start + xAt) >> 2);
      if (bias) mem.set((bias as Float32Array).subarray(0, g.oc), (start + biasAt) >> 2);
      const words = geometry(g, weight as Float32Array, base);
      words[L.x] = start + xAt;
      words[L.y] = start + yAt;
      words[L.bias] = bias ? start + biasAt : -1;
      words[L.lanes] = start + lanesAt;
      words[L.laneBytes] = laneBytes(g);
      if (!runLanes("conv_forward")) return false;
      out.set(mem.subarray((start + yAt) >> 2, ((start + yAt) >> 2) + outputs));
      return true;
    },
    convBackward: (gz, args) => {
      const { x, weight, geo: g, gx, gw } = args;
      if (!lanesTake(g, gz, x, weight, gx, gw) || host.tasks.here.conv_backward === undefined) {
        return false;
      }
      const { image, outputs, weights: partial } = convSizes(g);
      const xAt = 0;
      const gzAt = xAt + align16(image * 4);
      const gxAt = gzAt + align16(outputs * 4);
      const gwAt = gxAt + align16(image * 4);
      const lanesAt = gwAt + align16(LANES * partial * 4);
      const region = sharedRegion(lanesAt + LANES * laneBytes(g));
      if (region === null) return false;
      const { memory, start, base } = region;
      const mem = new Float32Array(memory.buffer);
      mem.set((x as Float32Array).subarray(0, image), (start + xAt) >> 2);
      mem.set((gz as Float32Array).subarray(0, outputs), (start + gzAt) >> 2);
      if (gx) mem.fill(0, (start + gxAt) >> 2, ((start + gxAt) >> 2) + image);
      const words = geometry(g, weight as Float32Array, base);
      words[L.x] = start + xAt;
      words[L.gz] = start + gzAt;
      words[L.gx] = gx ? start + gxAt : -1;
      words[L.gw] = gw ? start + gwAt : -1;
      words[L.lanes] = start + lanesAt;
      words[L.laneBytes] = laneBytes(g);
      if (!runLanes("conv_backward")) return false;
      if (gx) gx.set(mem.subarray((start + gxAt) >> 2, ((start + gxAt) >> 2) + image));
      if (gw) addLanePartials(mem, (start + gwAt) >> 2, gw);
      return true;
    },
  };
}
