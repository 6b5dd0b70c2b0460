/**
 * Worker threads that run panels of a native gemm (see panels.ts) next to
 * the calling thread, each panel a single-threaded `cblas_sgemm`.
 *
 * Every worker opens the same BLAS library with its own `Deno.dlopen` (the
 * process already has it loaded, so this only resolves symbols) and calls
 * it on raw addresses: the caller's typed arrays live in the same process
 * and their backing stores do not move, so the caller sends their addresses
 * (`Deno.UnsafePointer`, as bigints in a SharedArrayBuffer) and a worker
 * writes its panel of C in place — no copy either way. The caller keeps the
 * arrays referenced until every panel is done, so none can be freed early.
 *
 * The kernel interface is synchronous, so the caller takes panels itself and
 * then blocks in `Atomics.wait` until the last one is done (Deno allows that
 * on its main thread). Panels are claimed one at a time from a shared
 * counter: a panel's bits do not depend on who runs it, and until a worker
 * has started the caller simply runs every panel, so nobody waits for a
 * worker to come up. Workers are `node:worker_threads` ones, `unref`'d, so
 * they never keep the process alive, and they sleep in `Atomics.wait`
 * between jobs — after polling for a moment ({@linkcode SPIN_MS} of
 * threads/protocol.ts), since a training step's products come back to back
 * and waking a sleeping thread costs more than many of them. The caller
 * polls as long before it sleeps on the last panel. The claim protocol is that of threads/protocol.ts: a job's
 * generation in the claim word's high 16 bits keeps a late thread from
 * claiming a panel of the next job.
 *
 * @module
 */

import { InklingError } from "../../errors.ts";
import { SPIN_MS, spinWhile } from "../threads/protocol.ts";
import { SGEMM_BY_POINTER } from "./blas.ts";
import type { Panel } from "./panels.ts";

/** Most panels one job can hold. */
export const MAX_PANELS = 64;

/** Word indices of the Int32 control block. */
const L = Object.freeze({
  wake: 0, // bumped (and notified) per job; workers sleep on it
  claim: 1, // generation << 16 | next panel
  done: 2, // panels finished; the caller sleeps on it
  jobGen: 3, // generation of the parameters, written before them
  count: 4, // panels in the job
  ready: 5, // workers that opened the library and take panels
  quit: 6, // set on close
  error: 7, // set when a panel threw
  byWorkers: 8, // panels run by workers so far (tests check they take part)
});
const CONTROL_WORDS = 9;

/** Float64 parameter words: the product's, then 5 per panel (offsets and size). */
const F = Object.freeze({ transA: 0, transB: 1, beta: 2, k: 3, lda: 4, ldb: 5, ldc: 6, panels: 7 });
const PANEL_WORDS = 5;

/** Runs panel `index`; the caller's version uses typed arrays, a worker's raw pointers. */
type RunPanel = (index: number) => void;

/**
 * Claims and runs panels of the current job until none is left; returns how
 * many this thread ran. Shared by the caller and (as source text) the
 * workers, so it refers to nothing outside itself.
 */
function participate(control: Int32Array, layout: typeof L, run: RunPanel): number {
  let ran = 0;
  for (;;) {
    const word = Atomics.load(control, layout.claim);
    const next = word & 0xffff;
    if (next >= Atomics.load(control, layout.count)) return ran;
    // A stale word from a finished job: its generation no longer matches.
    if (Atomics.load(control, layout.jobGen) !== word >>> 16) return ran;
    if (Atomics.compareExchange(control, layout.claim, word, word + 1) !== word) continue;
    try {
      run(next);
    } catch {
      Atomics.store(control, layout.error, 1);
    }
    ran++;
    Atomics.add(control, layout.done, 1);
    Atomics.notify(control, layout.done);
  }
}

