/**
 * The gemm of the native backend: float32 products go straight to
 * `cblas_sgemm` on the caller's arrays (no copy: FFI passes the typed
 * arrays' memory, subarray offsets included); Float64Array storage and empty
 * products go to the fallback.
 *
 * OpenBLAS always runs on one thread here. Large products are cut into
 * panels of C by shape alone (panels.ts) and the panels run side by side on
 * the engine's thread pool (threads/), as host tasks next to the WebAssembly
 * kernels' tasks: one set of workers runs every threaded kernel, so no two
 * pools compete for the cores. A worker opens the same library with its own
 * `Deno.dlopen` (the process already has it loaded, so this only resolves
 * symbols) and calls it on raw addresses: the caller's arrays live in the
 * same process, their backing stores do not move, and the caller keeps them
 * referenced until every panel is done. The bits are the same for every
 * thread count: one thread runs the same panels one after another. A panel
 * may itself be a few calls ("pieces", panels.ts), which OpenBLAS runs
 * faster than one at these sizes.
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
import type { Blas } from "./blas.ts";
import { type GemmShape, leadingDims, type Panel, planPanels } from "./panels.ts";
import { nativeHost, runTasks } from "./host.ts";
import { PANEL_WORDS as P } from "./jobs.ts";

/** An array's address as a number (exact: user-space addresses are below 2^53). */
export function address(x: Float32Array | Int32Array): number {
  return Number(Deno.UnsafePointer.value(Deno.UnsafePointer.of(x)));
}

/**
 * Returns the gemm kernel of the native backend. `threads` 1 keeps every
 * product on the calling thread; null runs large ones on the engine's pool
 * of `threadCount()` threads.
 */
export function nativeGemm(
  blas: Blas,
  options: { fallback: Kernels; threads: 1 | null },
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
    const shape = { m, n, k, transA: args.transA === true, transB: args.transB === true };
    const beta = args.accumulate ? 1 : 0;
    const panels = plan(shape);
    if (panels.length === 1 && panels[0].calls.length === 1) {
      blas.sgemm({ a, b, c, ...shape, beta });
      return;
    }
    const ld = leadingDims(shape);
    const partials = partialProducts(panels.filter((p) => p.partial).length * m * n);
    /** Panel `index` on the caller's arrays (the workers' task does the same on addresses). */
    const runHere = (index: number) => {
      const { partial, calls } = panels[index];
      const target = partial ? partials : c;
      for (const call of calls) {
        blas.sgemm({
          ...shape,
          ...ld,
          a: call.aOffset === 0 ? a : a.subarray(call.aOffset),
          b: call.bOffset === 0 ? b : b.subarray(call.bOffset),
          c: call.cOffset === 0 ? target : target.subarray(call.cOffset),
          m: call.m,
          n: call.n,
          k: call.k,
          beta: call.add ? 1 : partial ? 0 : beta,
        });
      }
    };
    if (panels.length === 1) {
      // One panel in pieces: nothing to share.
      runHere(0);
      return;
    }
    const host = nativeHost(blas);
    const words = host.panel;
    words.set([shape.transA ? 1 : 0, shape.transB ? 1 : 0, beta, ld.lda, ld.ldb, ld.ldc]);
    words[P.a] = address(a);
    words[P.b] = address(b);
    words[P.c] = address(c);
    words[P.partials] = partials.length === 0 ? -1 : address(partials);
    if (written.get(words) !== panels) {
      written.set(words, panels);
      panels.forEach((panel, i) => {
        const first = P.panels + i * P.perPanel;
        words.set([+panel.partial, panel.calls.length], first);
        panel.calls.forEach((call, j) => {
          words.set(
            [call.aOffset, call.bOffset, call.cOffset, call.m, call.n, call.k, +call.add],
            first + 2 + j * P.perCall,
          );
        });
      });
    }
    const name = "sgemm_panel";
    runTasks(host, { name, count: panels.length, threads: options.threads, here: runHere });
    // Depth panels: C += each partial, in panel order (f32 additions, whichever kernel adds).
    const whole = c.length === m * n ? c : c.subarray(0, m * n);
    for (let start = 0; start < partials.length; start += m * n) {
      fallback.binary("add", { a: whole, b: partials.subarray(start, start + m * n), out: whole });
    }
  };
}

/** Most shapes whose panels are kept; past it the plans start over. */
const KEPT_PLANS = 64;

/**
 * The panels of each shape met (a training step meets the same few again
 * and again): planning allocates, and a step's products are tens of µs.
 */
const plans = new Map<string, Panel[]>();

/** The panels of `shape`, planned once. */
function plan(shape: GemmShape): Panel[] {
  const key = `${shape.m},${shape.n},${shape.k},${+shape.transA},${+shape.transB}`;
  let panels = plans.get(key);
  if (panels === undefined) {
    if (plans.size >= KEPT_PLANS) plans.clear();
    panels = planPanels(shape);
    plans.set(key, panels);
  }
  return panels;
}

/** The panels whose calls a job's words hold now: they are rewritten only for another plan. */
const written = new WeakMap<Float64Array, Panel[]>();

/** The partial products of depth panels: one array, reused and grown as needed. */
let partialStore = new Float32Array(0);

/** `size` floats of partial-product storage (an empty array for none). */
function partialProducts(size: number): Float32Array {
  if (size === 0) return partialStore.subarray(0, 0);
  if (partialStore.length < size) partialStore = new Float32Array(size);
  return partialStore.subarray(0, size);
}
