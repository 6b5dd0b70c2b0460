/**
 * Resident storage (autograd/kernels/wasm/resident.ts): arrays in the shared
 * WebAssembly memory that the wasm kernels use in place. They come zeroed, a
 * cache line apart with slack after each; freed regions are reused and
 * merged; the kernels give the same bits with resident operands as with
 * ordinary arrays, on one thread and on the pool, and write nothing past an
 * array's slack; and a kernel's scratch never lands on a resident array.
 */

import assert from "node:assert/strict";
import { loadWasmKernels, referenceKernels } from "../../../autograd/kernels/mod.ts";
import type { ActivationOp, BinaryOp, UnaryOp } from "../../../autograd/kernels/kernels.ts";
import {
  releaseResident,
  RESIDENT_LIMIT_BYTES,
  residentAddress,
  residentBytes,
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

Deno.test("freed regions are taken again first fit, merged with free neighbours, and the top comes down", () => {
  // Arrays of 1 MB: larger than any region earlier tests may have freed.
  const floats = 1 << 18;
  const region = floats * 4 + 64; // a whole number of cache lines, with the slack
  const before = residentBytes();
  const [a, b, c] = [residentStorage(floats)!, residentStorage(floats)!, residentStorage(floats)!];
  assert.equal(residentBytes().used, before.used + 3 * region);
  const [at, bt] = [residentAddress(a), residentAddress(b)];
  assert.equal(bt, at + region);
  releaseResident(b);
  assert.equal(residentAddress(b), -1, "a freed array is no longer resident");
  releaseResident(b); // a second release does nothing
  assert.equal(residentBytes().used, before.used + 2 * region);
  const half = residentStorage(floats / 2)!;
  assert.equal(residentAddress(half), bt, "the first free region that fits");
  assert.deepEqual(half, new Float32Array(floats / 2), "zeroed again");
  releaseResident(half);
  releaseResident(a);
  const double = residentStorage(2 * floats)!;
  assert.equal(residentAddress(double), at, "a's and b's regions merged");
  releaseResident(double);
  releaseResident(c);
  assert.equal(residentBytes().used, before.used);
  assert.ok(residentBytes().span <= before.span, "the top came down");
  assert.equal(residentStorage(RESIDENT_LIMIT_BYTES / 4), null, "past the limit: none");
  assert.equal(residentBytes().used, before.used);
});

/**
 * Runs `kernel` on ordinary copies of `arrays` and on resident copies (each
 * followed by a resident guard array; those at the indices in `ordinary`
 * stay ordinary copies), and asserts the same bits in every array
 * afterwards and untouched guards: nothing written past the slack.
 */
function assertSameInPlace(
  what: string,
  arrays: Float32Array[],
  kernel: (a: Float32Array[]) => void,
  ordinary: number[] = [],
) {
  const plain = arrays.map((x) => x.slice());
  kernel(plain);
  const guards = new Map<number, Float32Array>();
  const placed = arrays.map((x, i) => {
    if (ordinary.includes(i)) return x.slice();
    const copy = resident(x);
    guards.set(i, resident(randomArray(32, 100 + i)));
    return copy;
  });
  kernel(placed);
  placed.forEach((x, i) => assertSameBits(x, plain[i], `${what}: array ${i}`));
  guards.forEach((g, i) => assertSameBits(g, randomArray(32, 100 + i), `${what}: guard ${i}`));
}

Deno.test("element-wise, fused, reduction and update kernels give the same bits on resident operands, in place", () => {
  const [rows, width] = [37, 1000]; // rows of widths that are not whole blocks of 16
  const n = rows * width;
  const x = randomArray(n, 1, { lo: -4, hi: 4 });
  const y = randomArray(n, 2, { lo: 0.01, hi: 0.99 });
  const zero = new Float32Array(n);
  for (const op of ["exp", "log", "sigmoid", "tanh", "relu"] as UnaryOp[]) {
    const input = op === "log" ? y : x;
    assertSameInPlace(op, [input, zero], ([a, out]) => wasm.unary(op, a, out));
    assertSameInPlace(`${op} onto itself`, [input], ([a]) => wasm.unary(op, a, a));
  }
  for (const op of ["add", "sub", "mul", "div"] as BinaryOp[]) {
    assertSameInPlace(op, [x, y, zero], ([a, b, out]) => wasm.binary(op, { a, b, out }));
  }
  assertSameInPlace("axpby", [x, y, zero], ([a, b, out]) => {
    wasm.axpby({ a, alpha: 0.75, b, beta: -1.5, out });
  });
  const bias = randomArray(width, 3);
  for (const activation of [undefined, "sigmoid", "relu"] as const) {
    assertSameInPlace(`addBias ${activation}`, [x, bias, zero], ([a, b, out]) => {
      wasm.addBias(a, { bias: b, out, activation });
    });
  }
  for (const op of ["sigmoid", "tanh", "relu"] as ActivationOp[]) {
    assertSameInPlace(`activationGrad ${op}`, [y, x, zero], ([a, grad, out]) => {
      wasm.activationGrad(op, { y: a, grad, out });
    });
  }
  assertSameInPlace("squaredErrorGrad", [x, zero], ([diff, out]) => {
    wasm.squaredErrorGrad(diff, { out, seed: 0.37 });
  });
  // All resident (one call); the batch ordinary, or the output and diff (streamed in chunks).
  for (const ordinary of [[], [1], [0, 2]]) {
    assertSameInPlace(
      `squaredDiffColumns, ordinary ${ordinary}`,
      [x, y, zero, new Float32Array(width)],
      ([a, b, diff, out]) => wasm.squaredDiffColumns(a, b, { diff, out }),
      ordinary,
    );
  }
  for (const [outer, size, inner] of [[1, rows, width], [rows, width, 1], [3, 37, 333]]) {
    assertSameInPlace(`sumAxis ${outer}×${size}×${inner}`, [
      x.subarray(0, outer * size * inner),
      new Float32Array(outer * inner),
    ], ([a, out]) => {
      wasm.sumAxis(a, { outer, size, inner, out });
    });
  }
  const v = randomArray(n, 4, { lo: 0, hi: 1 });
  for (const weightDecay of [0, 0.01]) {
    assertSameInPlace(
      `adamUpdate decay ${weightDecay}`,
      [x, y, randomArray(n, 5), v],
      ([param, grad, m, second]) => {
        wasm.adamUpdate(param, {
          grad,
          m,
          v: second,
          lr: 1e-3,
          beta1: 0.9,
          beta2: 0.999,
          eps: 1e-8,
          weightDecay,
          step: 3,
        });
      },
    );
  }
  for (const log of [false, true]) {
    assertSameInPlace(`softmax log ${log}`, [x, zero], ([a, out]) => {
      wasm.softmax(a, { outer: rows, size: width, inner: 1, out, log });
    });
  }
});
