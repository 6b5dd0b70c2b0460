/**
 * How the calling thread and the workers share a job: a few Int32 words of
 * a SharedArrayBuffer, and one function, {@linkcode participate}, that every
 * thread runs — the workers from its source text (see worker.ts), so it
 * refers to nothing outside itself.
 *
 * A job is `tasks` calls `fn(arg, task, slot)` of one export of one module
 * (`slot` tells the threads apart: 0 is the caller). Tasks are claimed one at
 * a time from a shared counter, in order, by whichever thread is free: the
 * work of a task never depends on who runs it, so results do not depend on
 * the thread count or on timing. Tasks `[0, phase1)` must all finish before
 * any later task starts (gemm packs its operands, then multiplies). The
 * caller publishes every job with task 0 already claimed and runs it
 * itself: then task 0 of every job runs on the calling thread whenever it
 * has more than one task, and a split whose parts follow the data (the
 * native gemm's and the SGD update's first halves) keeps that half in the
 * caller's cache from one job to the next instead of moving it between
 * cores.
 *
 * The claim word holds the job's generation in its high 16 bits and the next
 * task in its low 16 bits, so a thread that read a finished job's state can
 * never claim a task of the next one (a claim is a compare-exchange of the
 * whole word). The caller publishes a job by writing its generation to
 * `jobGen`, then the parameters, then the claim word; a thread trusts the
 * parameters it read only if `jobGen` read after them still matches the claim
 * word. (The 16-bit generation would only be fooled by a thread stalled
 * between two reads across exactly 65,536 jobs.)
 *
 * @module
 */

/** Word indices of the control array. */
export interface Layout {
  /** Bumped (and notified) when a job is published; workers sleep on it. */
  readonly wake: number;
  /** Generation (high 16 bits) and next task (low 16 bits). */
  readonly claim: number;
  /** Tasks finished in the current job; the caller sleeps on it. */
  readonly done: number;
  /** Tasks of the first phase finished; later tasks sleep on it. */
  readonly phase: number;
  /** Generation of the parameters below, written before them. */
  readonly jobGen: number;
  /** Number of tasks (at most {@linkcode MAX_TASKS}). */
  readonly tasks: number;
  /** Tasks in the first phase. */
  readonly phase1: number;
  /** Index of the module whose export runs. */
  readonly module: number;
  /** Index of the export in the function-name list. */
  readonly fn: number;
  /** The argument passed to every call (the job's address in WebAssembly memory). */
  readonly arg: number;
  /** Set when a task threw (by the first such task of the job only). */
  readonly error: number;
  /** Bytes of that task's message in the failure buffer. */
  readonly failureBytes: number;
  /** Workers ready to take tasks. */
  readonly ready: number;
  /** Tasks run by workers so far (tests check that workers took part). */
  readonly byWorkers: number;
  /** Set when the pool closes: workers return instead of sleeping again. */
  readonly quit: number;
}

/** The layout in use. */
export const LAYOUT: Layout = Object.freeze({
  wake: 0,
  claim: 1,
  done: 2,
  phase: 3,
  jobGen: 4,
  tasks: 5,
  phase1: 6,
  module: 7,
  fn: 8,
  arg: 9,
  error: 10,
  ready: 11,
  byWorkers: 12,
  quit: 13,
  failureBytes: 14,
});

/** Words in the control array. */
export const CONTROL_WORDS = 15;

/** Bytes kept of a failed task's message (UTF-8, cut at this length). */
export const FAILURE_BYTES = 1024;

/**
 * What a thread brings to {@linkcode participate}: the module instances,
 * the export names, its slot, and the shared buffer of
 * {@linkcode FAILURE_BYTES} where the job's first failing task leaves its
 * message for the caller.
 */
export interface ThreadContext {
  /** The module instances, then the host tasks, if any. */
  instances: Record<string, unknown>[];
  /** Export names a job can name. */
  names: string[];
  /** This thread's slot (0 is the caller). */
  slot: number;
  /** The failure buffer, shared by every thread of the pool. */
  failure: Uint8Array;
}

/** Most tasks in one job: the claim word keeps the task index in 16 bits. */
export const MAX_TASKS = 0xffff;

/**
 * How long a thread polls before it sleeps in `Atomics.wait`, in ms: a worker
 * waiting for the next job, or the caller for the last task. Waking a
 * sleeping thread cost ~40 µs on the 2-core dev machine, and the jobs of a
 * training step come back to back, each worth only a few times that; so, as
 * OpenMP runtimes do, threads spin a moment before they sleep.
 */
export const SPIN_MS = 0.2;

/**
 * Polls word `index` of `control` until it differs from `value` or `ms` have
 * passed; returns whether it changed. Self-contained: it is also the
 * workers' code, as source text.
 */
export function spinWhile(control: Int32Array, index: number, value: number, ms: number): boolean {
  const until = performance.now() + ms;
  while (Atomics.load(control, index) === value) {
    Atomics.pause?.(); // a pause hint (x86 PAUSE): a spinning thread leaves its core's sibling room
    if (performance.now() >= until) return false;
  }
  return true;
}

