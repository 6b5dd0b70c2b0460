/**
 * The native backend's task code (threads/ `HostTasks`): one panel of a
 * split gemm (gemm.ts), one lane of a convolution's forward or backward
 * (conv.ts), one part of a large SGD update (sgd_update.ts), and one part of
 * a large unary op (unary.ts). Every thread — the workers and the caller
 * alike — runs the same code, made by {@linkcode nativeTasks} from its own
 * `Deno.dlopen` of the library and its own instance of the WebAssembly
 * kernels on the pool's shared memory, reading the job words of jobs.ts.
 *
 * @module
 */

import type { BLAS_BY_POINTER } from "./blas.ts";
import type { LANE_WORDS, PANEL_WORDS, UNARY_WORDS, UPDATE_WORDS } from "./jobs.ts";

/** What a thread needs to make its tasks: the library, and every job's words and layout. */
export interface TaskInit {
  library: string;
  symbols: typeof BLAS_BY_POINTER;
  panel: Float64Array;
  lane: Float64Array;
  update: Float64Array;
  unary: Float64Array;
  P: typeof PANEL_WORDS;
  L: typeof LANE_WORDS;
  U: typeof UPDATE_WORDS;
  X: typeof UNARY_WORDS;
  lanes: number;
}

/** One task function, as the pool calls it. */
export type Task = (arg: number, task: number, slot: number) => void;

/**
 * Makes one thread's tasks:
 * - `sgemm_panel`: panel `task` of the job in the panel words;
 * - `conv_forward` / `conv_backward`: lane `task` of the job in the lane
 *   words, every `lanes`-th chunk of images, starting at chunk `task`;
 * - `sgd_update`: part `task` of the update in the update words, BLAS's
 *   `saxpy` (with `sscal` for momentum), as sgd_update.ts does on the
 *   caller's arrays;
 * - `unary_part`: part `task` of the op in the unary words — its share of
 *   the input copied into the part's region of the shared memory with
 *   `scopy`, the bias added if there is one, the WebAssembly `unary` run
 *   there, the result copied out.
 *
 * Null when the library does not open or the WebAssembly kernels are
 * missing (that worker then takes no tasks, and the caller runs them).
 * Sent to the workers as source text, so it refers to nothing outside
 * itself.
 *
 * A lane's forward, per chunk: im2col into its columns, one sgemm into its
 * product [OC, images·OH·OW], and swap_leading_axes (with the bias) into
 * the output. Its backward: swap the output gradient into [OC, images·OH·OW];
 * unfold the chunk again and add dZ·colsᵀ into the lane's own weight
 * gradient (the first chunk writes it); Wᵀ·dZ into its column gradient and
 * col2im into the input gradient (each chunk's images are its own).
 */
