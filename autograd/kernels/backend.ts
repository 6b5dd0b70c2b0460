/**
 * Chooses the kernel set the ops run on. The WebAssembly SIMD backend is used
 * when the engine supports it (it handles float32 hot paths and hands the rest
 * to the reference kernels); `setBackend("reference")` forces plain TypeScript.
 *
 * @module
 */

import { InklingError } from "../errors.ts";
import type { Kernels } from "./kernels.ts";
import { referenceKernels } from "./reference/mod.ts";
import { loadWasmKernels } from "./wasm/mod.ts";

/** Names of the available backends. */
export type BackendName = "wasm" | "reference";

const wasmKernels: Kernels | null = loadWasmKernels(referenceKernels);
let active: Kernels = wasmKernels ?? referenceKernels;

/** The kernels in use. */
export function kernels(): Kernels {
  return active;
}

/** Selects a backend by name; throws if it is not available on this engine. */
export function setBackend(name: BackendName): void {
  if (name === "reference") active = referenceKernels;
  else if (wasmKernels) active = wasmKernels;
  else throw new InklingError("setBackend: the wasm backend is not available on this engine");
}

/**
 * Makes `next` the active kernel set and returns the one it replaces. For
 * tests and benchmarks that run a set built with non-default options (the
 * wasm set with its size thresholds off, or one SIMD build only);
 * applications choose with {@linkcode setBackend}.
 */
export function useKernels(next: Kernels): Kernels {
  const previous = active;
  active = next;
  return previous;
}

/** Name of the backend in use. */
export function backendName(): string {
  return active.name;
}
