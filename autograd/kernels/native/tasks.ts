/**
 * The native backend's task code (threads/ `HostTasks`): one panel of a
 * split gemm (gemm.ts), one lane of a convolution's forward or backward
 * (conv.ts), one part of a large SGD update (sgd_update.ts), one part of
 * a large unary op (unary.ts), and one part of a max pooling's forward or
 * backward (pool.ts). Every thread — the workers and the caller
 * alike — runs the same code, made by {@linkcode nativeTasks} from its own
 * `Deno.dlopen` of the library and its own instance of the WebAssembly
 * kernels on the pool's shared memory, reading the job words of jobs.ts.
 *
 * @module
 */

import type { BLAS_BY_POINTER } from "./blas.ts";
import type { LANE_WORDS, PANEL_WORDS, POOL_WORDS, UNARY_WORDS, UPDATE_WORDS } from "./jobs.ts";

/** What a thread needs to make its tasks: the library, and every job's words and layout. */
export interface TaskInit {
  library: string;
  symbols: typeof BLAS_BY_POINTER;
  panel: Float64Array;
  lane: Float64Array;
  update: Float64Array;
  unary: Float64Array;
  pool: Float64Array;
  P: typeof PANEL_WORDS;
  L: typeof LANE_WORDS;
  U: typeof UPDATE_WORDS;
  X: typeof UNARY_WORDS;
  Q: typeof POOL_WORDS;
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
 *   there, the result copied out;
 * - `pool_part`: part `task` of the max pooling in the pool words, whole
 *   planes: copied into the part's region of the shared memory from a view
 *   of the caller's array (`Deno.UnsafePointerView`), pooled there by the
 *   WebAssembly `max_pool_2x2` (or `max_pool`), the maxima and their
 *   positions copied out the same way;
 * - `unpool_part`: part `task` of its backward, whole planes: each output
 *   gradient added at its position, in order, by a plain loop over views of
 *   the caller's arrays (copying them in and out would cost more).
 *
 * Null when the library does not open or the WebAssembly kernels are
 * missing (that worker then takes no tasks, and the caller runs them).
 * Sent to the workers as source text, so it refers to nothing outside
 * itself.
 *
 * A lane's forward, per chunk: the chunk's images copied in, im2col, one
 * sgemm into its product [OC, images·OH·OW], swap_leading_axes (with the
 * bias) into the output, a fused pooling, the activation (`unary_exact`
 * writes nothing past the chunk), the chunk's output copied out. Its
 * backward: the chunk's output gradient copied in (pooled: through the
 * activation, then added at its cells' positions), taken through the
 * activation, its plane sums written when asked for, and it swapped into
 * [OC, images·OH·OW]; its images copied in and unfolded again, dZ·colsᵀ
 * added into the lane's own weight gradient (the first chunk writes it);
 * Wᵀ·dZ into its column gradient, col2im into the chunk's input gradient
 * (zeroed first; each chunk's images are its own), copied out.
 */
export function nativeTasks(
  init: unknown,
  instances: Record<string, unknown>[],
): Record<string, Task> | null {
  const { library, symbols, panel, lane, update, unary, pool, P, L, U, X, Q, lanes } =
    init as TaskInit;
  const wasm = instances[0] as Record<string, (...args: number[]) => void> | undefined;
  let blas;
  try {
    blas = Deno.dlopen(library, symbols).symbols;
  } catch {
    return null;
  }
  const { cblas_sgemm: sgemm, cblas_sscal: sscal, cblas_saxpy: saxpy, cblas_scopy: scopy } = blas;
  if (
    !wasm?.im2col || !wasm.col2im || !wasm.swap_leading_axes || !wasm.unary_exact ||
    !wasm.activation_grad_exact || !wasm.sum_axis || !wasm.max_pool_2x2 || !wasm.unpool_add
  ) {
    return null;
  }
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
    const [stride, pad] = [lane[L.stride], lane[L.pad]];
    const plane = oh * ow;
    const rows = c * kh * kw;
    const cols = lane[L.lanes] + index * lane[L.laneBytes];
    const rowsOut = cols + rows * chunk * plane * 4;
    const dCols = rowsOut + oc * chunk * plane * 4;
    // The forward's output, for the activation's gradient, then 128 bytes for the kernels' tails,
    // then a fused pooling's values, positions and (backward) outputs.
    const out = dCols + rows * chunk * plane * 4;
    const tail = out + oc * chunk * plane * 4;
    const pooled = tail + 128;
    return {
      n,
      c,
      h,
      w,
      kh,
      kw,
      oh,
      ow,
      oc,
      chunk,
      base,
      stride,
      pad,
      plane,
      rows,
      cols,
      rowsOut,
      dCols,
      out,
      tail,
      pooled,
      poolOh: lane[L.poolOh],
      poolOw: lane[L.poolOw],
    };
  };
  /** Copies `count` floats from address `from` to address `to` (BLAS `scopy`). */
  const move = (count: number, from: number, to: number) => scopy!(count, at(from), 1, at(to), 1);
  /** `length` 4-byte elements of the caller's memory at `address` (never 0: an array's). */
  const view = (address: number, length: number) =>
    Deno.UnsafePointerView.getArrayBuffer(at(address)!, length * 4);
  /** Part `task`'s planes of the pool job: the first, the count, and the geometry. */
  const planes = (task: number) => {
    const [h, w, kh, kw, stride, oh, ow] = pool.subarray(Q.h, Q.ow + 1);
    const first = pool[Q.starts + task];
    return { first, count: pool[Q.starts + task + 1] - first, h, w, kh, kw, stride, oh, ow };
  };
  return {
    pool_part: (_arg, task) => {
      const { first, count, h, w, kh, kw, stride, oh, ow } = planes(task);
      if (count === 0) return;
      const [inputs, outputs] = [count * h * w, count * oh * ow];
      const xAt = pool[Q.region] + task * pool[Q.partBytes];
      const outAt = xAt + ((inputs * 4 + 15) & ~15);
      const indexAt = outAt + ((outputs * 4 + 15) & ~15);
      const memory = wasm.memory as unknown as WebAssembly.Memory;
      // This thread's buffer of a memory that the caller has just grown can still have the old
      // length (V8 updates it at an interrupt check, which came too late under --cpu-prof);
      // grow(0) updates it now.
      if (memory.buffer.byteLength < indexAt + outputs * 4) memory.grow(0);
      const { buffer } = memory;
      new Float32Array(buffer).set(
        new Float32Array(view(pool[Q.from] + first * h * w * 4, inputs)),
        xAt >> 2,
      );
      if (kh === 2 && kw === 2 && stride === 2) {
        wasm.max_pool_2x2(xAt, outAt, indexAt, count, h, w, oh, ow);
      } else {
        wasm.max_pool(xAt, outAt, indexAt, count, h, w, kh, kw, stride, oh, ow);
      }
      new Float32Array(view(pool[Q.to] + first * oh * ow * 4, outputs))
        .set(new Float32Array(buffer, outAt, outputs));
      new Int32Array(view(pool[Q.index] + first * oh * ow * 4, outputs))
        .set(new Int32Array(buffer, indexAt, outputs));
    },
    unpool_part: (_arg, task) => {
      const { first, count, h, w, oh, ow } = planes(task);
      if (count === 0) return;
      const [plane, perPlane] = [h * w, oh * ow];
      const grad = new Float32Array(view(pool[Q.from] + first * perPlane * 4, count * perPlane));
      const index = new Int32Array(view(pool[Q.index] + first * perPlane * 4, count * perPlane));
      const out = new Float32Array(view(pool[Q.to] + first * plane * 4, count * plane));
      for (let p = 0, o = 0; p < count; p++) {
        const start = p * plane;
        // Unpadded windows only (pool.ts), so every position is a real cell (never −1).
        for (const end = o + perPlane; o < end; o++) out[start + index[o]] += grad[o];
      }
    },
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
      const first = P.panels + task * P.perPanel;
      const partial = panel[first] === 1;
      for (let call = 0; call < panel[first + 1]; call++) {
        const [aOffset, bOffset, cOffset, m, n, k, add] = panel.subarray(
          first + 2 + call * P.perCall,
          first + 2 + (call + 1) * P.perCall,
        );
        sgemm(
          101, // row-major
          panel[P.transA] ? T : NO,
          panel[P.transB] ? T : NO,
          m,
          n,
          k,
          1,
          at(panel[P.a] + aOffset * 4),
          panel[P.lda],
          at(panel[P.b] + bOffset * 4),
          panel[P.ldb],
          add ? 1 : partial ? 0 : panel[P.beta],
          at(panel[partial ? P.partials : P.c] + cOffset * 4),
          panel[P.ldc],
        );
      }
    },
    conv_forward: (_arg, task) => {
      const g = job(task);
      const image = g.c * g.h * g.w;
      const bias = lane[L.bias];
      const activation = lane[L.activation];
      for (let b0 = task * g.chunk; b0 < g.n; b0 += lanes * g.chunk) {
        const count = Math.min(g.chunk, g.n - b0);
        const np = count * g.plane;
        const x = lane[L.x] + b0 * image * 4;
        move(count * image, lane[L.callerX] + b0 * image * 4, g.base + x);
        wasm.im2col(x, g.cols, count, g.c, g.h, g.w, g.kh, g.kw, g.stride, g.pad, g.oh, g.ow);
        product({
          m: g.oc,
          n: np,
          k: g.rows,
          a: lane[L.weight],
          b: g.base + g.cols,
          c: g.base + g.rowsOut,
        });
        // With a fused pooling the chunk's output only passes through the lane's temporary.
        const y = g.poolOh >= 0 ? g.out : lane[L.y] + b0 * g.oc * g.plane * 4;
        wasm.swap_leading_axes(
          g.rowsOut,
          bias < 0 ? g.rowsOut : bias,
          y,
          g.oc,
          count,
          g.plane,
          bias < 0 ? 0 : 1,
        );
        if (g.poolOh >= 0) {
          const cells = count * g.oc * g.poolOh * g.poolOw;
          const offset = b0 * g.oc * g.poolOh * g.poolOw * 4;
          const index = g.pooled + cells * 4;
          wasm.max_pool_2x2(y, g.pooled, index, count * g.oc, g.oh, g.ow, g.poolOh, g.poolOw);
          if (activation >= 0) wasm.unary_exact(activation, g.pooled, cells, g.tail);
          move(cells, g.base + g.pooled, lane[L.callerY] + offset);
          // scopy moves the positions' bits as they are.
          move(cells, g.base + index, lane[L.callerIndex] + offset);
          continue;
        }
        if (activation >= 0) wasm.unary_exact(activation, y, count * g.oc * g.plane, g.tail);
        move(count * g.oc * g.plane, g.base + y, lane[L.callerY] + b0 * g.oc * g.plane * 4);
      }
    },
    conv_backward: (_arg, task) => {
      const g = job(task);
      const image = g.c * g.h * g.w;
      const [gx, gw] = [lane[L.gx], lane[L.gw]];
      const [activation, sums] = [lane[L.activation], lane[L.planeSums]];
      let first = true;
      for (let b0 = task * g.chunk; b0 < g.n; b0 += lanes * g.chunk) {
        const count = Math.min(g.chunk, g.n - b0);
        const np = count * g.plane;
        const outputs = count * g.oc * g.plane;
        const gz = lane[L.gz] + b0 * g.oc * g.plane * 4;
        if (g.poolOh >= 0) {
          // The pooled cells' gradient, through the activation, added at their positions.
          const cells = count * g.oc * g.poolOh * g.poolOw;
          const offset = b0 * g.oc * g.poolOh * g.poolOw * 4;
          const [values, index] = [g.pooled + cells * 4, g.pooled + 2 * cells * 4];
          move(cells, lane[L.callerGz] + offset, g.base + g.pooled);
          move(cells, lane[L.callerIndex] + offset, g.base + index);
          if (activation >= 0) {
            move(cells, lane[L.callerOut] + offset, g.base + values);
            wasm.activation_grad_exact(activation, values, g.pooled, cells, g.tail);
          }
          sscal!(outputs, 0, at(g.base + gz), 1);
          wasm.unpool_add(g.pooled, index, gz, count * g.oc, g.plane, g.poolOh * g.poolOw);
        } else {
          move(outputs, lane[L.callerGz] + b0 * g.oc * g.plane * 4, g.base + gz);
          if (activation >= 0) {
            move(outputs, lane[L.callerOut] + b0 * g.oc * g.plane * 4, g.base + g.out);
            wasm.activation_grad_exact(activation, g.out, gz, outputs, g.tail);
          }
        }
        if (sums >= 0) wasm.sum_axis(gz, sums + b0 * g.oc * 4, count * g.oc, g.plane, 1);
        wasm.swap_leading_axes(gz, g.rowsOut, g.rowsOut, count, g.oc, g.plane, 0);
        if (gw >= 0) {
          const x = lane[L.x] + b0 * image * 4;
          move(count * image, lane[L.callerX] + b0 * image * 4, g.base + x);
          wasm.im2col(x, g.cols, count, g.c, g.h, g.w, g.kh, g.kw, g.stride, g.pad, g.oh, g.ow);
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
          // col2im adds into the chunk's input gradient, zeroed first (sscal by 0 writes zeros).
          sscal!(count * image, 0, at(g.base + gx + b0 * image * 4), 1);
          wasm.col2im(
            g.dCols,
            gx + b0 * image * 4,
            count,
            g.c,
            g.h,
            g.w,
            g.kh,
            g.kw,
            g.stride,
            g.pad,
            g.oh,
            g.ow,
          );
          move(count * image, g.base + gx + b0 * image * 4, lane[L.callerGx] + b0 * image * 4);
        }
      }
    },
  };
}