/** A task function of the WebAssembly module: `fn(arg, task, slot)`. */
export type TaskFunction = (arg: number, task: number, slot: number) => void;

/**
 * Claims and runs tasks of the current job until none are left to claim,
 * starting with task `claimed` when this thread claimed one already (the
 * caller's task 0; −1 for none). `instances[module][names[fn]]` is the
 * function; `slot` is this thread's. Self-contained: it is also the
 * workers' code, as source text.
 */
export function participate(
  control: Int32Array,
  layout: Layout,
  context: ThreadContext,
  claimed = -1,
): void {
  for (let owned = claimed;; owned = -1) {
    const claim = Atomics.load(control, layout.claim);
    const tasks = Atomics.load(control, layout.tasks);
    const phase1 = Atomics.load(control, layout.phase1);
    const module = Atomics.load(control, layout.module);
    const fn = Atomics.load(control, layout.fn);
    const arg = Atomics.load(control, layout.arg);
    if (Atomics.load(control, layout.jobGen) !== claim >>> 16) return; // being published
    let task = owned;
    if (task < 0) {
      task = claim & 0xffff;
      if (task >= tasks) return;
      if (Atomics.compareExchange(control, layout.claim, claim, claim + 1) !== claim) continue;
    }
    if (task >= phase1) {
      for (let p = Atomics.load(control, layout.phase); p < phase1;) {
        Atomics.wait(control, layout.phase, p);
        p = Atomics.load(control, layout.phase);
      }
    }
    try {
      const run = context.instances[module][context.names[fn]] as TaskFunction;
      run(arg, task, context.slot);
    } catch (error) {
      // The first failure of the job leaves what it was and where, for the caller's error.
      if (Atomics.compareExchange(control, layout.error, 0, 1) === 0) {
        const text = `${context.names[fn]}, task ${task} on thread ${context.slot}: ${error}`;
        const bytes = new TextEncoder().encode(text).subarray(0, context.failure.length);
        context.failure.set(bytes);
        Atomics.store(control, layout.failureBytes, bytes.length);
      }
    }
    if (context.slot !== 0) Atomics.add(control, layout.byWorkers, 1);
    if (task < phase1 && Atomics.add(control, layout.phase, 1) + 1 === phase1) {
      Atomics.notify(control, layout.phase);
    }
    if (Atomics.add(control, layout.done, 1) + 1 === tasks) Atomics.notify(control, layout.done);
  }
}

/** What a worker receives when it starts. */
export interface WorkerInit {
  /** The shared WebAssembly memory. */
  memory: WebAssembly.Memory;
  /** The modules to instantiate on it (each imports `env.memory`). */
  modules: WebAssembly.Module[];
  /** Export names a job can name. */
  names: string[];
  /** The control array. */
  control: Int32Array;
  /** Its layout. */
  layout: Layout;
  /** Where a failing task leaves its message ({@linkcode ThreadContext}). */
  failure: Uint8Array;
  /** This worker's slot (1, 2, …). */
  slot: number;
  /** How long it polls for the next job before it sleeps, in ms ({@linkcode SPIN_MS}). */
  spinMs: number;
  /** The argument of the host tasks' factory (see {@linkcode workerMain}), when the pool has them. */
  hostInit?: unknown;
}

/** Makes a thread's host tasks (pool.ts `HostTasks`) from their init data and its module instances. */
export type HostFactory = (
  init: unknown,
  instances: Record<string, unknown>[],
) => Record<string, TaskFunction> | null;

/**
 * A worker's whole life: instantiate the modules, say it is ready, then
 * wait on the wake word (polling, then asleep) and take part in every job
 * published, until the pool closes (Deno cannot end a worker blocked in
 * `Atomics.wait`, so the pool wakes it to return first). `code` holds
 * {@linkcode participate}, {@linkcode spinWhile} and the pool's host-task
 * factory, if any (passed in, since a worker gets them all as source): its
 * tasks follow the modules' instances, and a worker whose factory returns
 * null never takes tasks. Self-contained, like `participate`.
 */
export function workerMain(
  init: WorkerInit,
  code: { participate: typeof participate; spinWhile: typeof spinWhile; host: HostFactory | null },
): void {
  const { control, layout } = init;
  const instances = init.modules.map((module) =>
    new WebAssembly.Instance(module, { env: { memory: init.memory } }).exports as Record<
      string,
      unknown
    >
  );
  if (code.host !== null) {
    // Host tasks come after the modules; a worker that cannot make them never becomes ready.
    const tasks = code.host(init.hostInit, instances);
    if (tasks === null) return;
    instances.push(tasks);
  }
  const context = { instances, names: init.names, slot: init.slot, failure: init.failure };
  Atomics.add(control, layout.ready, 1);
  while (Atomics.load(control, layout.quit) === 0) {
    const wake = Atomics.load(control, layout.wake);
    code.participate(control, layout, context);
    if (!code.spinWhile(control, layout.wake, wake, init.spinMs)) {
      Atomics.wait(control, layout.wake, wake);
    }
  }
}
