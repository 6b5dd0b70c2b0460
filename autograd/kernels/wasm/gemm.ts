/**
 * The TypeScript side of the WebAssembly gemm: copies A, B (and C when
 * accumulating) into scratch memory, runs the blocked SIMD product of
 * `gemm.wat`, copies C back. An operand that is resident storage
 * (resident.ts: a convolution's columns) is used where it is instead; the
 * packing reads only its m×k or k×n elements and the kernel writes exactly
 * the m×n of C. Products below a size threshold, or on
 * Float64Array storage, go to the fallback kernels; large ones run on the
 * thread pool (`gemm_task` of gemm.wat, tiled by {@linkcode gemmJob}).
 *
 * @module
 */

import type { GemmArgs, Kernels } from "../kernels.ts";
import { align16, type Parallel, type WasmScratch } from "./scratch.ts";
import { GEMM_TASK } from "./shared_memory.ts";
import { MAX_TASKS } from "../threads/mod.ts";

/** Flag bits of the exported gemm (gemm.wat). */
const TRANS_A = 1;
const TRANS_B = 2;
const ACCUMULATE = 4;

/**
 * Smallest m·n·k sent to WebAssembly. A call costs about 0.1 µs of fixed
 * overhead; medians on the dev machine, reference / wasm in µs (m×k×n):
 * 4×4×4 0.098/0.112, 6×6×6 0.237/0.126, 7×7×7 0.330/0.159,
 * 8×8×8 0.395/0.135, 32×64×36 29.5/4.0.
 */
const MIN_VOLUME = 256;

/**
 * A single row (m = 1) stays with the reference: the 6-row micro-kernel
 * would waste 5/6 of its work (1×1024×64: 24.3/21.8 µs, transB 21.3/30.6).
 */
const MIN_ROWS = 2;

/** Returns the gemm kernel of the wasm backend. */
export function wasmGemm(scratch: WasmScratch, fallback: Kernels): (args: GemmArgs) => void {
  const mc = scratch.exports.GEMM_MC.value as number;
  const kc = scratch.exports.GEMM_KC.value as number;
  return (args) => {
    const { a, b, c, m, n, k } = args;
    if (
      !(a instanceof Float32Array && b instanceof Float32Array && c instanceof Float32Array) ||
      scratch.small(m * n * k, MIN_VOLUME) || scratch.small(m, MIN_ROWS)
    ) {
      fallback.gemm(args);
      return;
    }
    const parallel = scratch.parallel(m * n * k, THREAD_MIN_VOLUME);
    // Addresses before any reserve: finding one may move the scratch onto the shared memory.
    const resident = [a, b, c].map((x) => scratch.addressOf(x));
    if (parallel !== null && threadedGemm(scratch, parallel, args, resident)) return;
    const aSize = m * k;
    const bSize = k * n;
    const cSize = m * n;
    const aSlot = scratch.base;
    const bSlot = aSlot + align16(aSize * 4);
    const cSlot = bSlot + align16(bSize * 4);
    const work = cSlot + align16(cSize * 4);
    // Packed blocks (gemm.wat): MC×KC of A, then KC × (n rounded up to 8) of B.
    const workBytes = (mc * kc + kc * (Math.ceil(n / 8) * 8)) * 4;
    if (!scratch.reserve(work + workBytes - scratch.base)) {
      fallback.gemm(args);
      return;
    }
    const [aAt, bAt, cAt] = placeOperands(scratch, args, resident, [aSlot, bSlot, cSlot]);
    scratch.exports.gemm(aAt, bAt, cAt, m, n, k, gemmFlags(args), work);
    scratch.copyOut(c, resident[2], cSlot, 0, cSize);
  };
}

/**
 * The byte addresses of A, B and C for the kernel: each resident one where
 * it is, the others copied into their scratch slots (C only when
 * accumulating; otherwise the kernel writes it).
 */
function placeOperands(
  scratch: WasmScratch,
  args: GemmArgs,
  resident: number[],
  slots: number[],
): number[] {
  const { m, n, k } = args;
  const sizes = [m * k, k * n, m * n];
  return [args.a, args.b, args.c].map((x, i) =>
    i === 2 && !args.accumulate
      ? scratch.output(resident[2], slots[2], 0)
      : scratch.input(x as Float32Array, resident[i], slots[i], 0, sizes[i])
  );
}

function gemmFlags(args: GemmArgs): number {
  return (args.transA ? TRANS_A : 0) | (args.transB ? TRANS_B : 0) |
    (args.accumulate ? ACCUMULATE : 0);
}

