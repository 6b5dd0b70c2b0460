/**
 * The TypeScript side of the WebAssembly im2col / col2im: copies the image
 * (and, for col2im, the columns and the accumulating output) into scratch
 * memory, unfolds or folds there (large ones split by channels over the
 * thread pool), and copies the result back. Resident columns (resident.ts:
 * the conv op's scratch) are unfolded into or folded from where they are.
 *
 * @module
 */

import { isFloat32, type Kernels, type Window2d } from "../kernels.ts";
import { align16, type Parallel, type WasmScratch } from "./scratch.ts";
import { UNFOLD_TASK } from "./shared_memory.ts";

/**
 * Smallest column matrices (elements) sent to WebAssembly. WebAssembly wins
 * at every size measured (medians, reference / wasm µs, im2col | col2im):
 * 1×1×4×4 k2 (36 entries) 1.53/0.18 | 1.04/0.15; 1×1×16×16 k3 p1 2.71/0.77 |
 * 2.68/1.23; 32×1×28×28 k5 p2 470/171 | 474/151; 32×8×14×14 k3 p1 368/146 |
 * 402/133; 8×3×32×32 k3 stride 2 47/31 | 55/32.
 */
const MIN_COLS = 1;

/** Element counts of the image and the column matrix of a geometry. */
function sizes(g: Window2d): { image: number; cols: number } {
  return { image: g.n * g.c * g.h * g.w, cols: g.c * g.kh * g.kw * g.n * g.oh * g.ow };
}

/**
 * Smallest column matrices (entries) unfolded or folded on several threads,
 * each taking ranges of channels (conv.wat's `unfold_task`). Ranges share no
 * row of the columns and no image element, so the bits are those of one
 * thread.
 */
const THREAD_MIN_COLS = 1 << 15;

/** Ranges of channels per thread: small enough that a thread finishing early finds more. */
const RANGES_PER_THREAD = 4;

/** Words of `unfold_task`'s job block. */
const UNFOLD_JOB_WORDS = 14;

/**
 * Unfolds (adjoint 0) or folds (1) between the image at byte `img` and the
 * columns at `cols` of scratch memory: on the pool when `parallel` is set,
 * writing the job block at `jobAt`, else on this thread.
 */
function unfold(
  scratch: WasmScratch,
  parallel: Parallel | null,
  at: { img: number; cols: number; jobAt: number },
  g: Window2d,
  adjoint: 0 | 1,
): void {
  const geometry = [g.n, g.c, g.h, g.w, g.kh, g.kw, g.stride, g.pad, g.oh, g.ow] as const;
  if (parallel === null) {
    if (adjoint) scratch.exports.col2im(at.cols, at.img, ...geometry);
    else scratch.exports.im2col(at.img, at.cols, ...geometry);
    return;
  }
  const per = Math.ceil(g.c / Math.min(g.c, parallel.pool.threads * RANGES_PER_THREAD));
  new Int32Array(scratch.f32.buffer, at.jobAt, UNFOLD_JOB_WORDS)
    .set([at.img, at.cols, ...geometry, adjoint, per]);
  parallel.pool.run({
    module: parallel.module,
    fn: UNFOLD_TASK,
    arg: at.jobAt,
    tasks: Math.ceil(g.c / per),
    phase1: 0,
  });
}

/** The pool for unfolding `cols` entries over `c` channels, or null for this thread. */
function unfoldParallel(scratch: WasmScratch, c: number, cols: number): Parallel | null {
  return c < 2 ? null : scratch.parallel(cols, THREAD_MIN_COLS);
}

/** Returns the im2col kernel of the wasm backend. */
export function wasmIm2col(scratch: WasmScratch, fallback: Kernels): Kernels["im2col"] {
  return (x, args) => {
    const { cols } = args;
    const size = sizes(args);
    if (
      scratch.small(size.cols, MIN_COLS) || size.image === 0 || !isFloat32(x) || !isFloat32(cols)
    ) {
      fallback.im2col(x, args);
      return;
    }
    // Before reserve: a parallel call, or resident columns, move the scratch onto the shared memory.
    const parallel = unfoldParallel(scratch, args.c, size.cols);
    const resident = scratch.addressOf(cols);
    const colsSlot = scratch.base + align16(size.image * 4);
    const jobAt = colsSlot + align16(size.cols * 4);
    if (!scratch.reserve(jobAt + UNFOLD_JOB_WORDS * 4 - scratch.base)) {
      fallback.im2col(x, args);
      return;
    }
    scratch.f32.set(x.subarray(0, size.image), scratch.base >> 2);
    const colsAt = scratch.output(resident, colsSlot, 0);
    unfold(scratch, parallel, { img: scratch.base, cols: colsAt, jobAt }, args, 0);
    scratch.copyOut(cols, resident, colsSlot, 0, size.cols);
  };
}

/** Returns the col2im kernel of the wasm backend. */
export function wasmCol2im(scratch: WasmScratch, fallback: Kernels): Kernels["col2im"] {
  return (cols, args) => {
    const { out } = args;
    const size = sizes(args);
    if (
      scratch.small(size.cols, MIN_COLS) || size.image === 0 || !isFloat32(cols) || !isFloat32(out)
    ) {
      fallback.col2im(cols, args);
      return;
    }
    const parallel = unfoldParallel(scratch, args.c, size.cols);
    const resident = scratch.addressOf(cols);
    const outAt = scratch.base + align16(size.cols * 4);
    const jobAt = outAt + align16(size.image * 4);
    if (!scratch.reserve(jobAt + UNFOLD_JOB_WORDS * 4 - scratch.base)) {
      fallback.col2im(cols, args);
      return;
    }
    const mem = scratch.f32;
    const colsAt = scratch.input(cols as Float32Array, resident, scratch.base, 0, size.cols);
    mem.set(out.subarray(0, size.image), outAt >> 2);
    unfold(scratch, parallel, { img: outAt, cols: colsAt, jobAt }, args, 1);
    out.set(mem.subarray(outAt >> 2, (outAt >> 2) + size.image));
  };
}
