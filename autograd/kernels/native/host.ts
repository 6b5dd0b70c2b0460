/**
 * The native backend's side of the engine's thread pool: its task code
 * (tasks.ts) registered once per library as the pool's host tasks, with the
 * job words the tasks read, and {@linkcode runTasks}, which runs a job's
 * tasks on the pool or, without one, one after another on this thread.
 *
 * @module
 */

import { type HostTasks, setHostTasks, threadCount, threadPool } from "../threads/mod.ts";
import { poolModules } from "../wasm/scratch.ts";
import { type Blas, BLAS_BY_POINTER } from "./blas.ts";
import { LANES } from "../wasm/conv_lanes.ts";
import { LANE_WORDS, PANEL_WORDS, PARTS, POOL_WORDS, UNARY_WORDS, UPDATE_WORDS } from "./jobs.ts";
import { PANELS } from "./panels.ts";
import { nativeTasks, type Task, type TaskInit } from "./tasks.ts";

/** A library's tasks for the pool, and the job words they read. */
export interface NativeHost {
  /** What `setHostTasks` registers. */
  tasks: HostTasks;
  /** The panel job's words ({@linkcode PANEL_WORDS}). */
  panel: Float64Array;
  /** The convolution job's words ({@linkcode LANE_WORDS}). */
  lane: Float64Array;
  /** The update job's words ({@linkcode UPDATE_WORDS}). */
  update: Float64Array;
  /** The unary job's words ({@linkcode UNARY_WORDS}). */
  unary: Float64Array;
  /** The max pooling job's words ({@linkcode POOL_WORDS}). */
  pool: Float64Array;
  /**
   * The caller's own run of task i of the panel or update job in progress
   * (on its typed arrays, not addresses); set by {@linkcode runTasks}.
   */
  current: ((task: number) => void) | null;
}

const hosts = new Map<string, NativeHost>();

/** The tasks of `blas`'s library, made once per library path. */
export function nativeHost(blas: Blas): NativeHost {
  const known = hosts.get(blas.path);
  if (known !== undefined) return known;
  const init: TaskInit = {
    library: blas.path,
    symbols: BLAS_BY_POINTER,
    panel: new Float64Array(
      new SharedArrayBuffer((PANEL_WORDS.panels + PANELS * PANEL_WORDS.perPanel) * 8),
    ),
    lane: new Float64Array(new SharedArrayBuffer(LANE_WORDS.count * 8)),
    update: new Float64Array(
      new SharedArrayBuffer((UPDATE_WORDS.starts + PARTS + 1) * 8),
    ),
    unary: new Float64Array(new SharedArrayBuffer((UNARY_WORDS.starts + PARTS + 1) * 8)),
    pool: new Float64Array(new SharedArrayBuffer((POOL_WORDS.starts + PARTS + 1) * 8)),
    P: PANEL_WORDS,
    L: LANE_WORDS,
    U: UPDATE_WORDS,
    X: UNARY_WORDS,
    Q: POOL_WORDS,
    lanes: LANES,
  };
  const shared = poolModules();
  const mine = shared && nativeTasks(init, shared.instances as Record<string, unknown>[]);
  const current: Task = (_arg, task) => host.current!(task);
  const here: Record<string, Task> = { sgemm_panel: current, sgd_update: current };
  if (mine) {
    here.conv_forward = mine.conv_forward;
    here.conv_backward = mine.conv_backward;
    here.unary_part = mine.unary_part;
    here.pool_part = mine.pool_part;
    here.unpool_part = mine.unpool_part;
  }
  const host: NativeHost = {
    panel: init.panel,
    lane: init.lane,
    update: init.update,
    unary: init.unary,
    pool: init.pool,
    current: null,
    tasks: {
      source: nativeTasks.toString(),
      init,
      names: [
        "sgemm_panel",
        "conv_forward",
        "conv_backward",
        "sgd_update",
        "unary_part",
        "pool_part",
        "unpool_part",
      ],
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
      host.current = job.here;
      try {
        pool.run({ module: pool.hostModule, fn, arg: 0, tasks: job.count, phase1: 0 });
      } finally {
        host.current = null;
      }
      return;
    }
  }
  for (let task = 0; task < job.count; task++) job.here(task);
}