/**
 * Smallest m·n·k run on several threads. A job costs the caller about 6 µs
 * more than running alone when the workers have nothing to do (publish,
 * wake, wait: `thread_handoff_us` of bench/threads.ts; 1.6 µs since the
 * workers poll for a moment before they sleep), more when a worker
 * must first be woken from a deep sleep, and the threads spend 3-8% more CPU
 * time in all (B and A are packed whole, and claims) — measured on the
 * 2-core dev machine, whose other core was busy. At 2^20 (128×64×128, 35 µs
 * alone at 60 GFLOP/s) half the product saves about three hand-offs.
 */
const THREAD_MIN_VOLUME = 1 << 20;

/**
 * Target tile of C per task. A claim costs well under a µs, so tiles can be
 * small: what matters is that a thread finishing early finds work (with the
 * other core busy, the caller waited 0.5-1.5 ms at the end of a 256×1024×256
 * product cut into 6 tiles of 48×256, 0.04 ms with 12 of 48×128). Both are
 * multiples of the 6×8 micro-tile, so no micro-tile is cut.
 */
const TILE_ROWS = 48;
const TILE_COLS = 128;

/** Target floats packed per packing task. */
const PACK_FLOATS = 32768;

/** Splits `size` into about `size / target` parts, each a multiple of `align`. */
function split(size: number, target: number, align: number): { per: number; count: number } {
  const parts = Math.ceil(size / target);
  const per = Math.ceil(Math.ceil(size / parts) / align) * align;
  return { per, count: Math.ceil(size / per) };
}

/**
 * The task grid of a threaded gemm: packing tasks for A (row ranges) and B
 * (column ranges), then tiles of C. It depends on the shape only — and the
 * bits of C do not even depend on it (gemm.wat).
 */
export function gemmJob(m: number, n: number, k: number) {
  const packA = split(m, Math.max(6, Math.floor(PACK_FLOATS / k)), 6);
  const packB = split(n, Math.max(8, Math.floor(PACK_FLOATS / k)), 8);
  const rows = split(m, TILE_ROWS, 6);
  const cols = split(n, TILE_COLS, 8);
  const phase1 = packA.count + packB.count;
  return { packA, packB, rows, cols, phase1, tasks: phase1 + rows.count * cols.count };
}

/** Words of the job block gemm_task reads (gemm.wat). */
const JOB_WORDS = 18;

/**
 * Runs a gemm on the pool: copies in, packs and multiplies in tasks, copies
 * C out. Returns false, having done nothing, when the scratch cannot grow
 * enough, the grid has too many tasks, or C is a single tile (the caller
 * then runs on one thread). A single tile of C is multiplied by one thread
 * anyway, so the pool would only share out the packing, and measured
 * slower than one thread: 36×32×1024 (a layer's forward product at batch
 * 36) 110–122 → 84–95 µs without the pool, 32×64×1024 221–226 → 160–168.
 */
function threadedGemm(
  scratch: WasmScratch,
  parallel: Parallel,
  args: GemmArgs,
  resident: number[],
): boolean {
  const { m, n, k } = args;
  const c = args.c as Float32Array;
  const job = gemmJob(m, n, k);
  if (job.tasks > MAX_TASKS || job.rows.count * job.cols.count < 2) return false;
  const aSlot = scratch.base;
  const bSlot = aSlot + align16(m * k * 4);
  const cSlot = bSlot + align16(k * n * 4);
  const packedA = cSlot + align16(m * n * 4);
  const packedB = packedA + align16(Math.ceil(m / 6) * 6 * k * 4);
  const jobAt = packedB + align16(k * Math.ceil(n / 8) * 8 * 4);
  const edges = jobAt + align16(JOB_WORDS * 4);
  if (!scratch.reserve(edges + parallel.pool.threads * 256 - scratch.base)) return false;
  const [aAt, bAt, cAt] = placeOperands(scratch, args, resident, [aSlot, bSlot, cSlot]);
  new Int32Array(scratch.f32.buffer, jobAt, JOB_WORDS).set([
    aAt,
    bAt,
    cAt,
    m,
    n,
    k,
    gemmFlags(args),
    packedA,
    packedB,
    job.packA.count,
    job.packB.count,
    job.packA.per,
    job.packB.per,
    job.rows.count,
    job.cols.count,
    job.rows.per,
    job.cols.per,
    edges,
  ]);
  parallel.pool.run({
    module: parallel.module,
    fn: GEMM_TASK,
    arg: jobAt,
    tasks: job.tasks,
    phase1: job.phase1,
  });
  scratch.copyOut(c, resident[2], cSlot, 0, m * n);
  return true;
}
