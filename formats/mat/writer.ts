/**
 * Writing MAT level 5 files that MATLAB (`load`) and `scipy.io.loadmat` read:
 * numeric arrays of every class (real or complex), logical and char arrays, each variable
 * optionally zlib-compressed (as MATLAB's default `-v7` does). Arrays are given
 * row-major and stored column-major; each class is stored in its own type.
 *
 * @module
 */

import { DTypeError, InklingError, ShapeError } from "../../autograd/errors.ts";
import { compress, concatBytes } from "../decompress.ts";
import { writeFileAtomic } from "../files.ts";
import { encodeNumeric, FLAG, MI, MX, NUMERIC_CLASSES } from "./data_types.ts";
import { encodeMatHeader } from "./header.ts";
import { reorder } from "./layout.ts";
import { type MatNumericClass, type MatTypedArray, shapeSize } from "./types.ts";

/**
 * An array to write, row-major. `class` may be left out: it follows from the
 * typed array (`Float64Array` → double, …) or a string (char). Logical arrays
 * need `class: "logical"` with a `Uint8Array` (nonzero is stored as 1). A
 * shape of one entry `[n]` is written as a 1×n row vector, `[]` as 1×1.
 * The reader's numeric, logical and char results can be passed back unchanged.
 */
export interface MatWritable {
  /** MATLAB class (inferred when absent). */
  readonly class?: MatNumericClass | "logical" | "char";
  /** Shape; its product must equal the number of elements. */
  readonly shape: readonly number[];
  /** Values row-major, or the characters of a char array. */
  readonly data: MatTypedArray | string;
  /** Imaginary part of a complex numeric array: same typed array type and length as `data`. */
  readonly imag?: MatTypedArray;
}

/** Options of {@linkcode encodeMat} and {@linkcode writeMat}. */
export interface EncodeMatOptions {
  /** Store each variable as a zlib-compressed element (default false, like scipy). */
  compress?: boolean;
  /** Byte order of the file (default true: little-endian, `IM`). */
  littleEndian?: boolean;
  /** Header text (at most 116 ASCII characters; default names Inkling). */
  headerText?: string;
}

const DEFAULT_HEADER = "MATLAB 5.0 MAT-file, Platform: Deno, Created by: Inkling";
const NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_]{0,62}$/;

/** Encodes variables (name → array) as the bytes of a MAT level 5 file. */
export async function encodeMat(
  variables: Readonly<Record<string, MatWritable>> | ReadonlyMap<string, MatWritable>,
  options: EncodeMatOptions = {},
): Promise<Uint8Array> {
  const littleEndian = options.littleEndian ?? true;
  const entries = variables instanceof Map ? [...variables] : Object.entries(variables);
  const parts: Uint8Array[] = [encodeMatHeader(options.headerText ?? DEFAULT_HEADER, littleEndian)];
  for (const [name, array] of entries) {
    const element = encodeMatrixElement(name, array, littleEndian);
    if (!options.compress) {
      parts.push(element);
      continue;
    }
    const zlib = await compress(element, "deflate");
    const tag = new Uint8Array(8);
    writeTag(new DataView(tag.buffer), 0, MI.COMPRESSED, zlib.length, littleEndian);
    parts.push(tag, zlib);
  }
  return concatBytes(parts);
}

/** Writes variables to a MAT level 5 file atomically (temporary file, then rename). */
export async function writeMat(
  path: string,
  variables: Readonly<Record<string, MatWritable>> | ReadonlyMap<string, MatWritable>,
  options: EncodeMatOptions = {},
): Promise<void> {
  await writeFileAtomic(path, await encodeMat(variables, options));
}

/** Column-major values of one array with how to store them. */
interface Storable {
  readonly classCode: number;
  readonly flags: number;
  readonly dims: readonly number[];
  readonly storage: number;
  /** The real part, then the imaginary part if complex. */
  readonly parts: readonly MatTypedArray[];
}

