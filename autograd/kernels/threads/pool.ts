/**
 * The worker pool: `threads − 1` workers plus the calling thread, all
 * running the same WebAssembly modules on one shared memory, and the same
 * JavaScript host tasks if the pool has them ({@linkcode HostTasks}).
 *
 * The kernel interface is synchronous (`gemm(args): void` returns with C
 * written), so the caller cannot await its workers: it takes part in the job
 * and then blocks in `Atomics.wait` until the last task is done. Deno allows
 * that on its main thread, and browsers in workers; a browser's main thread
 * may not block, so there the engine keeps to one thread (threads.ts checks).
 * Between jobs workers poll for {@linkcode SPIN_MS} (a training step's jobs
 * come back to back), then sleep in `Atomics.wait`; the caller polls as
 * long for the last task before it sleeps.
 *
 * Workers start lazily (the first parallel call creates the pool) and the
 * caller never waits for them to start: tasks are claimed dynamically, so
 * until a worker is up the caller simply runs every task itself. Where
 * `node:worker_threads` exists (Deno, Node) its workers are used because
 * they can be `unref`'d — Deno's web `Worker` has no `unref`, and an idle
 * one keeps the process alive — so a program exits when its work is done
 * whether or not it calls `shutdownThreads()`. Elsewhere (browsers) a
 * module web Worker runs from a Blob URL.
 *
 * @module
 */

import { InklingError } from "../../errors.ts";
import {
  CONTROL_WORDS,
  FAILURE_BYTES,
  LAYOUT,
  MAX_TASKS,
  participate,
  SPIN_MS,
  spinWhile,
  type TaskFunction,
  type ThreadContext,
  type WorkerInit,
  workerMain,
} from "./protocol.ts";

/** One job: `tasks` calls of export `names[fn]` of `modules[module]` with `arg`. */
export interface Job {
  /** Index of the module. */
  module: number;
  /** Index of the export name. */
  fn: number;
  /** Argument of every call. */
  arg: number;
  /** Number of tasks, 1 to {@linkcode MAX_TASKS}. */
  tasks: number;
  /** Tasks that must all finish before any later one starts (0 for none). */
  phase1: number;
}

/**
 * Tasks written in JavaScript that a pool runs next to the modules' exports
 * (the native backend's BLAS panels): a {@linkcode Job} names them as module
 * `modules.length` ({@linkcode ThreadPool.hostModule}), each task by its
 * index after the export names ({@linkcode ThreadPool.hostFn}).
 */
export interface HostTasks {
  /**
   * Source text of a self-contained `(init, instances) => tasks | null`
   * function, run once in each worker with its instances of the modules'
   * (on the shared memory); null means the worker cannot run them.
   */
  source: string;
  /** Its argument (anything structured clone can send). */
  init: unknown;
  /** The task names, in order. */
  names: string[];
  /** This thread's own tasks of those names. */
  here: Record<string, TaskFunction>;
}

/** The modules a pool runs, and this thread's instances of them. */
export interface PoolModules {
  /** The shared memory the modules import. */
  memory: WebAssembly.Memory;
  /** The compiled modules. */
  modules: WebAssembly.Module[];
  /** This thread's instance of each. */
  instances: object[];
  /** Export names a {@linkcode Job} can name. */
  names: string[];
  /** JavaScript tasks run as one more module, if any. */
  host?: HostTasks;
}

/** What the pool keeps of a worker. */
interface WorkerHandle {
  terminate(): unknown;
}

interface NodeWorker extends WorkerHandle {
  postMessage(value: unknown): void;
  unref(): void;
  on(event: "error", listener: () => void): void;
}

interface NodeWorkerThreads {
  Worker: new (source: string, options: { eval: true }) => NodeWorker;
}

/** `node:worker_threads` where the runtime has it, found without importing it. */
function nodeWorkerThreads(): NodeWorkerThreads | null {
  const process = (globalThis as { process?: { getBuiltinModule?: (name: string) => unknown } })
    .process;
  const module = process?.getBuiltinModule?.("node:worker_threads") as
    | NodeWorkerThreads
    | undefined;
  return module?.Worker ? module : null;
}

/** Whether this runtime can start workers at all. */
export function workersAvailable(): boolean {
  return nodeWorkerThreads() !== null || typeof Worker === "function";
}

/** The workers' program: {@linkcode workerMain} and the functions it is given. */
function workerSource(receive: string, host: string | null): string {
  return `const participate = (${participate.toString()});
const spinWhile = (${spinWhile.toString()});
const host = (${host ?? "null"});
const workerMain = (${workerMain.toString()});
${receive}`;
}

/**
 * Starts workers of one kind: `node:worker_threads` (unref'd) where it
 * exists, else web Workers from one Blob URL. A worker that fails (it cannot
 * instantiate the modules, say) only stops taking tasks: its error is
 * swallowed here instead of ending the program, and the other threads run
 * its share.
 */
class WorkerFactory {
  readonly #node = nodeWorkerThreads();
  readonly #host: string | null;
  #url: string | null = null;

  /** Workers of this factory make their host tasks with the function whose source is `host`. */
  constructor(host: string | null) {
    this.#host = host;
  }

