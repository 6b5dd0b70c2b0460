/**
 * The gemm of the native backend: float32 products go straight to
 * `cblas_sgemm` on the caller's arrays (no copy: FFI passes the typed
 * arrays' memory, subarray offsets included); Float64Array storage and empty
 * products go to the fallback.
 *
 * OpenBLAS always runs on one thread here. Large products are cut into
 * panels of C by shape alone (panels.ts) and the panels run on worker
 * threads next to the caller (pool.ts), so the bits are the same for every
 * thread count: one thread runs the same panels one after another.
 *
 * No size threshold for BLAS itself: an FFI call costs about 0.1 µs, and
 * measured medians (µs, OpenBLAS 0.3.21 on one thread, loaded 2-core
 * machine) put BLAS ahead of the WebAssembly kernels at every size: 4×4×4
 * 0.08 (wasm 0.11), 8×8×8 0.09 (0.14), 32×64×36 1.6 (4.0), 1×1024×64 2.7
 * (21.8).
 *
 * @module
 */

import { InklingError } from "../../errors.ts";
import type { GemmArgs, Kernels } from "../kernels.ts";
import { onShutdownThreads, threadCount } from "../threads/threads.ts";
import type { Blas } from "./blas.ts";
import { leadingDims, type Panel, planPanels } from "./panels.ts";
import { PanelPool } from "./pool.ts";

/** The process-wide panel pools, one per library path, started on first use. */
const pools = new Map<string, PanelPool>();

/**
 * The pool for `blas` with `workers` workers, started on first use; a pool
 * of another size is replaced (its workers stop).
 */
function panelPool(blas: Blas, workers: number): PanelPool {
  let pool = pools.get(blas.path);
  if (pool !== undefined && pool.workers !== workers) {
    pool.close();
    pool = undefined;
  }
  if (pool === undefined) {
    pool = new PanelPool(blas.path, workers);
    pools.set(blas.path, pool);
  }
  return pool;
}

/** The running pool for `blas`, if any (tests read its counters). */
export function nativePanelPool(blas: Blas): PanelPool | null {
  return pools.get(blas.path) ?? null;
}

/**
 * Stops the native gemm's worker threads, if any started (`shutdownThreads`
 * calls it); the next large product starts them again. Programs need not call it (the workers do not
 * keep the process alive); tests do, for their resource checks.
 */
export function shutdownNativeThreads(): void {
  for (const pool of pools.values()) pool.close();
  pools.clear();
}

// `shutdownThreads()` stops these workers too.
onShutdownThreads(shutdownNativeThreads);

/**
 * Returns the gemm kernel of the native backend. `threads` is how many
 * threads (the caller included) run the panels of a large product; null
 * follows {@linkcode threadCount} at each call.
 */
export function nativeGemm(
  blas: Blas,
  options: { fallback: Kernels; threads: number | null },
): (args: GemmArgs) => void {
  const { fallback } = options;
  return (args) => {
    const { a, b, c, m, n, k } = args;
    if (
      !(a instanceof Float32Array && b instanceof Float32Array && c instanceof Float32Array) ||
      m === 0 || n === 0 || k === 0
    ) {
      // BLAS rejects zero leading dimensions; the fallback zero-fills a k = 0 product.
      fallback.gemm(args);
      return;
    }
    // BLAS (and a worker, through raw addresses) would read or write past a short array.
    if (a.length < m * k || b.length < k * n || c.length < m * n) {
      throw new InklingError(
        `gemm: arrays of ${a.length}, ${b.length} and ${c.length} elements are too short for ` +
          `${m}×${k} times ${k}×${n}`,
      );
    }
    // OpenBLAS's own threads would change the bits with their count (see mod.ts).
    blas.useThreads(1);
    const shape = { m, n, k, transA: args.transA === true, transB: args.transB === true };
    const beta = args.accumulate ? 1 : 0;
    const panels = planPanels(shape);
    if (panels.length === 1) {
      blas.sgemm({ a, b, c, ...shape, beta });
      return;
    }
    const ld = leadingDims(shape);
    const runHere = (index: number) => {
      const p: Panel = panels[index];
      blas.sgemm({
        ...shape,
        ...ld,
        a: p.aOffset === 0 ? a : a.subarray(p.aOffset),
        b: p.bOffset === 0 ? b : b.subarray(p.bOffset),
        c: p.cOffset === 0 ? c : c.subarray(p.cOffset),
        m: p.m,
        n: p.n,
        beta,
      });
    };
    const threads = Math.min(options.threads ?? threadCount(), panels.length);
    if (threads === 1) {
      for (let i = 0; i < panels.length; i++) runHere(i);
      return;
    }
    const pool = panelPool(blas, threads - 1);
    pool.run({ a, b, c, ...shape, ...ld, beta, panels }, runHere);
  };
}
