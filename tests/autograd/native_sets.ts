/**
 * The native tests' common frame: the native kernel set with everything on
 * the calling thread, and the default one on the engine's pool of two
 * threads, the thread count put back afterwards (and the pool stopped).
 */

import {
  type Kernels,
  loadNativeKernels,
  setThreads,
  shutdownThreads,
  threadCount,
} from "../../autograd/kernels/mod.ts";

/**
 * Runs `body` with `one` (the native set over `fallback` with `threads: 1`)
 * and `two` (the default set, on two threads). Only call it where OpenBLAS
 * loads (the tests are ignored otherwise).
 */
export async function onOneAndTwoThreads(
  fallback: Kernels,
  body: (one: Kernels, two: Kernels) => void | Promise<void>,
): Promise<void> {
  const one = loadNativeKernels(fallback, { threads: 1 }).kernels!;
  const before = threadCount();
  setThreads(2);
  try {
    await body(one, loadNativeKernels(fallback).kernels!);
  } finally {
    shutdownThreads();
    setThreads(before);
  }
}
