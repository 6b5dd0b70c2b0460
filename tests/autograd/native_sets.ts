/**
 * The native tests' common frame: the native kernel set over the
 * WebAssembly one, opened once; and the native set with everything on the
 * calling thread beside the default one on the engine's pool of two
 * threads, the thread count put back afterwards (and the pool stopped).
 */

import {
  type Kernels,
  loadNativeKernels,
  loadWasmKernels,
  referenceKernels,
  setThreads,
  shutdownThreads,
  threadCount,
} from "../../autograd/kernels/mod.ts";

// Opened when a test module imports this one, outside any test, so the resource sanitizer never
// sees the library being loaded.
/** The WebAssembly kernel set, the native set's fallback. */
export const wasm: Kernels = loadWasmKernels(referenceKernels)!;
/** The native set over {@linkcode wasm}, or why there is none. */
export const probe = loadNativeKernels(wasm);
/** What a native test's name ends with: why it is skipped, or nothing. */
export const skipped = probe.kernels === null ? ` (skipped: ${probe.reason})` : "";

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
