/**
 * Tests of the native backend's unary parts (native/unary.ts): exp, log,
 * sigmoid, tanh and ReLU of long float32 arrays, and a bias add followed by
 * one of them, run in parts on the thread pool (two threads) and give the
 * WebAssembly set's bits, at subarray offsets; one thread, short arrays
 * (each op's own threshold) and float64 go to the fallback. Skipped (ignored, with the reason in the name) without
 * OpenBLAS.
 */

import assert from "node:assert/strict";
import { referenceKernels as ref, type UnaryOp } from "../../autograd/kernels/mod.ts";
import { threadPool } from "../../autograd/kernels/threads/mod.ts";
import { SPLIT_MIN_LENGTH } from "../../autograd/kernels/native/unary.ts";
import { assertSameBits, randomArray } from "./float_arrays.ts";
import { onOneAndTwoThreads, probe, skipped, wasm } from "./native_sets.ts";

/** Jobs the engine's pool has run (0 before it exists). */
const jobs = () => threadPool(() => null)?.jobs ?? 0;

/** `length` floats in a range the op takes (log: positive), inside a longer array at an offset. */
function input(op: UnaryOp, length: number, seed: number): Float32Array {
  const range = op === "log" ? { lo: 1e-3, hi: 50 } : { lo: -30, hi: 30 };
  return randomArray(length + 23, seed, range).subarray(11, 11 + length);
}

Deno.test(`native unary parts: the WebAssembly set's bits on 1 and 2 threads${skipped}`, {
  ignore: probe.kernels === null,
}, () =>
  onOneAndTwoThreads(wasm, (one, two) => {
    for (const op of ["exp", "log", "sigmoid", "tanh", "relu"] as const) {
      const least = SPLIT_MIN_LENGTH[op]!;
      for (const n of [least - 1, least + 37, 100_003]) {
        const x = input(op, n, n);
        const want = new Float32Array(n);
        wasm.unary(op, x, want);
        const before = jobs();
        for (const [name, kernels] of [["1 thread", one], ["2 threads", two]] as const) {
          const got = new Float32Array(n + 9).subarray(5, 5 + n);
          kernels.unary(op, x, got);
          assertSameBits(got, want, `${op} ${n} ${name}`);
        }
        const split = n >= least;
        assert.equal(jobs() > before, split, `${op} ${n}: parts on the pool`);
      }
    }
    // In place, and float64 (the fallback's).
    const x = input("sigmoid", 40_000, 3);
    const want = new Float32Array(x.length);
    wasm.unary("sigmoid", x, want);
    two.unary("sigmoid", x, x);
    assertSameBits(x, want, "in place");
    const x64 = Float64Array.from(input("tanh", 20_000, 4));
    const [got64, want64] = [new Float64Array(x64.length), new Float64Array(x64.length)];
    two.unary("tanh", x64, got64);
    ref.unary("tanh", x64, want64);
    assert.deepEqual(got64, want64, "float64");
  }));

Deno.test(`native addBias with an activation: whole rows per part, the same bits${skipped}`, {
  ignore: probe.kernels === null,
}, () =>
  onOneAndTwoThreads(wasm, (one, two) => {
    // The autoencoder's output, odd rows of an odd width, one long row, and a short one.
    for (const [rows, width] of [[36, 1024], [17, 1001], [1, 20_000], [3, 100]]) {
      for (const activation of ["sigmoid", "tanh", "relu"] as const) {
        const x = input(activation, rows * width, rows + width);
        const bias = randomArray(width, width);
        const want = new Float32Array(x.length);
        wasm.addBias(x, { bias, out: want });
        wasm.unary(activation, want, want);
        for (const [name, kernels] of [["1 thread", one], ["2 threads", two]] as const) {
          const got = new Float32Array(x.length);
          kernels.addBias(x, { bias, out: got, activation });
          assertSameBits(got, want, `${rows}×${width} ${activation} ${name}`);
        }
        const inPlace = x.slice();
        two.addBias(inPlace, { bias, out: inPlace, activation });
        assertSameBits(inPlace, want, `${rows}×${width} ${activation} in place`);
      }
    }
  }));