/** Checks an array and turns it into column-major values of its storage type. */
function toStorable(name: string, array: MatWritable): Storable {
  const what = `MAT variable '${name}'`;
  const dims = array.shape.length === 0
    ? [1, 1]
    : array.shape.length === 1
    ? [1, array.shape[0]]
    : [...array.shape];
  if (!dims.every((d) => Number.isInteger(d) && d >= 0 && d < 2 ** 31)) {
    throw new ShapeError(`${what}: shape [${array.shape}] must hold integers in [0, 2^31)`);
  }
  const { data } = array;
  const cls = array.class ?? (typeof data === "string" ? "char" : classOfTypedArray(data, what));
  let row: MatTypedArray;
  let storage: number;
  if (typeof data === "string") {
    if (cls !== "char") {
      throw new DTypeError(`${what}: a string can only be written as class char, not ${cls}`);
    }
    row = Uint16Array.from({ length: data.length }, (_, i) => data.charCodeAt(i));
    storage = MI.UINT16;
  } else if (cls === "char") {
    throw new DTypeError(`${what}: class char needs a string`);
  } else if (cls === "logical") {
    if (!(data instanceof Uint8Array)) {
      throw new DTypeError(`${what}: class logical needs a Uint8Array`);
    }
    row = data.map((v) => (v ? 1 : 0));
    storage = MI.UINT8;
  } else {
    const info = NUMERIC_CLASSES[cls];
    if (info === undefined || !(data instanceof info.ctor)) {
      throw new DTypeError(
        `${what}: class ${cls} needs a ${
          info?.ctor.name ?? "numeric typed array"
        }, got ${data.constructor.name}`,
      );
    }
    row = data;
    storage = info.mi;
  }
  if (shapeSize(dims) !== row.length) {
    throw new ShapeError(
      `${what}: shape [${dims}] needs ${shapeSize(dims)} elements, data has ${row.length}`,
    );
  }
  const { imag } = array;
  if (imag !== undefined && (imag.constructor !== row.constructor || imag.length !== row.length)) {
    throw new DTypeError(
      `${what}: the imaginary part must be a ${row.constructor.name} of ${row.length} elements ` +
        `like the real part, got a ${imag.constructor.name} of ${imag.length}` +
        (typeof data === "string" || cls === "logical" ? ` (class ${cls} cannot be complex)` : ""),
    );
  }
  const parts = (imag === undefined ? [row] : [row, imag]).map((part) => {
    const column = new (part.constructor as { new (n: number): MatTypedArray })(part.length);
    reorder(part as unknown as number[], column as unknown as number[], {
      shape: dims,
      direction: "toColumnMajor",
    });
    return column;
  });
  const classCode = cls === "char"
    ? MX.CHAR
    : cls === "logical"
    ? NUMERIC_CLASSES.uint8.mx
    : NUMERIC_CLASSES[cls].mx;
  const flags = (cls === "logical" ? FLAG.LOGICAL : 0) | (imag ? FLAG.COMPLEX : 0);
  return { classCode, flags, dims, storage, parts };
}

function classOfTypedArray(data: MatTypedArray, what: string): MatNumericClass {
  for (const [cls, info] of Object.entries(NUMERIC_CLASSES)) {
    if (data instanceof info.ctor) return cls as MatNumericClass;
  }
  throw new DTypeError(
    `${what}: cannot store a ${(data as object).constructor.name} in a MAT-file`,
  );
}

/** Bytes a data element of `n` data bytes takes (small form for 1-4 bytes). */
function elementBytes(n: number): number {
  return n > 0 && n <= 4 ? 8 : 8 + padded(n);
}

function padded(n: number): number {
  return n + ((8 - (n % 8)) % 8);
}

/** Encodes one variable as a complete miMATRIX element (tag included). */
function encodeMatrixElement(name: string, array: MatWritable, littleEndian: boolean): Uint8Array {
  if (!NAME_PATTERN.test(name)) {
    throw new InklingError(
      `MAT variable name '${name}' is not a MATLAB identifier (a letter, then letters, digits or _, at most 63)`,
    );
  }
  const { classCode, flags, dims, storage, parts } = toStorable(name, array);
  const contentBytes = 16 + elementBytes(4 * dims.length) + elementBytes(name.length) +
    parts.reduce((n, part) => n + elementBytes(part.byteLength), 0);
  if (contentBytes > 0xffffffff - 8) {
    throw new InklingError(
      `MAT variable '${name}' is too large for a level 5 file (${contentBytes} bytes)`,
    );
  }
  const out = new Uint8Array(8 + contentBytes);
  const view = new DataView(out.buffer);
  let at = writeTag(view, 0, MI.MATRIX, contentBytes, littleEndian);
  at = writeTag(view, at, MI.UINT32, 8, littleEndian);
  view.setUint32(at, classCode | (flags << 8), littleEndian);
  at += 8; // the second flags word (nzmax, for sparse arrays) stays 0
  at = writeData(view, at, MI.INT32, 4 * dims.length, littleEndian, (start) => {
    dims.forEach((d, i) => view.setInt32(start + 4 * i, d, littleEndian));
  });
  at = writeData(view, at, MI.INT8, name.length, littleEndian, (start) => {
    for (let i = 0; i < name.length; i++) out[start + i] = name.charCodeAt(i);
  });
  for (const part of parts) {
    at = writeData(view, at, storage, part.byteLength, littleEndian, (start) => {
      encodeNumeric(view, start, part, storage, littleEndian);
    });
  }
  return out;
}

/** Writes a full 8-byte tag; returns the offset after it. */
function writeTag(
  view: DataView,
  at: number,
  type: number,
  size: number,
  littleEndian: boolean,
): number {
  view.setUint32(at, type, littleEndian);
  view.setUint32(at + 4, size, littleEndian);
  return at + 8;
}

/**
 * Writes a data element of `size` bytes (small form for 1-4 bytes, as MATLAB
 * does), letting `fill` put the data at the offset it is given; returns the
 * offset after the element and its padding (left zero).
 */
function writeData(
  view: DataView,
  at: number,
  type: number,
  size: number,
  littleEndian: boolean,
  fill: (start: number) => void,
): number {
  if (size > 0 && size <= 4) {
    view.setUint32(at, (size << 16) | type, littleEndian);
    fill(at + 4);
    return at + 8;
  }
  fill(writeTag(view, at, type, size, littleEndian));
  return at + 8 + padded(size);
}
