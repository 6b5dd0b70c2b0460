/**
 * Gradient storage that outlives `zeroGrad({ reuse: true })`: each leaf
 * tensor (a parameter) keeps the buffer its gradient was last written into,
 * and the next `backward()` after such a `zeroGrad` lets the backward rule
 * write the new gradient straight into it instead of allocating a fresh
 * array. A training loop then stops making a new weight-sized array per
 * parameter per step, which the garbage collector would otherwise have to
 * zero and reclaim. Reuse is opt-in (the library's own training loops ask
 * for it): a plain `zeroGrad()`, or setting `grad` to null by hand, leaves
 * any gradient the user kept as it was, as in PyTorch.
 *
 * The buffer is lent only once per `zeroGrad({ reuse: true })` and only while the leaf's `grad` is null, so it never
 * replaces a gradient still being accumulated, and at most once per rule
 * call, so a rule that sees the same leaf twice (`matmul(w, w)`) gets a
 * fresh array for the second use. Only storage made here is ever lent: a
 * gradient the user assigned, or one a rule shares with another tensor, is
 * never written over.
 *
 * @module
 */

import type { Storage } from "./kernels/kernels.ts";
import { reusableStorage, takeStorage } from "./storage_pool.ts";

/**
 * What this file needs of a tensor (it is used by `tensor.ts`, so it names
 * the fields instead of importing the class).
 */
export interface GradientHolder {
  /** The tape entry that produced it; null for a leaf. */
  readonly node: unknown;
  /** Whether backward computes its gradient. */
  readonly requiresGrad: boolean;
  /** Its current gradient, null after zeroGrad. */
  readonly grad: unknown;
  /** Its storage (gives the gradient's element type). */
  readonly data: Storage;
  /** Its number of elements. */
  readonly size: number;
}

/** The storage kept for each leaf's gradient. */
const kept = new WeakMap<GradientHolder, Storage>();

/** Leaves whose kept storage the next backward may write (`zeroGrad({ reuse: true })`). */
const armed = new WeakSet<GradientHolder>();

/** Storage lent during the current rule call (cleared before each one). */
let lent: Storage[] = [];

/** Whether a backward pass is running (rules outside one get fresh arrays). */
let depth = 0;

function fresh(like: Storage, size: number): Storage {
  return reusableStorage(like instanceof Float64Array, size);
}

/**
 * Storage for a backward rule to fill with the whole gradient of `input`
 * (every element overwritten). For a leaf that requires a gradient and has
 * none yet in this pass, it is the leaf's kept gradient buffer; otherwise a
 * new zeroed array. The caller wraps it in a tensor and returns it as the
 * input's gradient.
 */
export function gradientStorage(input: GradientHolder): Storage {
  if (depth === 0 || input.node !== null || !input.requiresGrad || input.grad !== null) {
    // A gradient that flows on (or is summed into another): tidy may recycle it.
    return takeStorage(input.data instanceof Float64Array, input.size);
  }
  const storage = kept.get(input);
  const fits = storage !== undefined && storage.length === input.size &&
    sameType(storage, input.data);
  if (!fits || !armed.has(input) || lent.includes(storage)) {
    // A new array, kept so that a later zeroGrad({ reuse: true }) can lend it.
    const made = fresh(input.data, input.size);
    if (!lent.includes(storage!)) kept.set(input, made);
    return made;
  }
  armed.delete(input);
  lent.push(storage);
  return storage;
}

/** Lets the next backward write `leaf`'s gradient into its kept storage (`zeroGrad({ reuse: true })`). */
export function reuseGradientStorage(leaf: GradientHolder): void {
  armed.add(leaf);
}

/** Forgets the storage kept for `leaf`'s gradient (a plain `zeroGrad()`). */
export function releaseGradientStorage(leaf: GradientHolder): void {
  kept.delete(leaf);
  armed.delete(leaf);
}

/**
 * Runs a backward pass (`body`) with lending enabled. Nests: an inner pass
 * (a custom op's backward calling `backward()`) gets its own lent list.
 */
export function lendingGradients<T>(body: () => T): T {
  const outer = lent;
  lent = [];
  depth++;
  try {
    return body();
  } finally {
    depth--;
    lent = outer;
  }
}

/** Marks the start of one rule call: its leaves may borrow their storage again. */
export function startRule(): void {
  lent.length = 0;
}

function sameType(a: Storage, b: Storage): boolean {
  return (a instanceof Float64Array) === (b instanceof Float64Array);
}
