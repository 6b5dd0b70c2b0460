/**
 * The WebAssembly set's convolution of more than one chunk of images: the
 * batch's chunks run side by side in {@linkcode LANES} fixed lanes on the
 * engine's thread pool, each lane doing a whole chunk at a time — im2col, the product and the move into N×C×H×W forward; the move
 * back, the weight-gradient and column-gradient products and col2im
 * backward — with its own temporaries and a single-threaded product
 * (conv_lanes.wat). Without a pool the lanes run one after another here.
 *
 * Before, each chunk's small product (64×800 by 800×128 in the MNIST CNN's
 * second layer) was split over the threads and everything around it ran on
 * one; the split products ran at 40–57 GFLOP/s on two threads where one
 * thread alone reaches 26–38, and the unfolding, folding and layout moves
 * (5 of the step's 41 ms) stayed serial. Lanes took the 5×5 MNIST CNN's
 * training on wasm from 1,490–1,690 to 1,833–2,063 images/s (four
 * interleaved pairs).
 *
 * Lane l takes chunks l, l + 2, … and keeps its own weight-gradient partial,
 * added in lane order at the end; so one thread, running the lanes one
 * after another, gives the same bits as two. The output and the input
 * gradient are the chunk loop's bits; the weight gradient differs from the
 * chunk loop's in its last bits (summed per lane, then across lanes), as on
 * the native backend.
 *
 * @module
 */

import {
  type ActivationOp,
  type ConvChunks,
  type ConvPool,
  isFloat32,
  type Kernels,
  type Storage,
} from "../kernels.ts";
import { UNARY } from "./elementwise.ts";
import { ACTIVATION_CODE } from "./fused.ts";
import { align16, type WasmScratch } from "./scratch.ts";
import { CONV_LANE_TASK } from "./shared_memory.ts";

/** Convolution lanes: fixed, so a chunk's lane (and so the bits) never depends on the thread count. */
export const LANES = 2;

/** Words of conv_lane_task's job block (conv_lanes.wat). */
const JOB_WORDS = 28;

/** Whether lanes take this convolution: float32, more than one chunk. */
export function lanesTake(g: ConvChunks, ...arrays: (Storage | undefined)[]): boolean {
  return g.n > g.chunk && arrays.every((a) => a === undefined || isFloat32(a));
}

/**
 * Whether lanes take a fused pooling: 2×2 at stride 2, its extents given,
 * with a ReLU or no activation (which the pooling commutes with).
 */
export function poolFits(
  g: ConvChunks,
  pool: ConvPool,
  activation: ActivationOp | undefined,
): boolean {
  return pool.oh === Math.floor(g.oh / 2) && pool.ow === Math.floor(g.ow / 2) && pool.oh > 0 &&
    pool.ow > 0 && (activation === undefined || activation === "relu");
}

/** Elements of a convolution's input batch, output batch and weight. */
export function convSizes(g: ConvChunks): { image: number; outputs: number; weights: number } {
  return {
    image: g.n * g.c * g.h * g.w,
    outputs: g.n * g.oc * g.oh * g.ow,
    weights: g.oc * g.c * g.kh * g.kw,
  };
}

/**
 * The weight gradient from the lanes' partials at float `at` of `mem`, one
 * after another, each `gw.length` long: lane 0's plus lane 1's (every lane
 * has a chunk, since n > chunk), rounded to float32.
 */
export function addLanePartials(mem: Float32Array, at: number, gw: Storage): void {
  const size = gw.length;
  for (let i = 0; i < size; i++) gw[i] = Math.fround(mem[at + i] + mem[at + size + i]);
}

/**
 * Bytes of one lane's temporaries, in conv_lanes.wat's layout: its columns,
 * column gradient, product and a fused pooling's input (row blocks of
 * chunk·oh·ow floats, 16-byte rounded), the gemm workspace for the widest
 * product and an edge tile.
 */
function laneBytes(g: ConvChunks, gemm: { mc: number; kc: number }): number {
  const plane = g.oh * g.ow;
  const rows = g.c * g.kh * g.kw;
  const span = align16(g.chunk * plane * 4);
  const n8 = Math.ceil(Math.max(rows, g.chunk * plane) / 8) * 8;
  return align16(2 * (rows + g.oc) * span + (gemm.mc * gemm.kc + gemm.kc * n8) * 4 + 256);
}

