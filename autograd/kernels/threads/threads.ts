/**
 * How many threads the kernels use: {@linkcode setThreads},
 * {@linkcode threadCount}, {@linkcode shutdownThreads}, and the one
 * process-wide pool the WebAssembly kernels run their large calls on
 * ({@linkcode threadPool}).
 *
 * @module
 */

import { InklingError } from "../../errors.ts";
import { type PoolModules, ThreadPool, workersAvailable } from "./pool.ts";

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

/** Stoppers of other backends' worker pools (the native gemm's panel workers). */
const otherPools = new Set<() => void>();

/**
 * Makes {@linkcode shutdownThreads} also call `stop`: a backend with workers
 * of its own (the native gemm) registers here, so one call stops every
 * thread the engine started.
 */
export function onShutdownThreads(stop: () => void): void {
  otherPools.add(stop);
}

/**
 * Stops the worker threads (if any started), the WebAssembly pool's and
 * every other backend's. Nothing else changes: the next large call starts
 * them again. Programs need not call it — the workers do not keep Deno or
 * Node alive — but tests do, for their resource checks.
 */
export function shutdownThreads(): void {
  pool?.close();
  pool = null;
  for (const stop of otherPools) stop();
}

/**
 * Runs `body` with the WebAssembly pool off: every kernel call inside it
 * runs on the calling thread (the same bits, as always). The native backend
 * runs its WebAssembly convolution kernels this way: its own gemm workers
 * poll the other cores between products, and a second pool's workers
 * competing with them for those cores made the MNIST CNN's training step
 * about 12 % slower instead of faster.
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
    pool = new ThreadPool(made, threads);
  }
  return pool;
}
