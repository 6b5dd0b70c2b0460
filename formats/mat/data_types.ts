/**
 * MAT level 5 type codes: the storage types of data elements (`miDOUBLE`, …)
 * and the MATLAB array classes (`mxDOUBLE_CLASS`, …), and the conversion of
 * stored bytes into the typed array of a class. A file may store an array in a
 * narrower type than its class (MATLAB writes a double matrix of small
 * integers as `miUINT8`), so decoding always converts.
 *
 * @module
 */

import type { MatNumericClass, MatTypedArray } from "./types.ts";

/** Data element type codes of the MAT level 5 format. */
export const MI = {
  INT8: 1,
  UINT8: 2,
  INT16: 3,
  UINT16: 4,
  INT32: 5,
  UINT32: 6,
  SINGLE: 7,
  DOUBLE: 9,
  INT64: 12,
  UINT64: 13,
  MATRIX: 14,
  COMPRESSED: 15,
  UTF8: 16,
  UTF16: 17,
  UTF32: 18,
} as const;

/** Array class codes (`mx*_CLASS`) of the array-flags subelement. */
export const MX = {
  CELL: 1,
  STRUCT: 2,
  OBJECT: 3,
  CHAR: 4,
  SPARSE: 5,
  FUNCTION: 16,
  OPAQUE: 17,
} as const;

/** Bits of the array-flags byte. */
export const FLAG = { COMPLEX: 0x08, GLOBAL: 0x04, LOGICAL: 0x02 } as const;

type TypedArrayConstructor = { new (length: number): MatTypedArray; BYTES_PER_ELEMENT: number };

interface NumericClassInfo {
  /** `mx*_CLASS` code. */
  readonly mx: number;
  /** Storage type the writer uses for this class. */
  readonly mi: number;
  readonly ctor: TypedArrayConstructor;
}

/** Per numeric class: its class code, natural storage type and typed array. */
export const NUMERIC_CLASSES: Readonly<Record<MatNumericClass, NumericClassInfo>> = {
  double: { mx: 6, mi: MI.DOUBLE, ctor: Float64Array },
  single: { mx: 7, mi: MI.SINGLE, ctor: Float32Array },
  int8: { mx: 8, mi: MI.INT8, ctor: Int8Array },
  uint8: { mx: 9, mi: MI.UINT8, ctor: Uint8Array },
  int16: { mx: 10, mi: MI.INT16, ctor: Int16Array },
  uint16: { mx: 11, mi: MI.UINT16, ctor: Uint16Array },
  int32: { mx: 12, mi: MI.INT32, ctor: Int32Array },
  uint32: { mx: 13, mi: MI.UINT32, ctor: Uint32Array },
  int64: { mx: 14, mi: MI.INT64, ctor: BigInt64Array },
  uint64: { mx: 15, mi: MI.UINT64, ctor: BigUint64Array },
};

/** Numeric class of an `mx*_CLASS` code, if it is numeric. */
export function numericClassOf(mx: number): MatNumericClass | undefined {
  for (const [name, info] of Object.entries(NUMERIC_CLASSES)) {
    if (info.mx === mx) return name as MatNumericClass;
  }
  return undefined;
}

interface StorageInfo {
  readonly name: string;
  readonly size: number;
  readonly ctor: TypedArrayConstructor;
  readonly get: (view: DataView, offset: number, littleEndian: boolean) => number | bigint;
  readonly set: (view: DataView, offset: number, value: number | bigint, le: boolean) => void;
}

/** Numeric storage types: name, byte size, typed array and DataView accessors. */
export const STORAGE: ReadonlyMap<number, StorageInfo> = new Map<number, StorageInfo>([
  [MI.INT8, storage("miINT8", 1, Int8Array, "Int8")],
  [MI.UINT8, storage("miUINT8", 1, Uint8Array, "Uint8")],
  [MI.INT16, storage("miINT16", 2, Int16Array, "Int16")],
  [MI.UINT16, storage("miUINT16", 2, Uint16Array, "Uint16")],
  [MI.INT32, storage("miINT32", 4, Int32Array, "Int32")],
  [MI.UINT32, storage("miUINT32", 4, Uint32Array, "Uint32")],
  [MI.SINGLE, storage("miSINGLE", 4, Float32Array, "Float32")],
  [MI.DOUBLE, storage("miDOUBLE", 8, Float64Array, "Float64")],
  [MI.INT64, storage("miINT64", 8, BigInt64Array, "BigInt64")],
  [MI.UINT64, storage("miUINT64", 8, BigUint64Array, "BigUint64")],
]);

