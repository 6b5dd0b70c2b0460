/**
 * Instantiates the kernel module from the base64 binaries of the generated
 * `kernels_wasm.ts`: the relaxed-SIMD build where the engine validates it,
 * else the plain-SIMD build, else nothing (no WebAssembly SIMD).
 *
 * @module
 */

import { PLAIN_SIMD_WASM, RELAXED_SIMD_WASM } from "./kernels_wasm.ts";
import type { KernelExports } from "./scratch.ts";

/** Which build to load: the best one the engine runs, or one forced (for tests). */
export type SimdVariant = "relaxed" | "plain";

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * Compiles and instantiates the kernel module synchronously (the binary is a
 * few KiB, well within what engines allow on a main thread). Returns null
 * when WebAssembly or the requested SIMD build is unavailable, or the
 * embedder refuses to compile it.
 */
export function instantiateKernels(variant?: SimdVariant): KernelExports | null {
  if (typeof WebAssembly !== "object") return null;
  const candidates = variant === "plain"
    ? [PLAIN_SIMD_WASM]
    : variant === "relaxed"
    ? [RELAXED_SIMD_WASM]
    : [RELAXED_SIMD_WASM, PLAIN_SIMD_WASM];
  for (const text of candidates) {
    const bytes = decodeBase64(text);
    if (!WebAssembly.validate(bytes)) continue;
    try {
      const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
      return instance.exports as unknown as KernelExports;
    } catch {
      // A valid module that still does not compile: the embedder forbids
      // WebAssembly compilation (e.g. a content security policy).
      return null;
    }
  }
  return null;
}
