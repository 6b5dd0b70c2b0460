/**
 * Reads and validates the header of a safetensors file: the 8-byte length
 * prefix, the UTF-8 JSON header and the layout of the tensors in the byte
 * buffer. Every size the header claims is checked against the byte length of
 * the file before any tensor data is touched, so a corrupt or hostile header
 * can never make the reader allocate memory it merely claims to need; values
 * the reader does not use are skipped without being built.
 *
 * @module
 */

import { byteSize, DTYPE_NAMES, type DTypeInfo, lookupDType } from "./dtypes.ts";
import { JsonReader } from "./json_reader.ts";
import { excerpt, formatShape, quote } from "./messages.ts";

/** Largest header accepted, as in the reference implementation. */
export const MAX_HEADER_BYTES = 100_000_000;

/** One validated tensor entry of the header. */
export interface TensorEntry {
  /** Tensor name. */
  readonly name: string;
  /** Element type. */
  readonly dtype: DTypeInfo;
  /** Shape, each dimension a non-negative safe integer. */
  readonly shape: number[];
  /** First byte of the tensor, relative to the start of the byte buffer. */
  readonly begin: number;
  /** One past the last byte, relative to the start of the byte buffer. */
  readonly end: number;
}

/** A validated header: where the byte buffer starts and what it holds. */
export interface ParsedHeader {
  /** Offset of the byte buffer in the file (8 + header length). */
  readonly dataStart: number;
  /** The tensors, ordered by their position in the byte buffer. */
  readonly entries: TensorEntry[];
  /** The `__metadata__` map (empty when the file has none), keys in file order. */
  readonly metadata: Map<string, string>;
}

/** Builds the error to throw from a description of what is wrong. */
export type Fail = (message: string) => Error;

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Parses and validates the header of the safetensors file `bytes`, including
 * that the tensors tile the byte buffer exactly (no overlap, no gap, nothing
 * left over). Every problem throws the error built by `fail`.
 */