/** Returns the optional convForward and convBackward kernels of the wasm backend. */
export function wasmConvLanes(
  scratch: WasmScratch,
): Pick<Required<Kernels>, "convForward" | "convBackward"> {
  const gemm = {
    mc: scratch.exports.GEMM_MC.value as number,
    kc: scratch.exports.GEMM_KC.value as number,
  };
  /**
   * Reserves `bytes` of operands then the job block and the lanes (moving
   * the scratch onto the pool's shared memory first when there is a pool);
   * runs `fill(job, base)` to place the operands from byte `base` and to
   * set the job's first words, then every lane. Returns `base`, or -1,
   * having done nothing, when the scratch cannot grow enough.
   */
  const runLanes = (
    g: ConvChunks,
    bytes: number,
    fill: (job: Int32Array, base: number) => void,
  ): number => {
    const parallel = scratch.parallel(1, 0);
    const base = scratch.base;
    const jobAt = base + bytes;
    const lanesAt = jobAt + align16(JOB_WORDS * 4);
    const perLane = laneBytes(g, gemm);
    if (!scratch.reserve(lanesAt + LANES * perLane - base)) return -1;
    const job = new Int32Array(scratch.f32.buffer, jobAt, JOB_WORDS);
    job.fill(-1);
    job.set(
      [
        g.n,
        g.c,
        g.h,
        g.w,
        g.kh,
        g.kw,
        g.oh,
        g.ow,
        g.oc,
        g.chunk,
        lanesAt,
        perLane,
        LANES,
        g.stride,
        g.pad,
      ],
      6,
    );
    fill(job, base);
    if (parallel !== null) {
      parallel.pool.run({
        module: parallel.module,
        fn: CONV_LANE_TASK,
        arg: jobAt,
        tasks: LANES,
        phase1: 0,
      });
    } else {
      for (let lane = 0; lane < LANES; lane++) scratch.exports.conv_lane_task(jobAt, lane, 0);
    }
    return base;
  };
  return {
    convForward: (x, args) => {
      const { weight, bias, activation, geo: g, out, pool } = args;
      if (!lanesTake(g, x, weight, bias, out) || (pool && !poolFits(g, pool, activation))) {
        return false;
      }
      const { image, outputs: whole, weights } = convSizes(g);
      // What the lanes write: the output, or the pooled cells and their positions.
      const outputs = pool ? g.n * g.oc * pool.oh * pool.ow : whole;
      const xAt = 0;
      const yAt = xAt + align16(image * 4);
      const indexAt = yAt + align16(outputs * 4);
      const wAt = indexAt + (pool ? align16(outputs * 4) : 0);
      const biasAt = wAt + align16(weights * 4);
      const base = runLanes(g, biasAt + align16(g.oc * 4), (job, at) => {
        const mem = scratch.f32;
        mem.set((x as Float32Array).subarray(0, image), (at + xAt) >> 2);
        mem.set((weight as Float32Array).subarray(0, weights), (at + wAt) >> 2);
        if (bias) mem.set((bias as Float32Array).subarray(0, g.oc), (at + biasAt) >> 2);
        job.set([0, at + xAt, at + yAt, at + wAt, bias ? at + biasAt : -1], 0);
        job[21] = activation ? UNARY[activation]!.code : -1;
        job.set(pool ? [pool.oh, pool.ow, at + indexAt] : [-1, -1, -1], 24);
      });
      if (base < 0) return false;
      out.set(scratch.f32.subarray((base + yAt) >> 2, ((base + yAt) >> 2) + outputs));
      if (pool) {
        pool.index.set(new Int32Array(scratch.f32.buffer, base + indexAt, outputs));
      }
      return true;
    },
    convBackward: (gz, args) => {
      const { x, weight, geo: g, gx, gw, activation, y, planeSums, pool } = args;
      if (
        !lanesTake(g, gz, x, weight, gx, gw, y, planeSums) || (activation && !y) ||
        (pool && !poolFits(g, pool, activation))
      ) return false;
      const { image, outputs, weights } = convSizes(g);
      // The gradient and output given: the whole ones, or the pooled cells'.
      const given = pool ? g.n * g.oc * pool.oh * pool.ow : outputs;
      const xAt = 0;
      const gzAt = xAt + align16(image * 4);
      const wAt = gzAt + align16(outputs * 4);
      const gxAt = wAt + align16(weights * 4);
      const gwAt = gxAt + align16(image * 4);
      const yAt = gwAt + align16(LANES * weights * 4);
      const sumsAt = yAt + (activation ? align16(given * 4) : 0);
      const sums = g.n * g.oc;
      const pooledAt = sumsAt + align16(sums * 4);
      const indexAt = pooledAt + (pool ? align16(given * 4) : 0);
      const base = runLanes(g, indexAt + (pool ? align16(given * 4) : 0), (job, at) => {
        const mem = scratch.f32;
        mem.set((x as Float32Array).subarray(0, image), (at + xAt) >> 2);
        if (pool) {
          mem.set((gz as Float32Array).subarray(0, given), (at + pooledAt) >> 2);
          new Int32Array(mem.buffer, at + indexAt, given).set(pool.index.subarray(0, given));
        } else {
          mem.set((gz as Float32Array).subarray(0, outputs), (at + gzAt) >> 2);
        }
        if (activation) mem.set((y as Float32Array).subarray(0, given), (at + yAt) >> 2);
        mem.set((weight as Float32Array).subarray(0, weights), (at + wAt) >> 2);
        // col2im adds into the input gradient.
        if (gx) mem.fill(0, (at + gxAt) >> 2, ((at + gxAt) >> 2) + image);
        job.set([
          1,
          at + xAt,
          at + gzAt,
          at + wAt,
          gx ? at + gxAt : -1,
          gw ? at + gwAt : -1,
        ], 0);
        job[21] = activation ? ACTIVATION_CODE[activation] : -1;
        job[22] = activation ? at + yAt : -1;
        job[23] = planeSums ? at + sumsAt : -1;
        job.set(pool ? [pool.oh, pool.ow, at + indexAt, at + pooledAt] : [-1, -1, -1, -1], 24);
      });
      if (base < 0) return false;
      const mem = scratch.f32;
      if (gx) gx.set(mem.subarray((base + gxAt) >> 2, ((base + gxAt) >> 2) + image));
      if (planeSums) {
        planeSums.set(mem.subarray((base + sumsAt) >> 2, ((base + sumsAt) >> 2) + sums));
      }
      if (gw) addLanePartials(mem, (base + gwAt) >> 2, gw);
      return true;
    },
  };
}
