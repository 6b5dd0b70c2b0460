/**
 * Loads onnxruntime-node, once, on first use, so that importing `onnx/`
 * needs no `--allow-ffi`: only creating a session loads the native library.
 *
 * This is also the one place that works around onnxruntime's float16
 * handling under Deno. Deno has a global `Float16Array`; when onnxruntime
 * sees one, the first time it builds a tensor, it stores float16 tensors as
 * `Float16Array`s, and its native binding then reads no bytes from them
 * ("not enough space: expected 301056, got 0" for SqueezeNet's input).
 * Without the global it stores float16 data as `Uint16Array` half-precision
 * words, which works. So the global is hidden while onnxruntime makes its
 * first tensor (when it decides, once, which array type to use) and put back
 * at once; everything else in the process keeps its `Float16Array`.
 *
 * @module
 */

/** The onnxruntime-node module's namespace. */
export type OrtModule = typeof import("onnxruntime-node");

let loading: Promise<OrtModule> | undefined;

/** The onnxruntime-node module (needs `--allow-ffi`, `--allow-read`, `--allow-env`, `--allow-sys`). */
export function loadOnnxRuntime(): Promise<OrtModule> {
  loading ??= load();
  return loading;
}

async function load(): Promise<OrtModule> {
  const global = globalThis as { Float16Array?: unknown };
  const saved = Object.getOwnPropertyDescriptor(globalThis, "Float16Array");
  delete global.Float16Array;
  try {
    const ort = await import("onnxruntime-node");
    // The first tensor fixes float16 ↔ Uint16Array for the life of the process.
    new ort.Tensor("float16", new Uint16Array(1), [1]);
    return ort;
  } finally {
    if (saved) Object.defineProperty(globalThis, "Float16Array", saved);
  }
}
