/**
 * Resident storage: float32 arrays that live in the process-wide shared
 * WebAssembly memory (shared_memory.ts), so that kernels read and write
 * them where they are instead of copying them into their scratch and back.
 *
 * Only storage the engine reuses for good is made here: the ops' scratch
 * arrays (`autograd/ops/scratch.ts` asks through `Kernels.residentStorage`),
 * such as a convolution's unfolded columns. They are never freed, so they
 * are placed one after another from the memory's first free byte, up to
 * {@linkcode RESIDENT_LIMIT_BYTES}, and every kernel's scratch starts above
 * the last of them ({@linkcode scratchStart}). A shared memory never moves or
 * detaches when it grows, so the views stay valid.
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
 * Most bytes of resident storage; past it storage is an ordinary array. The
 * arrays are never freed, so this bounds what a process whose scratch shapes
 * keep changing (the ops' cache starts over past 16 arrays) can leave here;
 * the MNIST CNN's training uses 2.7 MB, the MLP's and autoencoder's 0.2 MB.
 */
export const RESIDENT_LIMIT_BYTES = 64 * 1024 * 1024;

/** Bytes after each resident array that no other array uses: room for a loop's last vector. */
export const SLACK_BYTES = 64;

const PAGE_BYTES = 65536;

/** Each array starts on a cache line, so two never share one. */
function lineAligned(bytes: number): number {
  return Math.ceil(bytes / 64) * 64;
}

/** The byte address of every resident array. */
const addresses = new WeakMap<ArrayBufferView, number>();

/** Byte address of the first resident array, and of the next; 0 until the first one. */
let first = 0;
let top = 0;

/**
 * A zeroed resident float32 array of `size` elements, or null when there is
 * no shared memory (no SharedArrayBuffer here) or the limit is reached.
 */
export function residentStorage(size: number): Float32Array | null {
  const shared = sharedKernels();
  if (shared === null) return null;
  if (top === 0) first = top = lineAligned(shared.instances[0].SCRATCH_BASE.value as number);
  const start = top;
  const end = lineAligned(start + size * 4 + SLACK_BYTES);
  if (end - first > RESIDENT_LIMIT_BYTES) return null;
  const memory = shared.memory;
  const missing = end - memory.buffer.byteLength;
  if (missing > 0) {
    try {
      memory.grow(Math.ceil(missing / PAGE_BYTES));
    } catch {
      return null;
    }
  }
  top = end;
  // Scratch may have used these bytes before they became resident.
  const storage = new Float32Array(memory.buffer, start, size).fill(0);
  addresses.set(storage, start);
  return storage;
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
