/**
 * Threads for the kernels: a pool of workers that run the WebAssembly
 * kernels on one shared memory, splitting a large call (gemm, im2col,
 * col2im) into tasks
 * whose results do not depend on which thread runs them — so every thread
 * count gives the same bits. `threads.ts` holds the settings
 * ({@linkcode setThreads}, {@linkcode threadCount},
 * {@linkcode shutdownThreads}) and the process-wide pool, `pool.ts` the pool
 * and how workers start, `protocol.ts` the shared job state every thread
 * follows. It imports only the engine's error types.
 *
 * @module
 */

export { type HostTasks, type Job, type PoolModules, ThreadPool } from "./pool.ts";
export { MAX_TASKS } from "./protocol.ts";
export {
  MAX_THREADS,
  onOneThread,
  setHostTasks,
  setThreads,
  shutdownThreads,
  threadCount,
  threadPool,
} from "./threads.ts";
