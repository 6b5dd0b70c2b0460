/**
 * The values a MAT-file reader returns and a writer accepts.
 *
 * Every array is given in **row-major** (C) order with MATLAB's own shape: a
 * MATLAB `m×n` matrix has `shape [m, n]` and element (i, j) at
 * `data[i * n + j]`; an N-D array's last index varies fastest. (MAT files store
 * column-major; the reader and writer convert.) Shapes always have at least two
 * entries, as in MATLAB.
 *
 * @module
 */

/** Numeric MATLAB classes. */
export type MatNumericClass =
  | "double"
  | "single"
  | "int8"
  | "uint8"
  | "int16"
  | "uint16"
  | "int32"
  | "uint32"
  | "int64"
  | "uint64";

/** Every MATLAB class the reader returns. */
export type MatClass = MatNumericClass | "logical" | "char" | "cell" | "struct";

/** The typed array holding each numeric class (64-bit integers are `BigInt64Array`/`BigUint64Array`). */
export interface MatNumericData {
  /** IEEE double. */
  double: Float64Array;
  /** IEEE single. */
  single: Float32Array;
  /** Signed 8-bit integer. */
  int8: Int8Array;
  /** Unsigned 8-bit integer. */
  uint8: Uint8Array;
  /** Signed 16-bit integer. */
  int16: Int16Array;
  /** Unsigned 16-bit integer. */
  uint16: Uint16Array;
  /** Signed 32-bit integer. */
  int32: Int32Array;
  /** Unsigned 32-bit integer. */
  uint32: Uint32Array;
  /** Signed 64-bit integer. */
  int64: BigInt64Array;
  /** Unsigned 64-bit integer. */
  uint64: BigUint64Array;
}

/** Any typed array a numeric MAT array can hold. */
export type MatTypedArray = MatNumericData[MatNumericClass];

/**
 * A numeric array. `imag` is present only for complex arrays and has the same
 * type and layout as `data`. Narrowing on `class` narrows `data`.
 */
export type MatNumericArray = {
  [C in MatNumericClass]: {
    readonly class: C;
    readonly shape: readonly number[];
    readonly data: MatNumericData[C];
    readonly imag?: MatNumericData[C];
  };
}[MatNumericClass];

/** A logical array: one byte per element, 0 or 1. */
export interface MatLogicalArray {
  /** Discriminant. */
  readonly class: "logical";
  /** MATLAB shape. */
  readonly shape: readonly number[];
  /** 0/1 values, row-major. */
  readonly data: Uint8Array;
}

/**
 * A char array as one string of UTF-16 code units in row-major order: for an
 * `m×n` char matrix, row `r` is `data.slice(r * n, (r + 1) * n)`; a `1×n`
 * char array is simply the text.
 */
export interface MatCharArray {
  /** Discriminant. */
  readonly class: "char";
  /** MATLAB shape. */
  readonly shape: readonly number[];
  /** The characters, row-major. */
  readonly data: string;
}

/** A cell array: one nested array per cell, row-major. */
export interface MatCellArray {
  /** Discriminant. */
  readonly class: "cell";
  /** MATLAB shape. */
  readonly shape: readonly number[];
  /** Cell contents, row-major. */
  readonly data: readonly MatArray[];
}

/** A struct array: per element (row-major), a map from field name to value. */
export interface MatStructArray {
  /** Discriminant. */
  readonly class: "struct";
  /** MATLAB shape. */
  readonly shape: readonly number[];
  /** Field names in file order. */
  readonly fields: readonly string[];
  /** One map per struct element, row-major. */
  readonly data: readonly ReadonlyMap<string, MatArray>[];
}

/** Any array the reader returns. */
export type MatArray =
  | MatNumericArray
  | MatLogicalArray
  | MatCharArray
  | MatCellArray
  | MatStructArray;

/** A top-level variable of a MAT-file: an array plus its name. */
export type MatVariable = MatArray & { readonly name: string };

/** Number of elements of a shape (1 for `[]`). */
export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}
