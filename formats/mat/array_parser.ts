/**
 * Decoding of one `miMATRIX` data element — array flags, dimensions, name and
 * the class-specific data — into a {@linkcode MatArray}: numeric (real or
 * complex), logical, char, cell and struct arrays. Sizes are checked against
 * the bytes present before anything is allocated, and nesting is bounded, so a
 * corrupt element fails with a {@linkcode FormatError}.
 *
 * @module
 */

import { ElementReader } from "./elements.ts";
import { decodeNumeric, FLAG, MI, MX, numericClassOf, STORAGE, storageName } from "./data_types.ts";
import { reorder } from "./layout.ts";
import { type MatArray, type MatNumericClass, type MatTypedArray, shapeSize } from "./types.ts";

/** Cells and structs nested deeper than this are refused (real files nest a few levels). */
const MAX_NESTING = 64;

/** Flags, dimensions and name: the subelements every array starts with. */
export interface ArrayHeader {
  /** `mx*_CLASS` code. */
  readonly classCode: number;
  /** Flag bits (complex, global, logical). */
  readonly flags: number;
  /** MATLAB dimensions (at least two). */
  readonly dims: readonly number[];
  /** Array name ("" inside cells and structs). */
  readonly name: string;
}

// Largest struct array accepted when the file cannot vouch for its size
// (no fields means no bytes per element).
const MAX_FIELDLESS_ELEMENTS = 1 << 20;

const NAME_TYPES = [MI.INT8, MI.UINT8, MI.UTF8];

// Storage types a char array may use besides miUTF8, and how to read their
// code units (UTF-16/32 are read as the unsigned integers of their width).
const CHAR_STORAGE = new Map<number, number>([
  [MI.UTF16, MI.UINT16],
  [MI.UINT16, MI.UINT16],
  [MI.UTF32, MI.UINT32],
  [MI.UINT8, MI.UINT8],
  [MI.INT8, MI.INT8],
]);

// Classes the reader refuses, with what to do instead.
const UNSUPPORTED: Record<number, string> = {
  [MX.SPARSE]: "sparse arrays are unsupported; save full(x) instead",
  [MX.OBJECT]: "MATLAB objects are unsupported; save their properties as a struct instead",
  [MX.FUNCTION]: "function handles are unsupported",
  [MX.OPAQUE]:
    "opaque MATLAB objects (string, table, datetime, …) are unsupported; convert them to char, cell or numeric arrays",
};
const latin1 = new TextDecoder("latin1");

