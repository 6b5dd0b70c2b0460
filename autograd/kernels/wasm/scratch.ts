/**
 * The instantiated kernel module and its scratch memory.
 *
 * Tensors live in ordinary JS typed arrays, which WebAssembly cannot address,
 * so every accelerated call copies its operands into the module's memory,
 * runs there and copies the result back. {@linkcode WasmScratch} hands out
 * that space: one region starting at the module's `SCRATCH_BASE`, grown on
 * demand and reused by every call (calls never overlap: JS is single-threaded
 * and kernels do not call each other through this object).
 *
 * A call large enough for threads ({@linkcode WasmScratch.parallel}) moves
 * the scratch, for good, onto the process-wide shared memory and this
 * thread's instance of the same build there (shared_memory.ts): the same
 * code, so single-threaded calls afterwards compute the same bits as before.
 *
 * The exception is resident storage (resident.ts): arrays the ops keep for
 * good, placed in that shared memory. A kernel asks {@linkcode
 * WasmScratch.addressOf} for each operand (which also moves the scratch onto
 * the shared memory) and uses a resident one where it is; the scratch then
 * starts above the last resident array.
 *
 * @module
 */

import type { Storage } from "../kernels.ts";
import { type PoolModules, type ThreadPool, threadPool } from "../threads/mod.ts";
import type { KernelExports, KernelInstance } from "./instance.ts";
import { residentAddress, scratchStart } from "./resident.ts";
import { sharedKernels, TASK_EXPORTS } from "./shared_memory.ts";

/** Largest scratch the kernels ask for; beyond it calls go to the fallback. */
const MAX_SCRATCH_BYTES = 1 << 30;

const PAGE_BYTES = 65536;

/** Rounds a byte count up to a multiple of 16, so every operand starts vector-aligned. */
export function align16(bytes: number): number {
  return (bytes + 15) & ~15;
}

/** Where a parallel call runs: the pool, and the index of this build's module in it. */
export interface Parallel {
  /** The process-wide pool. */
  pool: ThreadPool;
  /** Index of this scratch's build among the pool's modules. */
  module: number;
}

/**
 * The pool's modules: every build, rewritten for the shared memory (what
 * `threadPool` starts a pool with, for these kernels and the native gemm's).
 */
export function poolModules(): PoolModules | null {
  const shared = sharedKernels();
  return shared && { ...shared, names: [...TASK_EXPORTS] };
}

/** Scratch space in the kernel module's memory; see the module doc. */
export class WasmScratch {
  #exports: KernelExports;
  readonly #binary: Uint8Array;
  readonly #base: number;
  #onShared = false;
  /** A view of the whole memory; replaced whenever the memory grows. */
  f32: Float32Array;
  /** When set, size thresholds are off: every float32 call runs in WebAssembly. */
  readonly ignoreThresholds: boolean;

  /** Wraps an instantiated kernel module. */
  constructor(instance: KernelInstance, options: { ignoreThresholds: boolean }) {
    this.#exports = instance.exports;
    this.#binary = instance.binary;
    this.ignoreThresholds = options.ignoreThresholds;
    this.#base = align16(instance.exports.SCRATCH_BASE.value as number);
    this.f32 = new Float32Array(instance.exports.memory.buffer);
  }

  /**
   * Byte address of the first scratch byte: on the shared memory, above
   * every resident array (resident.ts), which may have been added since the
   * last call.
   */
  get base(): number {
    return this.#onShared ? align16(scratchStart(this.#base)) : this.#base;
  }

  /**
   * Byte address of `x` in this module's memory when `x` is resident
   * storage (moving the scratch onto the shared memory if it is not there
   * yet), so a kernel can use it in place; -1 when it must be copied in.
   */
  addressOf(x: Storage): number {
    const at = residentAddress(x);
    return at >= 0 && this.#moveToShared() !== null ? at : -1;
  }

  /**
   * Byte addresses of `arrays` when every one is resident storage, so that a
   * kernel runs on them where they are, whole, in one call (no chunk edge
   * inside an array that another operand may alias); null when one of them
   * must be copied in.
   */
  inPlace(...arrays: Storage[]): number[] | null {
    const at: number[] = [];
    for (const x of arrays) {
      const address = this.addressOf(x);
      if (address < 0) return null;
      at.push(address);
    }
    return at;
  }

  /**
   * Address of elements [start, start + len) of `x` for a kernel call: in
   * place when `at` (its {@linkcode addressOf}) is one, else copied into
   * scratch at `slot`.
   */
  input(x: Float32Array, at: number, slot: number, start: number, len: number): number {
    if (at >= 0) return at + start * 4;
    this.f32.set(x.subarray(start, start + len), slot >> 2);
    return slot;
  }

  /** Where a kernel writes elements from `start` of an output: in place (`at` ≥ 0), or at `slot`. */
  output(at: number, slot: number, start: number): number {
    return at >= 0 ? at + start * 4 : slot;
  }

  /** Copies a result from `slot` into `out` at `start`, unless it was written in place. */
  copyOut(out: Float32Array, at: number, slot: number, start: number, len: number): void {
    if (at < 0) out.set(this.f32.subarray(slot >> 2, (slot >> 2) + len), start);
  }

  /** The module's exports (on the shared memory once a call went parallel). */
  get exports(): KernelExports {
    return this.#exports;
  }

  /**
   * The pool for a call of `work` (m·n·k for gemm) when it is at least
   * `minimum` and more than one thread is available; null to run on this
   * thread. The first parallel call moves the scratch onto the shared
   * memory (see the module doc); call this before {@linkcode reserve}.
   */
  parallel(work: number, minimum: number): Parallel | null {
    if (this.small(work, minimum)) return null;
    const pool = threadPool(poolModules);
    if (pool === null) return null;
    const module = this.#moveToShared();
    return module === null ? null : { pool, module };
  }

  /** Moves onto this build's instance on the shared memory; its index, or null without one. */
  #moveToShared(): number | null {
    const shared = sharedKernels();
    const module = shared?.index.get(this.#binary);
    if (!shared || module === undefined) return null;
    const exports = shared.instances[module];
    if (this.#exports !== exports) {
      this.#exports = exports;
      this.#onShared = true;
      this.f32 = new Float32Array(exports.memory.buffer);
    }
    return module;
  }

  /**
   * Whether a call of `size` (elements, or m·n·k for gemm) is below the
   * measured threshold `minimum`, so the fallback is faster.
   */
  small(size: number, minimum: number): boolean {
    return size < (this.ignoreThresholds ? 1 : minimum);
  }

  /**
   * Makes sure `bytes` bytes from {@linkcode base} exist, growing the memory
   * if needed. Returns false (the caller then uses its fallback) when the
   * request is beyond {@linkcode MAX_SCRATCH_BYTES} or the engine refuses to
   * grow.
   */
  reserve(bytes: number): boolean {
    const end = this.base + bytes;
    const buffer = this.exports.memory.buffer;
    // The shared memory may have been grown by another kernel set using it.
    if (this.f32.length * 4 !== buffer.byteLength) this.f32 = new Float32Array(buffer);
    if (end <= buffer.byteLength) return true;
    if (bytes > MAX_SCRATCH_BYTES) return false;
    try {
      this.exports.memory.grow(Math.ceil((end - buffer.byteLength) / PAGE_BYTES));
    } catch {
      return false;
    }
    this.f32 = new Float32Array(this.exports.memory.buffer);
    return true;
  }
}