/** What a worker is sent when it starts. */
interface WorkerInit {
  spinMs: number;
  library: string;
  symbols: typeof SGEMM_BY_POINTER;
  control: Int32Array;
  pointers: BigInt64Array;
  params: Float64Array;
  layout: typeof L;
  fields: typeof F;
  panelWords: number;
}

/** A worker's whole program (sent as source text: it refers to nothing outside itself). */
function workerMain(
  init: WorkerInit,
  helpers: { join: typeof participate; spin: typeof spinWhile },
): void {
  const { control, pointers, params, layout, fields, panelWords } = init;
  const seen0 = Atomics.load(control, layout.wake);
  let library: Deno.DynamicLibrary<typeof SGEMM_BY_POINTER>;
  try {
    library = Deno.dlopen(init.library, init.symbols);
  } catch {
    return; // never ready: the caller runs every panel
  }
  const sgemm = library.symbols.cblas_sgemm;
  const at = (which: number, offset: number) =>
    Deno.UnsafePointer.offset(Deno.UnsafePointer.create(pointers[which])!, offset * 4);
  const run = (index: number) => {
    const p = fields.panels + index * panelWords;
    sgemm(
      101, // row-major
      params[fields.transA] ? 112 : 111,
      params[fields.transB] ? 112 : 111,
      params[p + 3],
      params[p + 4],
      params[fields.k],
      1,
      at(0, params[p]),
      params[fields.lda],
      at(1, params[p + 1]),
      params[fields.ldb],
      params[fields.beta],
      at(2, params[p + 2]),
      params[fields.ldc],
    );
  };
  let seen = seen0;
  Atomics.add(control, layout.ready, 1);
  for (;;) {
    if (!helpers.spin(control, layout.wake, seen, init.spinMs)) {
      Atomics.wait(control, layout.wake, seen);
    }
    if (Atomics.load(control, layout.quit) !== 0) {
      library.close();
      return;
    }
    seen = Atomics.load(control, layout.wake);
    Atomics.add(control, layout.byWorkers, helpers.join(control, layout, run));
  }
}

interface NodeWorker {
  postMessage(value: unknown): void;
  unref(): void;
  terminate(): unknown;
  on(event: "error", listener: () => void): void;
}

/** `node:worker_threads`' Worker where the runtime has it (Deno does), found without importing it. */
function nodeWorker(): (new (source: string, options: { eval: true }) => NodeWorker) | null {
  const process = (globalThis as { process?: { getBuiltinModule?: (name: string) => unknown } })
    .process;
  const module = process?.getBuiltinModule?.("node:worker_threads") as
    | { Worker?: new (source: string, options: { eval: true }) => NodeWorker }
    | undefined;
  return module?.Worker ?? null;
}

/** One gemm for {@linkcode PanelPool.run}: whole-product operands and layout, and its panels. */
export interface PanelJob {
  /** A, B and C of the whole product. */
  a: Float32Array;
  b: Float32Array;
  c: Float32Array;
  /** The whole product's inner dimension, transposes, beta and leading dimensions. */
  k: number;
  transA: boolean;
  transB: boolean;
  beta: 0 | 1;
  lda: number;
  ldb: number;
  ldc: number;
  /** The panels (at most {@linkcode MAX_PANELS}). */
  panels: Panel[];
}

