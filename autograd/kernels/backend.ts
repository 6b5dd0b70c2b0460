/**
 * Chooses the kernel set the ops run on. The WebAssembly SIMD backend is used
 * when the engine supports it (it handles float32 hot paths and hands the rest
 * to the reference kernels); `setBackend("reference")` forces plain TypeScript,
 * and `setBackend("native")` runs matrix products on a system BLAS through
 * Deno's FFI (see `native/`). {@linkcode autoBackend} picks the fastest one
 * the process may use.
 *
 * Importing this module never touches FFI or the file system: the native
 * backend is only looked for when asked for.
 *
 * @module
 */

import { InklingError } from "../errors.ts";
import type { Kernels } from "./kernels.ts";
import { loadNativeKernels, type NativeKernelOptions } from "./native/mod.ts";
import { referenceKernels } from "./reference/mod.ts";
import { loadWasmKernels } from "./wasm/mod.ts";

/** Names of the available backends. */
export type BackendName = "native" | "wasm" | "reference";

const wasmKernels: Kernels | null = loadWasmKernels(referenceKernels);
let active: Kernels = wasmKernels ?? referenceKernels;

/** The kernels in use. */
export function kernels(): Kernels {
  return active;
}

/**
 * Selects a backend by name; throws an {@linkcode InklingError} saying why
 * when it is not available (no WebAssembly SIMD; for native: no FFI, FFI not
 * permitted, or no BLAS library found, with the paths tried). `options`
 * apply to the native backend: how many threads run the panels of a large
 * product (default: `threadCount()` at each call) and the library file.
 */
export function setBackend(name: BackendName, options: NativeKernelOptions = {}): void {
  if (name === "reference") {
    active = referenceKernels;
  } else if (name === "wasm") {
    if (!wasmKernels) {
      throw new InklingError("setBackend: the wasm backend is not available on this engine");
    }
    active = wasmKernels;
  } else if (name === "native") {
    const load = loadNativeKernels(wasmKernels ?? referenceKernels, options);
    if (load.kernels === null) {
      throw new InklingError(`setBackend: the native backend is not available: ${load.reason}`);
    }
    active = load.kernels;
  } else {
    throw new InklingError(
      `setBackend: unknown backend ${JSON.stringify(name)} (native, wasm or reference)`,
    );
  }
}

/**
 * Selects the fastest backend this process may use and returns its name:
 * native when Deno grants FFI and a BLAS library is found, else wasm, else
 * reference. It never prompts or warns: without `--allow-ffi` it quietly
 * keeps wasm. Importing the library does not do this by itself, because
 * backends differ in the last bits of their results and a program's numbers
 * should not change with a permission flag unless it asks. A program opts
 * in by calling it at start-up, as `deno task bench` does; the library's
 * training and OCR tasks stay on wasm, so their results are the same
 * whether or not a BLAS is installed.
 */
export function autoBackend(options: NativeKernelOptions = {}): BackendName {
  const load = loadNativeKernels(wasmKernels ?? referenceKernels, options);
  if (load.kernels !== null) {
    active = load.kernels;
    return "native";
  }
  active = wasmKernels ?? referenceKernels;
  return wasmKernels ? "wasm" : "reference";
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
