/**
 * How many threads the kernels use: {@linkcode setThreads},
 * {@linkcode threadCount}, {@linkcode shutdownThreads}, and the one
 * process-wide pool the WebAssembly kernels run their large calls on
 * ({@linkcode threadPool}), and the native gemm its panels
 * ({@linkcode setHostTasks}).
 *
 * @module
 */

import { InklingError } from "../../errors.ts";
import { type HostTasks, type PoolModules, ThreadPool, workersAvailable } from "./pool.ts";

/** Most threads {@linkcode setThreads} accepts. */
export const MAX_THREADS = 64;

function defaultThreads(): number {
  const cores = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator
    ?.hardwareConcurrency;
  return Number.isInteger(cores) && cores! >= 1 ? Math.min(cores!, MAX_THREADS) : 1;
}

let requested = defaultThreads();
let pool: ThreadPool | null = null;
/** Depth of {@linkcode onOneThread} calls running. */
let oneThreadDepth = 0;
/** The host tasks pools start with ({@linkcode setHostTasks}). */
let host: HostTasks | null = null;
let supported: boolean | undefined;

/**
 * Whether this thread may block in `Atomics.wait` and start workers that
 * share memory: SharedArrayBuffer (browsers: only with cross-origin
 * isolation), workers, and a thread that may wait (not a browser's main
 * thread, where `Atomics.wait` throws).
 */
function threadsSupported(): boolean {
  if (supported !== undefined) return supported;
  supported = false;
  if (typeof SharedArrayBuffer !== "function" || typeof Atomics !== "object") return false;
  if (!workersAvailable()) return false;
  try {
    // Returns "not-equal" at once where waiting is allowed, throws where not.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
  } catch {
    return false;
  }
  supported = true;
  return true;
}

/**
 * Sets how many threads the WebAssembly kernels use for large calls (gemm,
 * im2col and col2im), the calling thread included. The default is the number of cores
 * (`navigator.hardwareConcurrency`). Results are bit for bit the same for
 * every count: each output element is computed by one thread, in the same
 * order. Where threads are unavailable — no SharedArrayBuffer or workers, or
 * a browser's main thread, which may not block — the kernels stay on one
 * thread whatever is set. Changing to another count above 1 stops the
 * running workers, and new ones start with the next large call; changing to
 * 1 leaves started workers asleep, for a later return to their count
 * ({@linkcode shutdownThreads} stops them).
 *
 * @throws {InklingError} unless `n` is an integer from 1 to 64.
 */
export function setThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > MAX_THREADS) {
    throw new InklingError(`setThreads: ${n} is not an integer from 1 to ${MAX_THREADS}`);
  }
  requested = n;
  if (pool !== null && n > 1 && pool.threads !== n) shutdownThreads();
}

/**
 * The number of threads large calls run on: the {@linkcode setThreads}
 * value, or 1 where threads are unavailable.
 */
export function threadCount(): number {
  return requested > 1 && threadsSupported() ? requested : 1;
}

/**
 * Stops the worker threads of the pool (if it started), which run every
 * backend's threaded kernels. Nothing else changes: the next large call
 * starts them again. Programs need not call it — the workers do not keep Deno or
 * Node alive — but tests do, for their resource checks.
 */
export function shutdownThreads(): void {
  pool?.close();
  pool = null;
}

/**
 * Runs `body` with the pool off: every kernel call inside it runs on the
 * calling thread (the same bits, as always). The native backend runs its
 * WebAssembly convolution kernels (im2col, col2im) this way: split over the
 * pool they trained the MNIST CNN no faster there (medians 2,179 against
 * 2,175 images/s), since BLAS reads the columns from the caller's arrays,
 * so each call copies them out of WebAssembly memory anyway, and the first
 * threaded call moves the scratch onto the shared memory, where every other
 * WebAssembly kernel's copies are slower (swapLeadingAxes 96 → 128 ms per
 * 60 steps).
 */
export function onOneThread<T>(body: () => T): T {
  oneThreadDepth++;
  try {
    return body();
  } finally {
    oneThreadDepth--;
  }
}

/**
 * Makes the pool also run `tasks`, JavaScript tasks next to the WebAssembly
 * ones (the native backend's BLAS panels, so one set of workers runs every
 * threaded kernel and no two pools compete for the cores); null for none.
 * A running pool without them stops, and the next large call starts one
 * with them.
 */
export function setHostTasks(tasks: HostTasks | null): void {
  if (tasks === host) return;
  host = tasks;
  pool?.close();
  pool = null;
}

/**
 * The pool for {@linkcode threadCount} threads running `modules`, started
 * on first use; null when that count is 1 or inside {@linkcode onOneThread}. `modules()` is only called to
 * start a pool and must return the same modules every time (the WebAssembly
 * backend's process-wide shared builds), or null when they cannot be made.
 */
export function threadPool(modules: () => PoolModules | null): ThreadPool | null {
  const threads = threadCount();
  if (threads === 1 || oneThreadDepth > 0) return null;
  if (pool === null) {
    const made = modules();
    if (made === null) return null;
    pool = new ThreadPool(host === null ? made : { ...made, host }, threads);
  }
  return pool;
}
