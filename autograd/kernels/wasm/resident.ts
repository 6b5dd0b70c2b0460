/**
 * Resident storage: float32 arrays that live in the process-wide shared
 * WebAssembly memory (shared_memory.ts), so that kernels read and write
 * them where they are instead of copying them into their scratch and back.
 *
 * Storage used again and again is made here (through
 * `Kernels.residentStorage`, asked by `reusableStorage` in
 * `autograd/storage_pool.ts`): the float32 results ops allocate inside a
 * `tidy` scope, which the scope's end hands to the next step, the layers'
 * parameters, their reused gradients, the optimizers' state and the ops'
 * scratch arrays (`autograd/ops/scratch.ts`), such as a convolution's
 * unfolded columns. A training step's activations and gradients then go
 * from kernel to kernel in this memory. Each array takes a region of whole
 * cache lines, up to {@linkcode RESIDENT_LIMIT_BYTES} in all; when the
 * garbage collector reclaims an array its region is free again (a
 * FinalizationRegistry; or at once, {@linkcode releaseResident}), and new
 * arrays take the first free region that fits, else the space above the
 * last one. Every kernel's scratch starts above the last region in use
 * ({@linkcode scratchStart}). A shared memory never moves or detaches when
 * it grows, so the views stay valid.
 *
 * The WebAssembly loops run over whole vectors and may write up to 60 bytes
 * past an operand's end (into padding, when the operand sits in scratch).
 * Each resident array is therefore followed by {@linkcode SLACK_BYTES} that
 * belong to no one, and only the arrays as allocated count as resident
 * ({@linkcode residentAddress}): a subarray, whose end may be another
 * element's start, is copied through scratch as before.
 *
 * @module
 */

import { sharedKernels } from "./shared_memory.ts";

/**
 * Most bytes of resident storage in use at once (and regions span at most
 * twice as many); past it storage is an ordinary array. The MNIST CNN's
 * training step at batch 64 uses 2.7 MB of scratch; its activations and
 * gradients are a few MB each.
 */
export const RESIDENT_LIMIT_BYTES = 128 * 1024 * 1024;

/** Bytes after each resident array that no other array uses: room for a loop's last vector. */
export const SLACK_BYTES = 64;

const PAGE_BYTES = 65536;

/** Each array starts on a cache line, so two never share one. */
function lineAligned(bytes: number): number {
  return Math.ceil(bytes / 64) * 64;
}

/** The byte address of every resident array. */
const addresses = new WeakMap<ArrayBufferView, number>();

/** Byte address of the first region (0 until the first array), and of the end of the last. */
let first = 0;
let top = 0;
/** End of each region in use, by its start. */
const used = new Map<number, number>();
/** Free regions below `top`, by address: [start, end) pairs, none adjacent to another. */
const free: [number, number][] = [];
let usedBytes = 0;

/** Gives a reclaimed array's region back. */
const reclaim = new FinalizationRegistry<number>(freeRegion);

/** A region of `bytes` (whole cache lines): the first free one that fits, else above `top`. */
function takeRegion(bytes: number, memory: WebAssembly.Memory): number | null {
  if (usedBytes + bytes > RESIDENT_LIMIT_BYTES) return null;
  let start = -1;
  const fit = free.findIndex(([from, to]) => to - from >= bytes);
  if (fit >= 0) {
    start = free[fit][0];
    if (free[fit][1] - start === bytes) free.splice(fit, 1);
    else free[fit][0] += bytes;
  } else {
    // Holes too small for anything bound the span too: at most twice the limit.
    if (top + bytes - first > 2 * RESIDENT_LIMIT_BYTES) return null;
    const missing = top + bytes - memory.buffer.byteLength;
    if (missing > 0) {
      try {
        memory.grow(Math.ceil(missing / PAGE_BYTES));
      } catch {
        return null;
      }
    }
    start = top;
    top += bytes;
  }
  used.set(start, start + bytes);
  usedBytes += bytes;
  return start;
}

/** Frees the region at `start`, merging it with free neighbours (or lowering `top`). */
function freeRegion(start: number): void {
  const end = used.get(start);
  if (end === undefined) return;
  used.delete(start);
  usedBytes -= end - start;
  let from = start;
  let to = end;
  let at = free.findIndex(([s]) => s > start);
  if (at < 0) at = free.length;
  if (at > 0 && free[at - 1][1] === from) from = free.splice(--at, 1)[0][0];
  if (at < free.length && free[at][0] === to) to = free.splice(at, 1)[0][1];
  if (to === top) top = from;
  else free.splice(at, 0, [from, to]);
}

/**
 * A zeroed resident float32 array of `size` elements, or null when there is
 * no shared memory (no SharedArrayBuffer here) or the limit is reached. Its
 * region is free again once the array itself is garbage: a subarray of it
 * does not keep it (the library keeps none).
 */
export function residentStorage(size: number): Float32Array | null {
  const shared = sharedKernels();
  if (shared === null) return null;
  if (top === 0) first = top = lineAligned(shared.instances[0].SCRATCH_BASE.value as number);
  const memory = shared.memory;
  const start = takeRegion(lineAligned(size * 4 + SLACK_BYTES), memory);
  if (start === null) return null;
  // Scratch, or an earlier array, may have used these bytes.
  const storage = new Float32Array(memory.buffer, start, size).fill(0);
  addresses.set(storage, start);
  reclaim.register(storage, start, storage);
  return storage;
}

/**
 * Frees the region of `storage`, a resident array as allocated that nothing
 * uses any more, at once instead of when the garbage collector reclaims it
 * (a no-op for any other array).
 */
export function releaseResident(storage: ArrayBufferView): void {
  const start = addresses.get(storage);
  if (start === undefined) return;
  addresses.delete(storage);
  reclaim.unregister(storage);
  freeRegion(start);
}

/**
 * Byte address of `x` in the shared memory when it is a resident array as
 * allocated (with its slack after it), else -1.
 */
export function residentAddress(x: ArrayBufferView): number {
  return addresses.get(x) ?? -1;
}

/** Where scratch may start in the shared memory: above every resident array (`base` otherwise). */
export function scratchStart(base: number): number {
  return Math.max(base, top);
}

/** Bytes of resident storage in use and the span of the regions (first to last), for tests. */
export function residentBytes(): { used: number; span: number } {
  return { used: usedBytes, span: top - first };
}