/** Workers that run gemm panels on one BLAS library; see the module doc. */
export class PanelPool {
  /** Workers started (the caller is not counted). */
  readonly workers: number;
  readonly #control = new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * 4));
  readonly #pointers = new BigInt64Array(new SharedArrayBuffer(3 * 8));
  readonly #params = new Float64Array(
    new SharedArrayBuffer((F.panels + MAX_PANELS * PANEL_WORDS) * 8),
  );
  readonly #handles: NodeWorker[] = [];
  #generation = 0;
  #jobs = 0;

  /** Starts up to `workers` workers on `library` (they come up in the background). */
  constructor(library: string, workers: number) {
    const Worker = nodeWorker();
    const init: WorkerInit = {
      spinMs: SPIN_MS,
      library,
      symbols: SGEMM_BY_POINTER,
      control: this.#control,
      pointers: this.#pointers,
      params: this.#params,
      layout: L,
      fields: F,
      panelWords: PANEL_WORDS,
    };
    const source = `const join = (${participate.toString()});
const spinWhile = (${spinWhile.toString()});
const workerMain = (${workerMain.toString()});
require("node:worker_threads").parentPort.once("message", (init) => workerMain(init, { join, spin: spinWhile }));`;
    for (let i = 0; Worker !== null && i < workers; i++) {
      try {
        const worker = new Worker(source, { eval: true });
        worker.on("error", () => {}); // a failed worker only stops taking panels
        worker.unref();
        worker.postMessage(init);
        this.#handles.push(worker);
      } catch {
        break; // the runtime refuses workers: fewer threads take panels
      }
    }
    this.workers = this.#handles.length;
  }

  /** Workers that have opened the library and take panels (tests wait for them). */
  get ready(): number {
    return Atomics.load(this.#control, L.ready);
  }

  /** Jobs run through the pool so far (whether a gemm took the split path). */
  get jobs(): number {
    return this.#jobs;
  }

  /** Panels the workers have run so far. */
  get panelsByWorkers(): number {
    return Atomics.load(this.#control, L.byWorkers);
  }

  /**
   * Runs every panel of `job` — `runHere(i)` on this thread, a worker's own
   * call on the same addresses elsewhere — and returns when all are done.
   * @throws {InklingError} after the job drains, if a panel threw.
   */
  run(job: PanelJob, runHere: RunPanel): void {
    const count = job.panels.length;
    if (!(count >= 1 && count <= MAX_PANELS)) {
      throw new InklingError(`PanelPool.run: ${count} panels (1 to ${MAX_PANELS})`);
    }
    this.#jobs++;
    const control = this.#control;
    const params = this.#params;
    const generation = this.#generation = (this.#generation + 1) & 0xffff;
    Atomics.store(control, L.jobGen, generation);
    // Addresses include each view's byteOffset, so subarrays work as they are.
    this.#pointers[0] = BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(job.a)));
    this.#pointers[1] = BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(job.b)));
    this.#pointers[2] = BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(job.c)));
    params[F.transA] = job.transA ? 1 : 0;
    params[F.transB] = job.transB ? 1 : 0;
    params[F.beta] = job.beta;
    params[F.k] = job.k;
    params[F.lda] = job.lda;
    params[F.ldb] = job.ldb;
    params[F.ldc] = job.ldc;
    job.panels.forEach((panel, i) => {
      const p = F.panels + i * PANEL_WORDS;
      params[p] = panel.aOffset;
      params[p + 1] = panel.bOffset;
      params[p + 2] = panel.cOffset;
      params[p + 3] = panel.m;
      params[p + 4] = panel.n;
    });
    Atomics.store(control, L.count, count);
    Atomics.store(control, L.done, 0);
    // Publishing the claim word last makes the parameters above visible to whoever claims.
    Atomics.store(control, L.claim, generation << 16);
    if (Atomics.load(control, L.ready) > 0) {
      Atomics.add(control, L.wake, 1);
      Atomics.notify(control, L.wake);
    }
    participate(control, L, runHere);
    for (let done = Atomics.load(control, L.done); done < count;) {
      if (!spinWhile(control, L.done, done, SPIN_MS)) Atomics.wait(control, L.done, done);
      done = Atomics.load(control, L.done);
    }
    if (Atomics.exchange(control, L.error, 0) !== 0) {
      throw new InklingError("PanelPool.run: a BLAS panel failed in a worker");
    }
  }

  /** Stops the workers; the pool must not be used afterwards. */
  close(): void {
    Atomics.store(this.#control, L.quit, 1);
    Atomics.add(this.#control, L.wake, 1);
    Atomics.notify(this.#control, L.wake);
    for (const worker of this.#handles) worker.terminate();
    this.#handles.length = 0;
  }
}
