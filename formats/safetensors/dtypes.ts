/**
 * The element types of the safetensors format and the typed arrays that hold
 * them in memory. F16 and BF16 elements are kept as their raw 16-bit patterns
 * in a `Uint16Array`, so every value (NaN payloads included) survives a round
 * trip bit for bit; BOOL elements are bytes that are 0 or 1.
 *
 * @module
 */

import { InklingError } from "../../autograd/errors.ts";

/** The typed array that holds the elements of each safetensors dtype. */
export interface SafetensorsArrays {
  /** Booleans, one byte each (0 or 1). */
  BOOL: Uint8Array;
  /** Unsigned 8-bit integers. */
  U8: Uint8Array;
  /** Signed 8-bit integers. */
  I8: Int8Array;
  /** Signed 16-bit integers. */
  I16: Int16Array;
  /** Unsigned 16-bit integers. */
  U16: Uint16Array;
  /** IEEE half precision, as raw bit patterns. */
  F16: Uint16Array;
  /** bfloat16, as raw bit patterns (the upper half of a float32). */
  BF16: Uint16Array;
  /** Signed 32-bit integers. */
  I32: Int32Array;
  /** Unsigned 32-bit integers. */
  U32: Uint32Array;
  /** IEEE single precision. */
  F32: Float32Array;
  /** IEEE double precision. */
  F64: Float64Array;
  /** Signed 64-bit integers. */
  I64: BigInt64Array;
  /** Unsigned 64-bit integers. */
  U64: BigUint64Array;
}

/** Name of a safetensors element type, as written in the file header. */
export type SafetensorsDType = keyof SafetensorsArrays;

/** Any typed array that can hold safetensors elements. */
export type SafetensorsArray = SafetensorsArrays[SafetensorsDType];

/**
 * One tensor of a safetensors file: its dtype, its shape (row-major, `[]` for
 * a scalar) and its elements. Checking `dtype` narrows the type of `data`.
 */
export type SafetensorsTensor = {
  [D in SafetensorsDType]: { dtype: D; shape: number[]; data: SafetensorsArrays[D] };
}[SafetensorsDType];

/** What the reader and the writer need to know about one dtype. */
export interface DTypeInfo {
  /** The dtype name. */
  readonly name: SafetensorsDType;
  /** Bytes per element. */
  readonly itemSize: number;
  /**
   * Position in the reference implementation's dtype enum, which lists dtypes
   * by increasing alignment; the writer lays tensors out by descending rank.
   */
  readonly rank: number;
  /** The typed-array class holding the elements. */
  readonly array: TypedArrayClass;
}

interface TypedArrayClass {
  new (buffer: ArrayBuffer): SafetensorsArray;
  readonly BYTES_PER_ELEMENT: number;
  readonly name: string;
}

// Typed arrays use the host byte order while the format is little-endian.
// Deno only ships for little-endian hosts; fail loudly should that change.
if (new Uint8Array(Uint16Array.of(1).buffer)[0] !== 1) {
  throw new InklingError("safetensors: big-endian hosts are not supported");
}

// In the order of the reference implementation's `Dtype` enum (the FP8/FP4
// variants Inkling does not support left out; they do not change the order).
const TABLE: [SafetensorsDType, TypedArrayClass][] = [
  ["BOOL", Uint8Array],
  ["U8", Uint8Array],
  ["I8", Int8Array],
  ["I16", Int16Array],
  ["U16", Uint16Array],
  ["F16", Uint16Array],
  ["BF16", Uint16Array],
  ["I32", Int32Array],
  ["U32", Uint32Array],
  ["F32", Float32Array],
  ["F64", Float64Array],
  ["I64", BigInt64Array],
  ["U64", BigUint64Array],
];

// A Map, so header strings such as "constructor" never hit Object.prototype.
const DTYPES: ReadonlyMap<string, DTypeInfo> = new Map(
  TABLE.map(([name, array], rank) => [
    name,
    { name, itemSize: array.BYTES_PER_ELEMENT, rank, array },
  ]),
);

/** Every supported dtype name, for error messages. */
export const DTYPE_NAMES: readonly SafetensorsDType[] = TABLE.map(([name]) => name);

/** Looks up a dtype by its header name; `undefined` when it is not supported. */
export function lookupDType(name: string): DTypeInfo | undefined {
  return DTYPES.get(name);
}

/**
 * Byte size of a tensor of `shape`; `Infinity` when the element count passes
 * 2^53 − 1 (no buffer is that large, and the loop stops early so a header with
 * millions of dimensions cannot make it slow).
 */
export function byteSize(info: DTypeInfo, shape: readonly number[]): number {
  if (shape.includes(0)) return 0;
  let elements = 1;
  for (const dim of shape) {
    elements *= dim;
    if (elements > Number.MAX_SAFE_INTEGER) return Infinity;
  }
  return elements * info.itemSize;
}