  /** Starts one worker and sends it `init`. */
  spawn(init: WorkerInit): WorkerHandle {
    if (this.#node !== null) {
      const worker = new this.#node.Worker(
        workerSource(
          `require("node:worker_threads").parentPort.once("message",
  (init) => workerMain(init, { participate, spinWhile, host }));`,
          this.#host,
        ),
        { eval: true },
      );
      worker.on("error", () => {});
      worker.unref();
      worker.postMessage(init);
      return worker;
    }
    this.#url ??= URL.createObjectURL(
      new Blob([workerSource(
        `self.onmessage = (event) => workerMain(event.data, { participate, spinWhile, host });`,
        this.#host,
      )], {
        type: "text/javascript",
      }),
    );
    const worker = new Worker(this.#url, { type: "module" });
    worker.onerror = (event) => event.preventDefault();
    worker.postMessage(init);
    return worker;
  }

  /** Releases the Blob URL, if any. */
  dispose(): void {
    if (this.#url !== null) URL.revokeObjectURL(this.#url);
    this.#url = null;
  }
}

/** A pool of workers; see the module doc. */
export class ThreadPool {
  /** Threads that run a job, the caller included. */
  readonly threads: number;
  readonly #control: Int32Array;
  readonly #workers: WorkerHandle[] = [];
  readonly #factory: WorkerFactory;
  readonly #context: ThreadContext;
  #generation = 0;
  #jobs = 0;
  /** The host tasks this pool runs, if any. */
  readonly host: HostTasks | null;
  /** The module index of the host tasks in a {@linkcode Job}. */
  readonly hostModule: number;

  /** Starts `threads − 1` workers (they come up in the background). */
  constructor(modules: PoolModules, threads: number) {
    this.threads = threads;
    this.host = modules.host ?? null;
    this.hostModule = modules.modules.length;
    this.#control = new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * 4));
    const failure = new Uint8Array(new SharedArrayBuffer(FAILURE_BYTES));
    const names = [...modules.names, ...(this.host?.names ?? [])];
    const instances = modules.instances as Record<string, unknown>[];
    this.#context = {
      instances: this.host ? [...instances, this.host.here] : instances,
      names,
      slot: 0,
      failure,
    };
    this.#factory = new WorkerFactory(this.host?.source ?? null);
    for (let slot = 1; slot < threads; slot++) {
      const init: WorkerInit = {
        memory: modules.memory,
        modules: modules.modules,
        names,
        control: this.#control,
        layout: LAYOUT,
        failure,
        slot,
        spinMs: SPIN_MS,
        hostInit: this.host?.init,
      };
      try {
        this.#workers.push(this.#factory.spawn(init));
      } catch {
        // The runtime refuses workers after all: fewer threads take tasks.
        break;
      }
    }
  }

  /** The index a {@linkcode Job} gives host task `name` as its `fn`. */
  hostFn(name: string): number {
    const index = this.host?.names.indexOf(name) ?? -1;
    if (index < 0) throw new InklingError(`ThreadPool.hostFn: no host task ${name}`);
    return this.#context.names.length - this.host!.names.length + index;
  }

  /** Workers that have started and take tasks (tests wait for them). */
  get ready(): number {
    return Atomics.load(this.#control, LAYOUT.ready);
  }

  /**
   * Jobs run through the pool so far: whether a kernel took the threaded
   * path, which (unlike who ran its tasks) does not depend on how soon the
   * operating system wakes a worker.
   */
  get jobs(): number {
    return this.#jobs;
  }

  /** Tasks the workers have run so far (tests check that they take part). */
  get tasksByWorkers(): number {
    return Atomics.load(this.#control, LAYOUT.byWorkers);
  }

  /**
   * Runs `job` on every thread and returns when all its tasks are done. A
   * task that throws (a trap in WebAssembly, a host task's error) makes this
   * throw an {@linkcode InklingError} after the job has drained, naming the
   * first such task, its thread and its error.
   */
  run(job: Job): void {
    if (!(job.tasks >= 1 && job.tasks <= MAX_TASKS)) {
      throw new InklingError(`ThreadPool.run: ${job.tasks} tasks (1 to ${MAX_TASKS})`);
    }
    this.#jobs++;
    const control = this.#control;
    const L = LAYOUT;
    const generation = this.#generation = (this.#generation + 1) & 0xffff;
    Atomics.store(control, L.jobGen, generation);
    Atomics.store(control, L.tasks, job.tasks);
    Atomics.store(control, L.phase1, job.phase1);
    Atomics.store(control, L.module, job.module);
    Atomics.store(control, L.fn, job.fn);
    Atomics.store(control, L.arg, job.arg);
    Atomics.store(control, L.done, 0);
    Atomics.store(control, L.phase, 0);
    // Task 0 is the caller's (see protocol.ts): claimed before any worker can look.
    Atomics.store(control, L.claim, (generation << 16) | 1);
    if (Atomics.load(control, L.ready) > 0) {
      Atomics.add(control, L.wake, 1);
      Atomics.notify(control, L.wake);
    }
    participate(control, L, this.#context, 0);
    for (let done = Atomics.load(control, L.done); done < job.tasks;) {
      if (!spinWhile(control, L.done, done, SPIN_MS)) Atomics.wait(control, L.done, done);
      done = Atomics.load(control, L.done);
    }
    if (Atomics.exchange(control, L.error, 0) !== 0) {
      // A copy: TextDecoder does not read shared memory.
      const bytes = this.#context.failure.slice(0, Atomics.load(control, L.failureBytes));
      throw new InklingError(`ThreadPool.run: a task failed: ${new TextDecoder().decode(bytes)}`);
    }
  }

  /** Stops the workers; the pool must not be used afterwards. */
  close(): void {
    Atomics.store(this.#control, LAYOUT.quit, 1);
    Atomics.add(this.#control, LAYOUT.wake, 1);
    Atomics.notify(this.#control, LAYOUT.wake);
    for (const worker of this.#workers) worker.terminate();
    this.#workers.length = 0;
    this.#factory.dispose();
  }
}
