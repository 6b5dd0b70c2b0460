/**
 * Encoding of tensors into the safetensors format, laid out exactly as the
 * reference (Rust/Python) implementation writes it: tensors sorted by
 * descending dtype alignment, then by name; no gaps between them; the compact
 * JSON header (keys `dtype`, `shape`, `data_offsets`, `__metadata__` first)
 * padded with spaces to a multiple of 8 bytes; data little-endian, row-major.
 *
 * @module
 */

import { DTypeError, InklingError, ShapeError } from "../../autograd/errors.ts";
import { byteSize, type DTypeInfo, lookupDType, type SafetensorsTensor } from "./dtypes.ts";
import { MAX_HEADER_BYTES } from "./header.ts";
import { describe, formatShape, quote } from "./messages.ts";

/** Options of {@linkcode encodeSafetensors}. */
export interface EncodeOptions {
  /** Free-form strings stored under `__metadata__` (written, sorted by key, when given). */
  metadata?: Record<string, string>;
}

interface PreparedTensor {
  name: string;
  dtype: DTypeInfo;
  shape: readonly number[];
  bytes: Uint8Array;
}

/**
 * Encodes `tensors` as a safetensors file. Each tensor's `data` must be the
 * typed array of its dtype (see {@linkcode SafetensorsArrays}; F16 and BF16 as
 * raw bits in a `Uint16Array`) with exactly as many elements as its shape
 * holds. A bad dtype or array type throws {@linkcode DTypeError}, a bad shape
 * {@linkcode ShapeError}, a bad name or metadata {@linkcode InklingError}.
 * The output is byte-identical to what the reference implementation writes
 * for the same tensors and metadata.
 */
export function encodeSafetensors(
  tensors: Record<string, SafetensorsTensor>,
  options: EncodeOptions = {},
): Uint8Array {
  const prepared = Object.keys(tensors).map((name) => prepareTensor(name, tensors[name]));
  prepared.sort((a, b) => b.dtype.rank - a.dtype.rank || compareCodePoints(a.name, b.name));

  const members: string[] = [];
  if (options.metadata !== undefined) {
    members.push(`"__metadata__":${metadataJson(options.metadata)}`);
  }
  let offset = 0;
  for (const { name, dtype, shape, bytes } of prepared) {
    const end = offset + bytes.length;
    members.push(
      `${JSON.stringify(name)}:{"dtype":"${dtype.name}","shape":[${shape.join(",")}],` +
        `"data_offsets":[${offset},${end}]}`,
    );
    offset = end;
  }
  const json = new TextEncoder().encode(`{${members.join(",")}}`);
  // Padding the header to a multiple of 8 aligns the byte buffer, so readers
  // can view any dtype in place.
  const headerLength = Math.ceil(json.length / 8) * 8;
  if (headerLength > MAX_HEADER_BYTES) {
    throw new InklingError(
      `safetensors header would be ${headerLength} bytes, more than the ${MAX_HEADER_BYTES} readers accept`,
    );
  }
  const out = new Uint8Array(8 + headerLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);
  let at = 8 + headerLength;
  for (const { bytes } of prepared) {
    out.set(bytes, at);
    at += bytes.length;
  }
  return out;
}

function prepareTensor(name: string, tensor: SafetensorsTensor): PreparedTensor {
  const where = `tensor ${quote(name)}`;
  checkText(name, where);
  if (name === "__metadata__") {
    throw new InklingError(`${where}: the name is reserved for metadata`);
  }
  if (typeof tensor !== "object" || tensor === null) {
    throw new InklingError(`${where}: expected { dtype, shape, data }, got ${describe(tensor)}`);
  }
  const dtype = typeof tensor.dtype === "string" ? lookupDType(tensor.dtype) : undefined;
  if (dtype === undefined) {
    throw new DTypeError(`${where}: unknown dtype ${describe(tensor.dtype)}`);
  }
  const { shape, data } = tensor;
  if (!(data instanceof dtype.array)) {
    throw new DTypeError(
      `${where}: ${dtype.name} data must be a ${dtype.array.name}, got ${describe(data)}`,
    );
  }
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new ShapeError(
      `${where}: shape must be an array of non-negative integers, got ${
        Array.isArray(shape) ? `[${shape.join(", ")}]` : describe(shape)
      }`,
    );
  }
  const needed = byteSize(dtype, shape);
  if (needed !== data.byteLength) {
    const elements = Number.isFinite(needed) ? `${needed / dtype.itemSize}` : "more than 2^53";
    throw new ShapeError(
      `${where}: shape ${
        formatShape(shape)
      } has ${elements} elements but data holds ${data.length}`,
    );
  }
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (dtype.name === "BOOL") {
    const bad = bytes.findIndex((byte) => byte > 1);
    if (bad >= 0) {
      throw new InklingError(`${where}: BOOL element ${bad} is ${bytes[bad]}, not 0 or 1`);
    }
  }
  return { name, dtype, shape: [...shape], bytes };
}

function metadataJson(metadata: Record<string, string>): string {
  if (typeof metadata !== "object" || metadata === null) {
    throw new InklingError(`metadata must be an object of strings, got ${describe(metadata)}`);
  }
  const keys = Object.keys(metadata).sort(compareCodePoints);
  const members = keys.map((key) => {
    const value = metadata[key];
    checkText(key, `metadata key ${quote(key)}`);
    if (typeof value !== "string") {
      throw new InklingError(`metadata ${quote(key)} must be a string, got ${describe(value)}`);
    }
    checkText(value, `metadata ${quote(key)}`);
    return `${JSON.stringify(key)}:${JSON.stringify(value)}`;
  });
  return `{${members.join(",")}}`;
}

/** Rejects strings UTF-8 cannot hold (lone surrogates would silently become U+FFFD). */
function checkText(text: string, where: string): void {
  if (!text.isWellFormed()) throw new InklingError(`${where}: contains a lone surrogate`);
}

/**
 * Orders strings by code point, as Rust orders the UTF-8 bytes of names.
 * (JavaScript's `<` compares UTF-16 units, which puts astral characters before
 * U+E000–U+FFFF.)
 */
function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

/** Maps a UTF-16 unit so surrogates sort after U+E000–U+FFFF. */
function codePointRank(unit: number): number {
  if (unit < 0xd800) return unit;
  return unit < 0xe000 ? unit + 0x2000 : unit - 0x800;
}
