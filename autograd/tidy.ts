/**
 * {@linkcode tidy}: run a training step (or any block of ops) so that the
 * storage its ops allocated is reused by the next one, as in TensorFlow.js.
 * JavaScript cannot tell when the last reference to an array is dropped, so
 * the block says it instead: when `fn` returns, every tensor an op made
 * inside it is released unless `fn` returned it, {@linkcode keep} marked it,
 * or it became some tensor's `grad` (set by backward for a parameter or a
 * tensor that asked with `retainGrad`, or by hand). Released storage goes
 * to a pool that later ops draw from (`storage_pool.ts`).
 *
 * What is never released: tensors made by `tensor`, `zeros`, `rand` and the
 * other creation functions, `clone()` (so parameters, optimizer state and
 * copies made inside a step are safe), and views of storage made outside
 * the scope. A released tensor throws a clear error when its `data` is read,
 * so a tensor kept by mistake fails loudly instead of seeing the next
 * step's numbers. (An array taken out of a tensor with `.data` and kept
 * past the scope is not guarded: copy it, or keep the tensor.)
 *
 * Two cases release nothing, since the engine cannot see everything their
 * tensors depend on: `fn` throws, or it returns a tensor whose graph is
 * still on the tape (no `backward()` yet), whose backward rules hold
 * storage only their closures can reach.
 *
 * @module
 */

import { AutogradError } from "./errors.ts";
import type { Storage } from "./kernels/kernels.ts";
import {
  closeScope,
  keepInScope,
  openScope,
  releaseStorage,
  type Scope,
  storageKey,
} from "./storage_pool.ts";
import { isReleased, releaseTensor, Tensor } from "./tensor.ts";

/**
 * Runs `fn` and releases the storage of every tensor its ops made that does
 * not outlive it (see the module doc): a training loop that wraps each step
 * in `tidy` reuses the same arrays step after step. Returns what `fn`
 * returns; tensors in it (also inside arrays and plain objects) stay valid.
 * Nests: what an inner scope returns belongs to the outer one.
 *
 * @example
 * ```ts
 * const value = tidy(() => {
 *   const loss = crossEntropy(model.forward(x), labels);
 *   model.zeroGrad({ reuse: true });
 *   loss.backward();
 *   optimizer.step();
 *   return loss.item();
 * });
 * ```
 */
export function tidy<T>(fn: () => T): T {
  const scope = openScope<Tensor>();
  let result: T;
  try {
    result = fn();
  } catch (error) {
    keepInParent(scope, closeScope(scope));
    throw error;
  }
  const parent = closeScope(scope);
  keepInParent(scope, parent);
  if (result instanceof Promise) {
    throw new AutogradError(
      "tidy: the function returned a Promise; a scope must be synchronous (await outside it)",
    );
  }
  const returned: Tensor[] = [];
  collectTensors(result, returned, new Set());
  if ([...returned, ...scope.kept].some((t) => t.node !== null && t.node.backward !== null)) {
    // Its backward rules may hold any of this scope's storage: the outer scope decides.
    if (parent) adopt(parent, scope.storages, scope.made);
    return result;
  }
  release(scope, returned, parent);
  return result;
}

/**
 * Marks `tensor` so that no enclosing {@linkcode tidy} scope releases it
 * (for state an op computes inside a step and keeps, such as a running
 * average). Returns the tensor. Outside every scope it does nothing.
 */
export function keep<T extends Tensor>(tensor: T): T {
  keepInScope(tensor);
  return tensor;
}

/** Releases what `scope` allocated and no survivor holds; hands returned storage to `parent`. */
function release(scope: Scope<Tensor>, returned: Tensor[], parent: Scope<Tensor> | undefined) {
  const kept = storageKeysOf(scope.kept);
  const passed = storageKeysOf(returned);
  const freed = new Set<object>();
  const passedStorages: Storage[] = [];
  for (const storage of scope.storages) {
    const key = storageKey(storage);
    if (kept.has(key)) continue; // outlives every scope: no longer tracked
    if (passed.has(key)) passedStorages.push(storage);
    else {
      freed.add(key);
      releaseStorage(storage);
    }
  }
  const passedTensors: Tensor[] = [];
  for (const t of scope.made) {
    if (isReleased(t)) continue;
    const key = storageKey(t.data);
    if (freed.has(key)) releaseTensor(t);
    else if (passed.has(key)) passedTensors.push(t);
  }
  if (parent) adopt(parent, passedStorages, passedTensors);
}

/** What `scope` kept, the enclosing scopes keep too: it may hold their storage (`outer.grad = inner`). */
function keepInParent(scope: Scope<Tensor>, parent: Scope<Tensor> | undefined) {
  if (parent) { for (const t of scope.kept) parent.kept.push(t); }
}

function adopt(parent: Scope<Tensor>, storages: Storage[], made: Tensor[]) {
  for (const s of storages) parent.storages.push(s);
  for (const t of made) parent.made.push(t);
}

/** The storage keys (storageKey) of the tensors not yet released. */
function storageKeysOf(tensors: Tensor[]): Set<object> {
  const keys = new Set<object>();
  for (const t of tensors) if (!isReleased(t)) keys.add(storageKey(t.data));
  return keys;
}

/** Tensors in `value`: itself, or inside arrays and plain objects, at any depth. */
function collectTensors(value: unknown, into: Tensor[], seen: Set<unknown>) {
  if (value instanceof Tensor) {
    into.push(value);
    return;
  }
  if (typeof value !== "object" || value === null || seen.has(value)) return;
  seen.add(value);
  if (Array.isArray(value)) {
    for (const item of value) collectTensors(item, into, seen);
    return;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return;
  for (const item of Object.values(value)) collectTensors(item, into, seen);
}
