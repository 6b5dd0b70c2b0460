/**
 * The TypeScript side of the WebAssembly max pooling (pool.wat): copies the
 * batch into scratch memory, pools there, and copies the maxima and their
 * positions back. Padded geometries, Float64Array storage and batches that
 * do not fit the scratch go to the fallback, which chooses the same cells.
 *
 * @module
 */

import { isFloat32, type Kernels } from "../kernels.ts";
import { align16, type WasmScratch } from "./scratch.ts";

/**
 * Smallest outputs sent to WebAssembly. Not measured one by one: the copies
 * are the cost to pay back, as for the element-wise kernels' threshold.
 */
const MIN_OUTPUTS = 256;

/** Returns the maxPool2d kernel of the wasm backend. */
export function wasmMaxPool2d(scratch: WasmScratch, fallback: Kernels): Kernels["maxPool2d"] {
  return (x, args) => {
    const { n, c, h, w, kh, kw, stride, pad, oh, ow, out, index } = args;
    const planes = n * c;
    const inputs = planes * h * w;
    const outputs = planes * oh * ow;
    const outAt = scratch.base + align16(inputs * 4);
    const indexAt = outAt + align16(outputs * 4);
    if (
      pad !== 0 || planes === 0 || scratch.small(outputs, MIN_OUTPUTS) || !isFloat32(x) ||
      !isFloat32(out) ||
      !scratch.reserve(indexAt + outputs * 4 - scratch.base)
    ) {
      fallback.maxPool2d(x, args);
      return;
    }
    const mem = scratch.f32;
    mem.set(x.subarray(0, inputs), scratch.base >> 2);
    if (kh === 2 && kw === 2 && stride === 2) {
      scratch.exports.max_pool_2x2(scratch.base, outAt, indexAt, planes, h, w, oh, ow);
    } else {
      scratch.exports.max_pool(scratch.base, outAt, indexAt, planes, h, w, kh, kw, stride, oh, ow);
    }
    out.set(mem.subarray(outAt >> 2, (outAt >> 2) + outputs));
    index.set(new Int32Array(mem.buffer, indexAt, outputs));
  };
}
