/**
 * Test helpers for kernel comparisons: reproducible float32 operands and a
 * bit-for-bit comparison (the thread and native backends promise the same
 * bits for any thread count, which `assert.deepEqual` cannot check: it
 * treats −0 and 0 alike).
 *
 * @module
 */

import assert from "node:assert/strict";

/** Deterministic uniform numbers in [lo, hi), default [−1, 1) (xorshift), so failures reproduce. */
export function randomArray(
  length: number,
  seed: number,
  range: { lo: number; hi: number } = { lo: -1, hi: 1 },
): Float32Array {
  let s = (seed * 2654435761) >>> 0 || 1;
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = range.lo + ((s >>> 0) / 4294967296) * (range.hi - range.lo);
  }
  return out;
}

/** Asserts two arrays hold the same float32 bits, naming the first element that differs. */
export function assertSameBits(actual: Float32Array, expected: Float32Array, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  const a = new Uint32Array(actual.buffer, actual.byteOffset, actual.length);
  const e = new Uint32Array(expected.buffer, expected.byteOffset, expected.length);
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== e[i]) assert.fail(`${what}[${i}]: got ${actual[i]}, want ${expected[i]}`);
  }
}
