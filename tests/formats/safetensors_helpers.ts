/**
 * Shared helpers of the safetensors tests: files built byte by byte, header
 * inspection, a tensor comparison, the FormatError check of malformed files,
 * and a set of tensors of every dtype holding awkward values.
 *
 * @module
 */

import assert from "node:assert/strict";
import { decodeSafetensors, type SafetensorsTensor } from "../../formats/safetensors/mod.ts";
import { FormatError } from "../../autograd/errors.ts";
import { concatBytes } from "../../formats/decompress.ts";

export const text = new TextEncoder();

/** Little-endian u64 of `n`. */
export function u64(n: number | bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(n), true);
  return out;
}

/** The parts joined into one array. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  return concatBytes(parts);
}

/** A file built by hand: length prefix (the header's byte length unless given), header, body. */
export function file(
  header: string,
  body: Uint8Array | number = 0,
  length?: number | bigint,
): Uint8Array {
  const json = text.encode(header);
  const data = typeof body === "number" ? new Uint8Array(body) : body;
  return concat(u64(length ?? json.length), json, data);
}

export function bytesOf(data: ArrayBufferView): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

export function f32(bits: number[]): Float32Array {
  return new Float32Array(Uint32Array.from(bits).buffer);
}

function f64(bits: bigint[]): Float64Array {
  return new Float64Array(BigUint64Array.from(bits).buffer);
}

/** Asserts `decoded` holds exactly `expected` (dtype, shape and every byte). */
export function assertSameTensors(
  decoded: Record<string, SafetensorsTensor>,
  expected: Record<string, SafetensorsTensor>,
): void {
  assert.deepEqual(Object.keys(decoded).sort(), Object.keys(expected).sort());
  for (const [name, want] of Object.entries(expected)) {
    const got = decoded[name];
    assert.equal(got.dtype, want.dtype, name);
    assert.deepEqual(got.shape, want.shape, name);
    assert.equal(got.data.constructor, want.data.constructor, name);
    assert.deepEqual(bytesOf(got.data), bytesOf(want.data), name);
  }
}

/** Decodes `bytes` as "model.safetensors" and expects a FormatError matching `pattern`. */
export function rejects(bytes: Uint8Array, pattern: RegExp): void {
  assert.throws(
    () => decodeSafetensors(bytes, { source: "model.safetensors" }),
    (error: unknown) => {
      assert.ok(error instanceof FormatError, `expected FormatError, got ${error}`);
      assert.match(error.message, /^model\.safetensors: /);
      assert.match(error.message, pattern);
      return true;
    },
  );
}

/** The header JSON of an encoded file, and its padded length. */
export function headerOf(bytes: Uint8Array): { json: string; length: number } {
  const length = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return { json: new TextDecoder().decode(bytes.subarray(8, 8 + length)), length };
}

// Every dtype with awkward values: NaN payloads, -0, subnormals, extremes.
export const ALL_DTYPES: Record<string, SafetensorsTensor> = {
  f32: {
    dtype: "F32",
    shape: [2, 4],
    // quiet NaN with payload, signalling NaN, -0, smallest subnormal, -inf, inf, max, 1.5
    data: f32([
      0x7fc12345,
      0x7f800001,
      0x80000000,
      0x00000001,
      0xff800000,
      0x7f800000,
      0x7f7fffff,
      0x3fc00000,
    ]),
  },
  f64: {
    dtype: "F64",
    shape: [5],
    data: f64([
      0x7ff8000000000123n,
      0x7ff0000000000001n,
      0x8000000000000000n,
      1n,
      0x3ff8000000000000n,
    ]),
  },
  f16: { dtype: "F16", shape: [2, 2], data: Uint16Array.of(0x7c01, 0x8000, 0x0001, 0x3c00) },
  bf16: { dtype: "BF16", shape: [3], data: Uint16Array.of(0x7fc1, 0x8000, 0x3f80) },
  i8: { dtype: "I8", shape: [3], data: Int8Array.of(-128, 0, 127) },
  u8: { dtype: "U8", shape: [3], data: Uint8Array.of(0, 1, 255) },
  i16: { dtype: "I16", shape: [2], data: Int16Array.of(-32768, 32767) },
  u16: { dtype: "U16", shape: [2], data: Uint16Array.of(0, 65535) },
  i32: { dtype: "I32", shape: [1, 2], data: Int32Array.of(-2147483648, 2147483647) },
  u32: { dtype: "U32", shape: [2, 1], data: Uint32Array.of(0, 4294967295) },
  i64: { dtype: "I64", shape: [2], data: BigInt64Array.of(-(2n ** 63n), 2n ** 63n - 1n) },
  u64: { dtype: "U64", shape: [2], data: BigUint64Array.of(0n, 2n ** 64n - 1n) },
  mask: { dtype: "BOOL", shape: [4], data: Uint8Array.of(1, 0, 0, 1) },
  scalar: { dtype: "F32", shape: [], data: Float32Array.of(-2.5) },
  empty: { dtype: "F32", shape: [0], data: new Float32Array(0) },
  "empty 3d": { dtype: "I64", shape: [3, 0, 2], data: new BigInt64Array(0) },
};
