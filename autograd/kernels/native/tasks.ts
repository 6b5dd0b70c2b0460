/**
 * The native backend's tasks on the engine's thread pool (threads/, as
 * `HostTasks`): one panel of a split gemm (gemm.ts), and one lane of a
 * convolution's forward or backward (conv.ts). Every thread — the workers
 * and the caller alike — runs the same task code, made by
 * {@linkcode nativeTasks} from its own `Deno.dlopen` of the library and its
 * own instance of the WebAssembly kernels on the pool's shared memory.
 *
 * A job's numbers sit in two small Float64Arrays on SharedArrayBuffers, one
 * per kind: {@linkcode PANEL_WORDS} describes a product and its panels,
 * {@linkcode LANE_WORDS} a convolution. Addresses are plain numbers (user
 * space is below 2^53); the caller keeps every array they point into alive
 * until the job is done.
 *
 * @module
 */

import { type HostTasks, setHostTasks, threadCount, threadPool } from "../threads/mod.ts";
import { poolModules } from "../wasm/scratch.ts";
import { type Blas, SGEMM_BY_POINTER } from "./blas.ts";
import { PANELS } from "./panels.ts";

/** Words of a panel job: the product's layout and operand addresses, then 5 per panel. */
export const PANEL_WORDS = Object.freeze({
  transA: 0,
  transB: 1,
  beta: 2,
  k: 3,
  lda: 4,
  ldb: 5,
  ldc: 6,
  a: 7,
  b: 8,
  c: 9,
  panels: 10,
  perPanel: 5,
});

/**
 * Words of a convolution job (stride 1, no padding): the geometry, images
 * per chunk, then byte offsets in the shared memory (−1 for none) and the
 * weight's address in the caller's memory.
 */
export const LANE_WORDS = Object.freeze({
  n: 0,
  c: 1,
  h: 2,
  w: 3,
  kh: 4,
  kw: 5,
  oh: 6,
  ow: 7,
  oc: 8,
  chunk: 9,
  /** The shared memory's address. */
  base: 10,
  /** The weight [OC, C·kh·kw], in the caller's memory. */
  weight: 11,
  /** The input batch (forward and backward). */
  x: 12,
  /** The output (forward). */
  y: 13,
  /** The bias (forward), or −1. */
  bias: 14,
  /** The output gradient (backward). */
  gz: 15,
  /** The input gradient, zeroed (backward), or −1. */
  gx: 16,
  /** Each lane's weight-gradient partial, OC·C·kh·kw floats apart (backward), or −1. */
  gw: 17,
  /** Lane 0's temporaries; lane l's start `laneBytes` × l further. */
  lanes: 18,
  laneBytes: 19,
  count: 20,
});

/** Convolution lanes: fixed, so a chunk's lane (and so the bits) never depends on the thread count. */
export const LANES = 2;

/** What a thread needs to make its tasks. */
interface TaskInit {
  library: string;
  symbols: typeof SGEMM_BY_POINTER;
  panel: Float64Array;
  lane: Float64Array;
  P: typeof PANEL_WORDS;
  L: typeof LANE_WORDS;
  lanes: number;
}

type Task = (arg: number, task: number, slot: number) => void;

/**
 * Makes one thread's tasks: `sgemm_panel` (panel `task` of the job in the
 * panel words) and `conv_forward` / `conv_backward` (lane `task` of the job
 * in the lane words: every `lanes`-th chunk of images, starting at chunk
 * `task`). Null when the library does not open or the WebAssembly kernels
 * are missing (that worker then takes no tasks, and the caller runs them).
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
  const { library, symbols, panel, lane, P, L, lanes } = init as TaskInit;
  const wasm = instances[0] as Record<string, (...args: number[]) => void> | undefined;
  let sgemm;
  try {
    sgemm = Deno.dlopen(library, symbols).symbols.cblas_sgemm;
  } catch {
    return null;
  }
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
    sgemm_panel: (_arg, task) => {
      const p = P.panels + task * P.perPanel;
      sgemm(
        101, // row-major
        panel[P.transA] ? T : NO,
        panel[P.transB] ? T : NO,
        panel[p + 3],
        panel[p + 4],
        panel[P.k],
        1,
        at(panel[P.a] + panel[p] * 4),
        panel[P.lda],
        at(panel[P.b] + panel[p + 1] * 4),
        panel[P.ldb],
        panel[P.beta],
        at(panel[P.c] + panel[p + 2] * 4),
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

/** A library's tasks for the pool, and the job words they read. */
export interface NativeHost {
  /** What `setHostTasks` registers. */
  tasks: HostTasks;
  /** The panel job's words ({@linkcode PANEL_WORDS}). */
  panel: Float64Array;
  /** The convolution job's words ({@linkcode LANE_WORDS}). */
  lane: Float64Array;
  /** The caller's own run of panel i of the product in progress (its typed arrays, not addresses). */
  runPanel: ((index: number) => void) | null;
}

const hosts = new Map<string, NativeHost>();

/** The tasks of `blas`'s library, made once per library path. */
export function nativeHost(blas: Blas): NativeHost {
  const known = hosts.get(blas.path);
  if (known !== undefined) return known;
  const init: TaskInit = {
    library: blas.path,
    symbols: SGEMM_BY_POINTER,
    panel: new Float64Array(
      new SharedArrayBuffer((PANEL_WORDS.panels + PANELS * PANEL_WORDS.perPanel) * 8),
    ),
    lane: new Float64Array(new SharedArrayBuffer(LANE_WORDS.count * 8)),
    P: PANEL_WORDS,
    L: LANE_WORDS,
    lanes: LANES,
  };
  const shared = poolModules();
  const mine = shared && nativeTasks(init, shared.instances as Record<string, unknown>[]);
  const here: Record<string, Task> = {
    sgemm_panel: (_arg, task) => host.runPanel!(task),
  };
  if (mine) {
    here.conv_forward = mine.conv_forward;
    here.conv_backward = mine.conv_backward;
  }
  const host: NativeHost = {
    panel: init.panel,
    lane: init.lane,
    runPanel: null,
    tasks: {
      source: nativeTasks.toString(),
      init,
      names: ["sgemm_panel", "conv_forward", "conv_backward"],
      here,
    },
  };
  hosts.set(blas.path, host);
  return host;
}

/**
 * Runs tasks 0 … count − 1 of `name` of `host`: on the engine's pool when
 * there is one for them (not with `threads` 1, one thread in all, or no
 * shared memory), else each with `here` on this thread, one after another.
 * A task's work never depends on who runs it, so neither do the bits.
 */
export function runTasks(
  host: NativeHost,
  job: { name: string; count: number; threads: 1 | null; here: (task: number) => void },
): void {
  if (job.threads !== 1 && threadCount() > 1) {
    setHostTasks(host.tasks);
    const pool = threadPool(poolModules);
    if (pool !== null && pool.host === host.tasks) {
      const fn = pool.hostFn(job.name);
      pool.run({ module: pool.hostModule, fn, arg: 0, tasks: job.count, phase1: 0 });
      return;
    }
  }
  for (let task = 0; task < job.count; task++) job.here(task);
}