export function parseHeader(bytes: Uint8Array, fail: Fail): ParsedHeader {
  if (bytes.length < 8) {
    throw fail(`file is ${bytes.length} bytes, shorter than the 8-byte header length prefix`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, 8);
  const headerLength = view.getBigUint64(0, true);
  if (headerLength > BigInt(MAX_HEADER_BYTES)) {
    throw fail(`header length ${headerLength} is more than the ${MAX_HEADER_BYTES} bytes allowed`);
  }
  const dataStart = 8 + Number(headerLength);
  if (dataStart > bytes.length) {
    throw fail(
      `header length ${headerLength} runs past the end of the file (${bytes.length} bytes)`,
    );
  }
  let text: string;
  try {
    text = utf8.decode(bytes.subarray(8, dataStart));
  } catch {
    throw fail("header is not valid UTF-8");
  }
  const bufferLength = bytes.length - dataStart;
  const reader = new JsonReader(text, {
    fail: (problem) => fail(`header is not valid JSON: ${problem}`),
  });
  if (reader.peek() !== "object") {
    throw fail(`header must be a JSON object, got ${excerpt(reader.rawValue())}`);
  }
  const entries: TensorEntry[] = [];
  let metadata = new Map<string, string>();
  reader.beginObject();
  for (let name = reader.nextKey(); name !== undefined; name = reader.nextKey()) {
    if (name === "__metadata__") metadata = readMetadata(reader, fail);
    else entries.push(readEntry(reader, name, bufferLength, fail));
  }
  reader.expectEnd();
  checkTiling(entries, bufferLength, fail);
  return { dataStart, entries, metadata };
}

function readMetadata(reader: JsonReader, fail: Fail): Map<string, string> {
  const metadata = new Map<string, string>();
  if (reader.peek() !== "object") {
    const raw = reader.rawValue();
    if (raw === "null") return metadata; // the reference reads null as "no metadata"
    throw fail(`"__metadata__" must be an object of strings, got ${excerpt(raw)}`);
  }
  reader.beginObject();
  for (let key = reader.nextKey(); key !== undefined; key = reader.nextKey()) {
    if (reader.peek() !== "string") {
      throw fail(
        `"__metadata__" value of ${quote(key)} must be a string, got ${excerpt(reader.rawValue())}`,
      );
    }
    metadata.set(key, reader.readString());
  }
  return metadata;
}

function readEntry(
  reader: JsonReader,
  name: string,
  bufferLength: number,
  fail: Fail,
): TensorEntry {
  const where = `tensor ${quote(name)}`;
  if (reader.peek() !== "object") {
    throw fail(
      `${where}: expected an object with dtype, shape and data_offsets, got ${
        excerpt(reader.rawValue())
      }`,
    );
  }
  let dtype: DTypeInfo | undefined;
  let shape: number[] | undefined;
  let offsets: number[] | undefined;
  reader.beginObject();
  for (let key = reader.nextKey(); key !== undefined; key = reader.nextKey()) {
    if (key === "dtype") dtype = readDType(reader, where, fail);
    else if (key === "shape") shape = readIntegers(reader, `${where}: shape`, fail);
    else if (key === "data_offsets") offsets = readIntegers(reader, `${where}: data_offsets`, fail);
    else reader.skipValue(); // other fields are ignored, as by the reference
  }
  if (dtype === undefined || shape === undefined || offsets === undefined) {
    const missing = Object.entries({ dtype, shape, data_offsets: offsets })
      .filter(([, value]) => value === undefined)
      .map(([key]) => key);
    throw fail(`${where}: missing ${missing.join(", ")}`);
  }
  if (offsets.length !== 2) {
    throw fail(`${where}: data_offsets must be [begin, end], got [${offsets.join(", ")}]`);
  }
  const [begin, end] = offsets;
  const shown = `data_offsets [${begin}, ${end}]`;
  if (begin > end) throw fail(`${where}: ${shown} end before they begin`);
  if (end > bufferLength) {
    throw fail(`${where}: ${shown} run past the end of the ${bufferLength}-byte data buffer`);
  }
  const needed = byteSize(dtype, shape);
  if (end - begin !== needed) {
    const amount = Number.isFinite(needed) ? `${needed}` : "more than 2^53";
    throw fail(
      `${where}: ${shown} hold ${end - begin} bytes but ${dtype.name} ${
        formatShape(shape)
      } needs ${amount}`,
    );
  }
  return { name, dtype, shape, begin, end };
}

function readDType(reader: JsonReader, where: string, fail: Fail): DTypeInfo {
  if (reader.peek() !== "string") {
    throw fail(`${where}: dtype must be a string, got ${excerpt(reader.rawValue())}`);
  }
  const name = reader.readString();
  const dtype = lookupDType(name);
  if (dtype === undefined) {
    throw fail(`${where}: unknown dtype ${quote(name)} (supported: ${DTYPE_NAMES.join(", ")})`);
  }
  return dtype;
}

/** Reads an array of non-negative safe integers written in integer syntax. */
function readIntegers(reader: JsonReader, what: string, fail: Fail): number[] {
  if (reader.peek() !== "array") {
    throw fail(`${what} must be an array, got ${excerpt(reader.rawValue())}`);
  }
  const values: number[] = [];
  reader.beginArray();
  while (reader.nextItem()) {
    const raw = reader.peek() === "number" ? reader.readNumberText() : reader.rawValue();
    // Integer syntax only, as the reference (serde) reads these fields: no
    // "2.0", no "1e9". "-0" is an integer literal for zero.
    const value = /^-?\d+$/.test(raw) ? Number(raw) + 0 : NaN;
    if (!(value >= 0 && Number.isSafeInteger(value))) {
      throw fail(
        `${what}[${values.length}] must be a non-negative integer below 2^53, got ${excerpt(raw)}`,
      );
    }
    values.push(value);
  }
  return values;
}

/** Checks that the tensors cover the byte buffer exactly, and sorts them by position. */
function checkTiling(entries: TensorEntry[], bufferLength: number, fail: Fail): void {
  // Empty tensors sharing an offset are allowed (as in the reference); the name
  // breaks ties so the order never depends on the header's key order.
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end || (a.name < b.name ? -1 : 1));
  let previous: TensorEntry | undefined;
  for (const entry of entries) {
    const covered = previous?.end ?? 0;
    const shown = `tensor ${quote(entry.name)} (data_offsets [${entry.begin}, ${entry.end}])`;
    if (previous !== undefined && entry.begin < covered) {
      throw fail(
        `${shown} overlaps tensor ${
          quote(previous.name)
        } (data_offsets [${previous.begin}, ${covered}])`,
      );
    }
    if (entry.begin > covered) {
      throw fail(`${entry.begin - covered}-byte gap in the data buffer before ${shown}`);
    }
    previous = entry;
  }
  const covered = previous?.end ?? 0;
  if (covered !== bufferLength) {
    throw fail(
      `data buffer holds ${bufferLength} bytes but the tensors cover only the first ${covered}`,
    );
  }
}
