/**
 * Storage that ops allocate inside a {@linkcode tidy} scope (in `tidy.ts`),
 * and the pool it goes back to when the scope ends: a training step's
 * outputs, losses and gradients are then the previous step's arrays again,
 * instead of new ones the allocator has to map, zero and later reclaim.
 *
 * This file holds only the bookkeeping: the stack of open scopes, what each
 * one allocated and made, and the free lists. It knows nothing of tensors
 * (`tensor.ts` imports it to allocate and to register the tensors it makes),
 * so the rules of what survives a scope live in `tidy.ts`.
 *
 * @module
 */

import { kernels } from "./kernels/backend.ts";
import type { Storage } from "./kernels/kernels.ts";

/** What one open scope allocated and made. */
export interface Scope<T> {
  /** Storage allocated by ops while the scope was innermost. */
  readonly storages: Storage[];
  /** Tensors made while the scope was innermost. */
  readonly made: T[];
  /** Tensors that outlive the scope whatever it returns ({@linkcode keepInScope}). */
  readonly kept: T[];
}

/**
 * Most bytes the free lists hold. Past it, released storage is left to the
 * garbage collector, so one step with unusual shapes cannot pin memory.
 */
export const POOL_LIMIT_BYTES = 256 * 1024 * 1024;

// deno-lint-ignore no-explicit-any
const scopes: Scope<any>[] = [];
const free = new Map<string, Storage[]>();
let pooledBytes = 0;

/** New zeroed storage, never pooled (what every caller here and in tensor.ts starts from). */
export function newStorage(float64: boolean, size: number): Storage {
  return float64 ? new Float64Array(size) : new Float32Array(size);
}

/**
 * Shortest float32 arrays made in the kernels' own memory: the WebAssembly
 * kernels send shorter ones to loops that copy nothing anyway.
 */
export const RESIDENT_MIN_LENGTH = 256;

/**
 * New zeroed storage that will be used again and again (the pool's arrays,
 * a leaf's gradient buffer, parameters, optimizer state, an op's scratch): float32
 * arrays of {@linkcode RESIDENT_MIN_LENGTH} or more are made where the
 * active kernels compute on them in place when they offer that
 * (`Kernels.residentStorage`, the shared WebAssembly memory), so they go
 * from kernel to kernel without copies into the kernels' scratch and back.
 */
export function reusableStorage(float64: boolean, size: number): Storage {
  const resident = float64 || size < RESIDENT_MIN_LENGTH ? null : kernels().residentStorage?.(size);
  return resident ?? newStorage(float64, size);
}

/**
 * Gives back storage from {@linkcode reusableStorage} that nothing uses any
 * more: its place in the kernels' memory is free at once, instead of when
 * the garbage collector reclaims the array.
 */
export function releaseReusable(storage: Storage): void {
  if (storage instanceof Float32Array) kernels().releaseResident?.(storage);
}

/**
 * What tidy tells storages apart by: an array's buffer, so a view of it
 * counts as the same storage, except in the kernels' shared memory, where
 * every array shares one buffer: there the array itself (the library makes
 * no views of such storage; views a user makes of it are not tracked).
 */
export function storageKey(storage: Storage): object {
  const buffer = storage.buffer;
  return typeof SharedArrayBuffer !== "undefined" && buffer instanceof SharedArrayBuffer
    ? storage
    : buffer;
}

function key(float64: boolean, size: number): string {
  return `${float64 ? "f64" : "f32"}:${size}`;
}

/** Opens a scope; the caller must {@linkcode closeScope} it, in a `finally`. */
export function openScope<T>(): Scope<T> {
  const scope: Scope<T> = { storages: [], made: [], kept: [] };
  scopes.push(scope);
  return scope;
}

/** Closes the innermost scope (which must be `scope`) and returns its parent, if any. */
export function closeScope<T>(scope: Scope<T>): Scope<T> | undefined {
  if (scopes.pop() !== scope) throw new Error("tidy: scopes closed out of order");
  return scopes[scopes.length - 1];
}

/**
 * Zeroed storage for an op's result. Inside a scope it comes from the free
 * lists when they hold an array of that type and length, and is recorded so
 * that the scope's end can release it; outside every scope it is a new array.
 * With `written`, the caller's kernel writes every element before anything
 * reads one, so a reused array keeps its old values instead of being zeroed
 * first (new arrays are zero either way). Zeroing took 4–5% of the calling
 * thread's time in the MNIST CNN's training step, whose activations are
 * megabytes; the kernels then write into arrays not in cache, so the step
 * gained less: 1.01–1.02× images/s on one thread (8 interleaved runs), 0.97–1.05× on two.
 */
export function takeStorage(
  float64: boolean,
  size: number,
  options: { written?: boolean } = {},
): Storage {
  const scope = scopes[scopes.length - 1];
  if (scope === undefined) return newStorage(float64, size);
  const reused = free.get(key(float64, size))?.pop();
  let storage: Storage;
  if (reused === undefined) {
    storage = reusableStorage(float64, size);
  } else {
    pooledBytes -= reused.byteLength;
    storage = options.written ? reused : reused.fill(0);
  }
  scope.storages.push(storage);
  return storage;
}

/** Registers a tensor made inside the innermost scope (a no-op outside scopes). */
export function registerMade<T>(tensor: T): void {
  scopes[scopes.length - 1]?.made.push(tensor);
}

/** Marks `tensor` as outliving the innermost scope (a no-op outside scopes). */
export function keepInScope<T>(tensor: T): void {
  scopes[scopes.length - 1]?.kept.push(tensor);
}

/**
 * Puts storage no tensor can reach any more on the free lists (up to
 * {@linkcode POOL_LIMIT_BYTES}; past it, gives it back).
 */
export function releaseStorage(storage: Storage): void {
  if (pooledBytes + storage.byteLength > POOL_LIMIT_BYTES) {
    releaseReusable(storage);
    return;
  }
  const k = key(storage instanceof Float64Array, storage.length);
  let list = free.get(k);
  if (list === undefined) free.set(k, list = []);
  list.push(storage);
  pooledBytes += storage.byteLength;
}

/** Bytes the free lists hold now (for tests and benchmarks). */
export function pooledStorageBytes(): number {
  return pooledBytes;
}

/** Empties the free lists, giving their arrays back ({@linkcode releaseReusable}). */
export function clearStoragePool(): void {
  for (const list of free.values()) list.forEach(releaseReusable);
  free.clear();
  pooledBytes = 0;
}