export function nativeTasks(
  init: unknown,
  instances: Record<string, unknown>[],
): Record<string, Task> | null {
  const { library, symbols, panel, lane, update, unary, P, L, U, X, lanes } = init as TaskInit;
  const wasm = instances[0] as Record<string, (...args: number[]) => void> | undefined;
  let blas;
  try {
    blas = Deno.dlopen(library, symbols).symbols;
  } catch {
    return null;
  }
  const { cblas_sgemm: sgemm, cblas_sscal: sscal, cblas_saxpy: saxpy, cblas_scopy: scopy } = blas;
  if (!wasm?.im2col || !wasm.col2im || !wasm.swap_leading_axes) return null;
  const at = (address: number) => Deno.UnsafePointer.create(BigInt(address));
  const NO = 111;
  const T = 112;
  /** C (m×n) = op(A)·op(B) (+ C when beta is 1), row-major with the whole matrices' leading dimensions. */
  const product = (o: {
    m: number;
    n: number;
    k: number;
    a: number;
    b: number;
    c: number;
    transA?: boolean;
    transB?: boolean;
    beta?: number;
  }) =>
    sgemm(
      101, // row-major
      o.transA ? T : NO,
      o.transB ? T : NO,
      o.m,
      o.n,
      o.k,
      1,
      at(o.a),
      o.transA ? o.m : o.k,
      at(o.b),
      o.transB ? o.k : o.n,
      o.beta ?? 0,
      at(o.c),
      o.n,
    );
  /** The chunk geometry of the lane job, and the lane's temporaries. */
  const job = (index: number) => {
    const [n, c, h, w, kh, kw, oh, ow, oc, chunk, base] = lane;
    const plane = oh * ow;
    const rows = c * kh * kw;
    const cols = lane[L.lanes] + index * lane[L.laneBytes];
    const rowsOut = cols + rows * chunk * plane * 4;
    const dCols = rowsOut + oc * chunk * plane * 4;
    return { n, c, h, w, kh, kw, oh, ow, oc, chunk, base, plane, rows, cols, rowsOut, dCols };
  };
  return {
    unary_part: (_arg, task) => {
      const from = unary[X.starts + task];
      const len = unary[X.starts + task + 1] - from;
      if (len === 0) return;
      const at0 = unary[X.region] + task * unary[X.partBytes];
      const shared = unary[X.base] + at0;
      scopy!(len, at(unary[X.x] + from * 4), 1, at(shared), 1);
      if (unary[X.bias] >= 0) {
        // The bias after the part's slot (slotBytes(len)), then whole rows of it added.
        const width = unary[X.width];
        const biasAt = at0 + ((len * 4 + 15) & ~15) + 64;
        scopy!(width, at(unary[X.bias]), 1, at(unary[X.base] + biasAt), 1);
        wasm.add_bias(at0, biasAt, at0, len / width, width);
      }
      wasm.unary(unary[X.code], at0, at0, len);
      scopy!(len, at(shared), 1, at(unary[X.out] + from * 4), 1);
    },
    sgd_update: (_arg, task) => {
      const from = update[U.starts + task];
      const count = update[U.starts + task + 1] - from;
      const param = at(update[U.param] + from * 4);
      const grad = at(update[U.grad] + from * 4);
      if (update[U.velocity] < 0) {
        saxpy!(count, -update[U.lr], grad, 1, param, 1);
        return;
      }
      const velocity = at(update[U.velocity] + from * 4);
      sscal!(count, update[U.momentum], velocity, 1);
      saxpy!(count, -update[U.lr], grad, 1, velocity, 1);
      saxpy!(count, 1, velocity, 1, param, 1);
    },
    sgemm_panel: (_arg, task) => {
      const p = P.panels + task * P.perPanel;
      const partial = panel[p + 6] === 1;
      sgemm(
        101, // row-major
        panel[P.transA] ? T : NO,
        panel[P.transB] ? T : NO,
        panel[p + 3],
        panel[p + 4],
        panel[p + 5],
        1,
        at(panel[P.a] + panel[p] * 4),
        panel[P.lda],
        at(panel[P.b] + panel[p + 1] * 4),
        panel[P.ldb],
        partial ? 0 : panel[P.beta],
        at(panel[partial ? P.partials : P.c] + panel[p + 2] * 4),
        panel[P.ldc],
      );
    },
    conv_forward: (_arg, task) => {
      const g = job(task);
      const image = g.c * g.h * g.w;
      const bias = lane[L.bias];
      for (let b0 = task * g.chunk; b0 < g.n; b0 += lanes * g.chunk) {
        const count = Math.min(g.chunk, g.n - b0);
        const np = count * g.plane;
        const x = lane[L.x] + b0 * image * 4;
        wasm.im2col(x, g.cols, count, g.c, g.h, g.w, g.kh, g.kw, 1, 0, g.oh, g.ow);
        product({
          m: g.oc,
          n: np,
          k: g.rows,
          a: lane[L.weight],
          b: g.base + g.cols,
          c: g.base + g.rowsOut,
        });
        const y = lane[L.y] + b0 * g.oc * g.plane * 4;
        wasm.swap_leading_axes(
          g.rowsOut,
          bias < 0 ? g.rowsOut : bias,
          y,
          g.oc,
          count,
          g.plane,
          bias < 0 ? 0 : 1,
        );
      }
    },
    conv_backward: (_arg, task) => {
      const g = job(task);
      const image = g.c * g.h * g.w;
      const [gx, gw] = [lane[L.gx], lane[L.gw]];
      let first = true;
      for (let b0 = task * g.chunk; b0 < g.n; b0 += lanes * g.chunk) {
        const count = Math.min(g.chunk, g.n - b0);
        const np = count * g.plane;
        const gz = lane[L.gz] + b0 * g.oc * g.plane * 4;
        wasm.swap_leading_axes(gz, g.rowsOut, g.rowsOut, count, g.oc, g.plane, 0);
        if (gw >= 0) {
          const x = lane[L.x] + b0 * image * 4;
          wasm.im2col(x, g.cols, count, g.c, g.h, g.w, g.kh, g.kw, 1, 0, g.oh, g.ow);
          product({
            m: g.oc,
            n: g.rows,
            k: np,
            a: g.base + g.rowsOut,
            b: g.base + g.cols,
            c: g.base + gw + task * g.oc * g.rows * 4,
            transB: true,
            beta: first ? 0 : 1,
          });
          first = false;
        }
        if (gx >= 0) {
          product({
            m: g.rows,
            n: np,
            k: g.oc,
            a: lane[L.weight],
            b: g.base + g.rowsOut,
            c: g.base + g.dCols,
            transA: true,
          });
          wasm.col2im(
            g.dCols,
            gx + b0 * image * 4,
            count,
            g.c,
            g.h,
            g.w,
            g.kh,
            g.kw,
            1,
            0,
            g.oh,
            g.ow,
          );
        }
      }
    },
  };
}
