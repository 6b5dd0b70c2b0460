/**
 * The WebAssembly unary loop runs blocks of four vectors with their exps
 * interleaved (math.wat's $exp4x4); these tests pin its results to the bits
 * of the one-vector-at-a-time loop it replaced, at lengths that are not
 * multiples of the block, special values included.
 */

import assert from "node:assert/strict";
import type { UnaryOp } from "../../../autograd/kernels/kernels.ts";
import { referenceKernels as ref } from "../../../autograd/kernels/reference/mod.ts";
import { loadWasmKernels } from "../../../autograd/kernels/wasm/mod.ts";

const SPECIALS = [0, -0, Infinity, -Infinity, NaN, 88.5, -87.5, -103, 1e-40, 0.625];

/** Specials, then deterministic uniform numbers in [−20, 20) (xorshift). */
function inputs(length: number): Float32Array {
  let s = (length * 2654435761) >>> 0 || 1;
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = i < SPECIALS.length ? SPECIALS[i] : ((s >>> 0) / 4294967296 - 0.5) * 40;
  }
  return out;
}

/** FNV-1a of the bits, every NaN counted as the canonical one (CPUs differ in NaN payloads). */
function hashBits(x: Float32Array): string {
  const u = new Uint32Array(x.buffer, x.byteOffset, x.length);
  let h = 0x811c9dc5;
  for (let i = 0; i < u.length; i++) {
    h = Math.imul(h ^ (Number.isNaN(x[i]) ? 0x7fc00000 : u[i]), 16777619) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

const OPS: UnaryOp[] = ["exp", "log", "sigmoid", "tanh", "relu"];
const LENGTHS = [1, 5, 17, 1003];

/** The input of `op` (log gets |x|, so most results are finite). */
const operand = (op: UnaryOp, x: Float32Array) => op === "log" ? x.map(Math.abs) : x;

Deno.test("wasm unary (plain SIMD) gives the bits of the one-vector loop of 80326fb", () => {
  // Recorded with the per-vector loop; the plain build has no relaxed
  // operation, so these bits are the same on every CPU.
  const recorded: Record<string, string[]> = {
    exp: ["d58c5d1f", "c8d0d00f", "63586e05", "d384f1e8"],
    log: ["158c5d1f", "f950d00f", "c0c02645", "48ffd0a3"],
    sigmoid: ["0c0c5d1f", "e1d0d00f", "5c600567", "6b65f5ab"],
    tanh: ["050c5d1f", "ae50d00f", "befe51ab", "c2a5640b"],
    relu: ["050c5d1f", "13d0d00f", "73bc10f6", "6290983b"],
  };
  const kernels = loadWasmKernels(ref, { simd: "plain", ignoreThresholds: true });
  assert.ok(kernels);
  for (const op of OPS) {
    const got = LENGTHS.map((n) => {
      const out = new Float32Array(n);
      kernels.unary(op, operand(op, inputs(n)), out);
      return hashBits(out);
    });
    assert.deepEqual(got, recorded[op], op);
  }
});

Deno.test("wasm unary: each lane's result is independent of its place in the block", () => {
  for (const simd of ["relaxed", "plain"] as const) {
    const kernels = loadWasmKernels(ref, { simd, ignoreThresholds: true });
    assert.ok(kernels);
    for (const op of OPS) {
      const x = operand(op, inputs(1003));
      const whole = new Float32Array(x.length);
      kernels.unary(op, x, whole);
      const one = new Float32Array(1);
      for (let i = 0; i < x.length; i++) {
        kernels.unary(op, x.subarray(i, i + 1), one);
        assert.ok(Object.is(one[0], whole[i]), `${simd} ${op}[${i}]: ${one[0]} vs ${whole[i]}`);
      }
    }
  }
});