type Accessor =
  | "Int8"
  | "Uint8"
  | "Int16"
  | "Uint16"
  | "Int32"
  | "Uint32"
  | "Float32"
  | "Float64"
  | "BigInt64"
  | "BigUint64";

function storage(
  name: string,
  size: number,
  ctor: TypedArrayConstructor,
  accessor: Accessor,
): StorageInfo {
  // DataView's getX/setX have one signature shape per accessor; going through
  // an untyped record keeps one table instead of ten near-identical entries.
  const proto = DataView.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
  const getter = proto[`get${accessor}`];
  const setter = proto[`set${accessor}`];
  return {
    name,
    size,
    ctor,
    get: (view, offset, le) => getter.call(view, offset, le) as number | bigint,
    set: (view, offset, value, le) => {
      setter.call(view, offset, value, le);
    },
  };
}

/** Human name of a data element type, e.g. `miDOUBLE` or `type 42`. */
export function storageName(type: number): string {
  if (type === MI.MATRIX) return "miMATRIX";
  if (type === MI.COMPRESSED) return "miCOMPRESSED";
  if (type === MI.UTF8) return "miUTF8";
  if (type === MI.UTF16) return "miUTF16";
  if (type === MI.UTF32) return "miUTF32";
  return STORAGE.get(type)?.name ?? `type ${type}`;
}

/** True when the machine stores numbers little-endian (typed arrays use host order). */
const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

// 2^63 as a double: conversions to 64-bit integers clamp to this range first,
// because BigInt() refuses non-finite and fractional numbers.
const TWO_63 = 9223372036854775808;

function toBigInt(value: number): bigint {
  if (Number.isNaN(value)) return 0n;
  return BigInt(Math.trunc(Math.max(-TWO_63, Math.min(TWO_63, value))));
}

/**
 * Decodes `count` values stored as `type` in `bytes` into a new typed array of
 * `cls` (in stored order). The caller has checked that `bytes` holds exactly
 * `count` values of `type`.
 */
export function decodeNumeric(
  bytes: Uint8Array,
  type: number,
  littleEndian: boolean,
  cls: MatNumericClass,
): MatTypedArray {
  const stored = STORAGE.get(type)!;
  const ctor = NUMERIC_CLASSES[cls].ctor;
  const count = bytes.length / stored.size;
  const out = new ctor(count);
  if (stored.ctor === ctor && (littleEndian === HOST_LITTLE_ENDIAN || stored.size === 1)) {
    new Uint8Array(out.buffer).set(bytes);
    return out;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const size = stored.size;
  if (out instanceof BigInt64Array || out instanceof BigUint64Array) {
    for (let i = 0; i < count; i++) {
      const v = stored.get(view, i * size, littleEndian);
      out[i] = typeof v === "bigint" ? v : toBigInt(v);
    }
  } else {
    for (let i = 0; i < count; i++) {
      const v = stored.get(view, i * size, littleEndian);
      out[i] = typeof v === "bigint" ? Number(v) : v;
    }
  }
  return out;
}

/**
 * Writes `values` as storage `type` into `view` starting at `offset`; `values`
 * must be the typed array of that storage type (the writer stores every class
 * in its natural type).
 */
export function encodeNumeric(
  view: DataView,
  offset: number,
  values: MatTypedArray,
  type: number,
  littleEndian: boolean,
): void {
  const stored = STORAGE.get(type)!;
  if (littleEndian === HOST_LITTLE_ENDIAN || stored.size === 1) {
    new Uint8Array(view.buffer, view.byteOffset + offset, values.byteLength).set(
      new Uint8Array(values.buffer, values.byteOffset, values.byteLength),
    );
    return;
  }
  for (let i = 0; i < values.length; i++) {
    stored.set(view, offset + i * stored.size, values[i], littleEndian);
  }
}