/** Reads the flags, dimensions and name subelements at the reader's position. */
export function readArrayHeader(reader: ElementReader): ArrayHeader {
  const flagsElement = reader.expect([MI.UINT32], "array flags");
  if (flagsElement.data.length < 4) {
    throw reader.error("array flags element is shorter than 4 bytes");
  }
  const word = new DataView(flagsElement.data.buffer, flagsElement.data.byteOffset, 4)
    .getUint32(0, reader.littleEndian);
  const dimsElement = reader.expect([MI.INT32], "dimensions");
  const bytes = dimsElement.data;
  if (bytes.length % 4 !== 0 || bytes.length < 8) {
    throw reader.error(
      `dimensions element has ${bytes.length} bytes (need 4 per dimension, at least 2)`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const dims: number[] = [];
  for (let at = 0; at < bytes.length; at += 4) {
    const d = view.getInt32(at, reader.littleEndian);
    if (d < 0) throw reader.error(`negative dimension ${d}`);
    dims.push(d);
  }
  const name = decodeName(reader.expect(NAME_TYPES, "array name").data);
  return { classCode: word & 0xff, flags: (word >>> 8) & 0xff, dims, name };
}

/** Where an array sits, for {@linkcode parseArray} and its error messages. */
export interface ArrayParseContext {
  /** Byte order of the file. */
  readonly littleEndian: boolean;
  /** The file (for error messages). */
  readonly source: string;
  /** MATLAB-style path of the array, e.g. `x` or `c{2}.f` (for error messages). */
  readonly path: string;
  /** Nesting level (0 for a top-level variable). */
  readonly depth: number;
  /** Position of the payload in the file, or in the decompressed element (for error messages). */
  readonly base: number;
  /** True when the payload comes from a compressed element. */
  readonly inflated: boolean;
}

/**
 * Decodes the contents of an `miMATRIX` element (the bytes after its tag).
 * An empty element is MATLAB's way of writing `[]` inside cells and structs.
 */
export function parseArray(
  payload: Uint8Array,
  context: ArrayParseContext,
): { name: string; array: MatArray } {
  if (payload.length === 0) {
    return { name: "", array: { class: "double", shape: [0, 0], data: new Float64Array(0) } };
  }
  const what = context.path
    ? `${context.source}: variable '${context.path}'`
    : `${context.source}: unnamed variable`;
  const within = context.inflated ? " of the decompressed variable" : "";
  const reader = new ElementReader(payload, {
    littleEndian: context.littleEndian,
    what,
    base: context.base,
    within,
  });
  const header = readArrayHeader(reader);
  const path = context.depth === 0 ? header.name : context.path;
  reader.what = `${context.source}: variable '${path}'`;
  return { name: header.name, array: parseArrayBody(reader, header, { ...context, path }) };
}

/** Decodes the class-specific part of an array whose header has been read. */
function parseArrayBody(
  reader: ElementReader,
  header: ArrayHeader,
  context: ArrayParseContext,
): MatArray {
  if (context.depth > MAX_NESTING) {
    throw reader.error(`cells/structs nested deeper than ${MAX_NESTING} levels`);
  }
  const { classCode, flags, dims } = header;
  const complex = (flags & FLAG.COMPLEX) !== 0;
  const numeric = numericClassOf(classCode);
  if (numeric !== undefined) {
    if (flags & FLAG.LOGICAL) {
      if (complex) throw reader.error("a logical array cannot be complex");
      const values = readValues(reader, dims, numeric, "logical data");
      const bits = new Uint8Array(values.length);
      for (let i = 0; i < values.length; i++) bits[i] = values[i] ? 1 : 0;
      return { class: "logical", shape: dims, data: toRowMajor(bits, dims) };
    }
    const data = toRowMajor(readValues(reader, dims, numeric, "real part"), dims);
    if (!complex) return { class: numeric, shape: dims, data } as MatArray;
    const imag = toRowMajor(readValues(reader, dims, numeric, "imaginary part"), dims);
    return { class: numeric, shape: dims, data, imag } as MatArray;
  }
  switch (classCode) {
    case MX.CHAR:
      return { class: "char", shape: dims, data: readChars(reader, dims) };
    case MX.CELL:
      return readCell(reader, dims, context);
    case MX.STRUCT:
      return readStruct(reader, dims, context);
  }
  throw reader.error(
    `${UNSUPPORTED[classCode] ?? `unknown array class ${classCode}`} ` +
      "(supported: numeric, logical, char, cell, struct)",
  );
}

/** Reads one numeric data element of exactly `product(dims)` values. */
function readValues(
  reader: ElementReader,
  dims: readonly number[],
  cls: MatNumericClass,
  role: string,
): MatTypedArray {
  const element = reader.read();
  const stored = STORAGE.get(element.type);
  if (stored === undefined) {
    throw reader.error(
      `${role} should be a numeric type, found ${storageName(element.type)}`,
      element.offset,
    );
  }
  checkLength(reader, dims, stored.size, element.data.length, `${role} (${stored.name})`);
  return decodeNumeric(element.data, element.type, reader.littleEndian, cls);
}

/** Refuses a data length other than `product(dims) × size`, before any allocation. */
function checkLength(
  reader: ElementReader,
  dims: readonly number[],
  size: number,
  length: number,
  role: string,
): void {
  const count = shapeSize(dims);
  if (count * size !== length) {
    throw reader.error(
      `${role} holds ${length} bytes but dimensions ${dims.join("x")} need ${count * size}`,
    );
  }
}

/** Returns `values` in row-major order (the same array if no reordering is needed). */
function toRowMajor<T extends MatTypedArray>(values: T, dims: readonly number[]): T {
  if (dims.filter((d) => d > 1).length <= 1) return values;
  const out = new (values.constructor as { new (n: number): T })(values.length);
  reorder(values as unknown as number[], out as unknown as number[], {
    shape: dims,
    direction: "toRowMajor",
  });
  return out;
}

/** Reads the characters of a char array as UTF-16 code units, row-major. */
function readChars(reader: ElementReader, dims: readonly number[]): string {
  const element = reader.read();
  const count = shapeSize(dims);
  const bytes = element.data;
  let codes: Uint16Array;
  switch (element.type) {
    case MI.UTF8: {
      // UTF-8 is variable length: a string of `count` UTF-16 units needs
      // between count and 3×count bytes, so check before decoding.
      if (bytes.length < count || bytes.length > 3 * count) {
        throw reader.error(
          `char data (miUTF8) of ${bytes.length} bytes cannot hold the ${count} characters of ${
            dims.join("x")
          }`,
        );
      }
      const text = new TextDecoder("utf-8").decode(bytes);
      if (text.length !== count) {
        throw reader.error(
          `char data (miUTF8) decodes to ${text.length} characters but dimensions ${
            dims.join("x")
          } need ${count}`,
        );
      }
      codes = Uint16Array.from({ length: count }, (_, i) => text.charCodeAt(i));
      break;
    }
    default: {
      const storage = CHAR_STORAGE.get(element.type);
      if (storage === undefined) {
        throw reader.error(
          `char data should be text or an integer type, found ${storageName(element.type)}`,
          element.offset,
        );
      }
      const role = `char data (${storageName(element.type)})`;
      checkLength(reader, dims, STORAGE.get(storage)!.size, bytes.length, role);
      const values = decodeNumeric(bytes, storage, reader.littleEndian, "uint32") as Uint32Array;
      if (element.type === MI.INT8) values.forEach((v, i) => (values[i] = v & 0xff));
      if (values.some((v) => v > 0xffff)) {
        throw reader.error("char data holds a code point above U+FFFF");
      }
      codes = Uint16Array.from(values);
    }
  }
  const rowMajor = toRowMajor(codes, dims);
  let text = "";
  for (let i = 0; i < rowMajor.length; i += 8192) {
    text += String.fromCharCode(...rowMajor.subarray(i, i + 8192));
  }
  return text;
}

function readCell(
  reader: ElementReader,
  dims: readonly number[],
  context: ArrayParseContext,
): MatArray {
  const count = shapeSize(dims);
  // Each cell is a whole miMATRIX element of at least an 8-byte tag.
  if (count * 8 > reader.remaining) {
    throw reader.error(
      `cell dimensions ${
        dims.join("x")
      } need ${count} elements, only ${reader.remaining} bytes left`,
    );
  }
  const cells = new Array<MatArray>(count);
  for (let i = 0; i < count; i++) {
    const element = reader.expect([MI.MATRIX], "cell element");
    cells[i] =
      parseArray(element.data, nested(reader, element.data, context, `${context.path}{${i + 1}}`))
        .array;
  }
  const data = new Array<MatArray>(count);
  reorder(cells, data, { shape: dims, direction: "toRowMajor" });
  return { class: "cell", shape: dims, data };
}

function readStruct(
  reader: ElementReader,
  dims: readonly number[],
  context: ArrayParseContext,
): MatArray {
  const lengthElement = reader.expect([MI.INT32], "field name length");
  if (lengthElement.data.length !== 4) {
    throw reader.error("field name length element is not 4 bytes");
  }
  const width = new DataView(lengthElement.data.buffer, lengthElement.data.byteOffset, 4)
    .getInt32(0, reader.littleEndian);
  const namesBytes = reader.expect(NAME_TYPES, "field names").data;
  if (width <= 0 ? namesBytes.length > 0 : namesBytes.length % width !== 0) {
    throw reader.error(
      `field names (${namesBytes.length} bytes) are not a multiple of the name length ${width}`,
    );
  }
  const fields: string[] = [];
  for (let at = 0; at < namesBytes.length; at += width) {
    fields.push(decodeName(namesBytes.subarray(at, at + width)));
  }
  const count = shapeSize(dims);
  // Field values are miMATRIX elements of at least 8 bytes each; a struct
  // without fields has no data at all, so its element count gets a fixed cap.
  if (fields.length === 0 && count > MAX_FIELDLESS_ELEMENTS) {
    throw reader.error(
      `struct without fields of ${count} elements (at most ${MAX_FIELDLESS_ELEMENTS})`,
    );
  }
  if (count * fields.length * 8 > reader.remaining) {
    throw reader.error(
      `struct ${dims.join("x")} with ${fields.length} fields needs ${
        count * fields.length
      } elements, only ${reader.remaining} bytes left`,
    );
  }
  const elements = new Array<Map<string, MatArray>>(count);
  for (let i = 0; i < count; i++) {
    const record = new Map<string, MatArray>();
    for (const field of fields) {
      const element = reader.expect([MI.MATRIX], `field '${field}'`);
      const path = `${context.path}(${i + 1}).${field}`;
      record.set(
        field,
        parseArray(element.data, nested(reader, element.data, context, path)).array,
      );
    }
    elements[i] = record;
  }
  const data = new Array<Map<string, MatArray>>(count);
  reorder(elements, data, { shape: dims, direction: "toRowMajor" });
  return { class: "struct", shape: dims, fields, data };
}

/** The context of an array nested in the one `reader` reads, its payload being `data`. */
function nested(
  reader: ElementReader,
  data: Uint8Array,
  context: ArrayParseContext,
  path: string,
): ArrayParseContext {
  const base = context.base + data.byteOffset - reader.bytes.byteOffset;
  return { ...context, path, depth: context.depth + 1, base };
}

/** A NUL-terminated (or NUL-padded) name. */
function decodeName(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return latin1.decode(end < 0 ? bytes : bytes.subarray(0, end));
}
