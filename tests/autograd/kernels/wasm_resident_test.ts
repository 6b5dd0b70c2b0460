/**
 * Resident storage (autograd/kernels/wasm/resident.ts): arrays in the shared
 * WebAssembly memory that the wasm gemm, im2col, col2im and swapLeadingAxes
 * use in place. They come zeroed, a cache line apart with slack after each;
 * the kernels give the same bits with resident operands as with ordinary
 * arrays, on one thread and on the pool; and a kernel's scratch never lands
 * on a resident array.
 */

import assert from "node:assert/strict";
import { loadWasmKernels, referenceKernels } from "../../../autograd/kernels/mod.ts";
import {
  residentAddress,
  residentStorage,
  SLACK_BYTES,
} from "../../../autograd/kernels/wasm/resident.ts";
import { randomArray } from "../float_arrays.ts";

const wasm = loadWasmKernels(referenceKernels)!;

/** A resident copy of `values` (the test needs the shared memory: Deno has it). */
function resident(values: Float32Array): Float32Array {
  const storage = residentStorage(values.length);
  assert.ok(storage !== null, "this engine has a shared WebAssembly memory");
  storage.set(values);
  return storage;
}

/** Same bits, element for element. */
function assertSameBits(actual: Float32Array, expected: Float32Array, what: string) {
  assert.deepEqual(
    new Uint32Array(actual.buffer, actual.byteOffset, actual.length),
    new Uint32Array(expected.buffer, expected.byteOffset, expected.length),
    what,
  );
}

Deno.test("resident arrays come zeroed, on cache lines, with slack between them; subarrays do not count", () => {
  const a = residentStorage(10)!;
  const b = residentStorage(16)!;
  assert.deepEqual([...a], new Array(10).fill(0));
  const [at, bt] = [residentAddress(a), residentAddress(b)];
  assert.equal(at % 64, 0);
  assert.equal(bt % 64, 0);
  assert.ok(bt - (at + a.byteLength) >= SLACK_BYTES, "slack after each array");
  assert.equal(residentAddress(a.subarray(1)), -1);
  assert.equal(residentAddress(new Float32Array(10)), -1);
});

Deno.test("wasm gemm gives the same bits with resident operands, alone and on the pool", () => {
  // 24×40×16 runs on the calling thread; 128×96×128 (above 2^20) on the pool.
  for (const [m, k, n] of [[24, 40, 16], [128, 96, 128]]) {
    for (const transB of [false, true]) {
      for (const accumulate of [false, true]) {
        const a = randomArray(m * k, m + k);
        const b = randomArray(k * n, k + n);
        const c0 = randomArray(m * n, m * n);
        const plain = c0.slice();
        wasm.gemm({ a, b, c: plain, m, n, k, transB, accumulate });
        const c = resident(c0);
        wasm.gemm({ a: resident(a), b: resident(b), c, m, n, k, transB, accumulate });
        assertSameBits(c, plain, `${m}×${k}×${n} transB ${transB} accumulate ${accumulate}`);
      }
    }
  }
});

Deno.test("wasm im2col and col2im give the same bits with resident columns", () => {
  const geo = { n: 3, c: 4, h: 9, w: 7, kh: 3, kw: 3, stride: 1, pad: 1, oh: 9, ow: 7 };
  const x = randomArray(geo.n * geo.c * geo.h * geo.w, 5);
  const size = geo.c * geo.kh * geo.kw * geo.n * geo.oh * geo.ow;
  const plain = new Float32Array(size);
  wasm.im2col(x, { ...geo, cols: plain });
  const cols = resident(new Float32Array(size));
  wasm.im2col(x, { ...geo, cols });
  assertSameBits(cols, plain, "im2col");
  const out = new Float32Array(x.length);
  const expected = new Float32Array(x.length);
  wasm.col2im(plain, { ...geo, out: expected });
  wasm.col2im(cols, { ...geo, out });
  assertSameBits(out, expected, "col2im");
});

Deno.test("wasm swapLeadingAxes gives the same bits with resident operands, with and without a bias", () => {
  const [a, b, inner] = [6, 5, 300];
  const x = randomArray(a * b * inner, 9);
  for (const bias of [undefined, randomArray(a, 10)]) {
    const expected = new Float32Array(x.length);
    wasm.swapLeadingAxes(x, { a, b, inner, bias, out: expected });
    const out = resident(new Float32Array(x.length));
    wasm.swapLeadingAxes(resident(x), { a, b, inner, bias, out });
    assertSameBits(out, expected, `bias ${bias !== undefined}`);
  }
});

Deno.test("a kernel's scratch never overwrites a resident array", () => {
  const kept = resident(randomArray(4096, 11));
  const before = kept.slice();
  // A large product whose operands all sit in scratch, above every resident array.
  const [m, k, n] = [96, 256, 96];
  const c = new Float32Array(m * n);
  wasm.gemm({ a: randomArray(m * k, 1), b: randomArray(k * n, 2), c, m, n, k });
  assertSameBits(kept, before, "the resident array after the product");
});
