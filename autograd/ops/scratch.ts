/**
 * Scratch arrays for temporaries that never leave one synchronous call, such
 * as the pre-activation gradient inside `linear`'s backward: allocated once
 * per (owner, dtype, size) and handed out again on every later call, instead
 * of a fresh array per training step.
 *
 * A caller may use its scratch array only until it returns, must not let it
 * reach a tensor anyone else can see, and must overwrite what it reads
 * (the contents are left over from the previous call). Each owner key names
 * one such use, so two temporaries live at once need two keys.
 *
 * Float32 scratch is made by the active kernels when they can hold it where
 * they compute (`Kernels.residentStorage`: the WebAssembly memory), so a
 * convolution's columns are unfolded into, multiplied from and folded back
 * out of place instead of being copied in and out around every kernel.
 *
 * @module
 */

import type { Storage } from "../kernels/kernels.ts";
import { reusableStorage } from "../storage_pool.ts";
import type { DType } from "../tensor.ts";

/** At most this many arrays are kept; past it the cache starts over (varying shapes). */
const LIMIT = 16;

const cache = new Map<string, Storage>();

/** A scratch array of `size` elements for `owner`'s temporary (contents undefined). */
export function scratch(owner: string, dtype: DType, size: number): Storage {
  const key = `${owner}:${dtype}:${size}`;
  let data = cache.get(key);
  if (data === undefined) {
    if (cache.size >= LIMIT) cache.clear();
    // Float32 scratch lives where the kernels use it in place when they offer that.
    data = reusableStorage(dtype === "float64", size);
    cache.set(key, data);
  }
  return data;
}
