/**
 * The IDX format of MNIST and EMNIST: bytes 0-1 zero, byte 2 the element type,
 * byte 3 the number of dimensions, one big-endian uint32 per dimension, then
 * the elements, big-endian, row-major. This file holds the type table and the
 * header check shared by the reader and the writer.
 *
 * @module
 */

import { FormatError } from "../../autograd/errors.ts";

/** IDX element types, named as in the format description. */
export type IdxType = "ubyte" | "byte" | "short" | "int" | "float" | "double";

/** The typed array holding each IDX element type. */
export interface IdxData {
  /** 0x08: unsigned byte. */
  ubyte: Uint8Array;
  /** 0x09: signed byte. */
  byte: Int8Array;
  /** 0x0B: 16-bit signed integer. */
  short: Int16Array;
  /** 0x0C: 32-bit signed integer. */
  int: Int32Array;
  /** 0x0D: 32-bit float. */
  float: Float32Array;
  /** 0x0E: 64-bit float. */
  double: Float64Array;
}

/** An IDX array: element type, shape and row-major data (narrowing on `type` narrows `data`). */
export type IdxArray = {
  [T in IdxType]: {
    readonly type: T;
    readonly shape: readonly number[];
    readonly data: IdxData[T];
  };
}[IdxType];

type IdxTypedArray = IdxData[IdxType];

interface IdxTypeInfo {
  readonly code: number;
  readonly size: number;
  readonly ctor: { new (length: number): IdxTypedArray };
  readonly get: (view: DataView, offset: number) => number;
  readonly set: (view: DataView, offset: number, value: number) => void;
}

/** Per element type: type code, byte size, typed array and big-endian accessors. */
export const IDX_TYPES: Readonly<Record<IdxType, IdxTypeInfo>> = {
  ubyte: {
    code: 0x08,
    size: 1,
    ctor: Uint8Array,
    get: (v, o) => v.getUint8(o),
    set: (v, o, x) => v.setUint8(o, x),
  },
  byte: {
    code: 0x09,
    size: 1,
    ctor: Int8Array,
    get: (v, o) => v.getInt8(o),
    set: (v, o, x) => v.setInt8(o, x),
  },
  short: {
    code: 0x0b,
    size: 2,
    ctor: Int16Array,
    get: (v, o) => v.getInt16(o),
    set: (v, o, x) => v.setInt16(o, x),
  },
  int: {
    code: 0x0c,
    size: 4,
    ctor: Int32Array,
    get: (v, o) => v.getInt32(o),
    set: (v, o, x) => v.setInt32(o, x),
  },
  float: {
    code: 0x0d,
    size: 4,
    ctor: Float32Array,
    get: (v, o) => v.getFloat32(o),
    set: (v, o, x) => v.setFloat32(o, x),
  },
  double: {
    code: 0x0e,
    size: 8,
    ctor: Float64Array,
    get: (v, o) => v.getFloat64(o),
    set: (v, o, x) => v.setFloat64(o, x),
  },
};

/** What the header of an IDX file says. */
export interface IdxHeader {
  /** Element type. */
  readonly type: IdxType;
  /** Dimensions. */
  readonly shape: readonly number[];
  /** Bytes of the header (4 + 4 per dimension). */
  readonly headerBytes: number;
  /** Bytes the elements take. */
  readonly dataBytes: number;
}

/** Reads and checks the header at the start of `bytes` (which may hold only a prefix of the file). */
export function parseIdxHeader(bytes: Uint8Array, source: string): IdxHeader {
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) {
    throw new FormatError(`${source} is not an IDX file (it does not start with two zero bytes)`);
  }
  const entry = Object.entries(IDX_TYPES).find(([, info]) => info.code === bytes[2]);
  if (entry === undefined) {
    throw new FormatError(
      `${source}: unknown IDX element type 0x${bytes[2].toString(16).padStart(2, "0")} ` +
        "(known: 0x08 ubyte, 0x09 byte, 0x0B short, 0x0C int, 0x0D float, 0x0E double)",
    );
  }
  const rank = bytes[3];
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) {
    throw new FormatError(
      `${source}: truncated IDX header (${rank} dimensions need ${headerBytes} bytes, ${bytes.length} present)`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, headerBytes);
  const shape = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  const [type, info] = entry as [IdxType, IdxTypeInfo];
  return { type, shape, headerBytes, dataBytes: shape.reduce((n, d) => n * d, 1) * info.size };
}
