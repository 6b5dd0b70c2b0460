/**
 * Builds MAT level 5 bytes by hand, independently of the library's writer, so
 * tests can produce what the writer never does: big-endian files, arrays
 * stored in a narrower type than their class, sparse arrays, bad sizes.
 *
 * @module
 */

import { concatBytes as concat } from "../../formats/decompress.ts";

/** One data element: a type code and its data bytes. */
export interface RawElement {
  /** `mi*` type code. */
  type: number;
  /** Data bytes (already in the file's byte order). */
  data: Uint8Array;
}

/** Encodes numbers as the given storage (`"u8"`, `"i16"`, `"u32"`, `"i32"`, `"f64"`, …) in one byte order. */
export function numbers(
  kind: "u8" | "i8" | "i16" | "u16" | "i32" | "u32" | "f32" | "f64",
  values: number[],
  le: boolean,
): Uint8Array {
  const size = { u8: 1, i8: 1, i16: 2, u16: 2, i32: 4, u32: 4, f32: 4, f64: 8 }[kind];
  const out = new Uint8Array(values.length * size);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => {
    const at = i * size;
    if (kind === "u8") view.setUint8(at, v);
    else if (kind === "i8") view.setInt8(at, v);
    else if (kind === "i16") view.setInt16(at, v, le);
    else if (kind === "u16") view.setUint16(at, v, le);
    else if (kind === "i32") view.setInt32(at, v, le);
    else if (kind === "u32") view.setUint32(at, v, le);
    else if (kind === "f32") view.setFloat32(at, v, le);
    else view.setFloat64(at, v, le);
  });
  return out;
}

/** Serialises elements with 8-byte tags and padding (`small` uses the small form where it fits). */
export function elements(list: RawElement[], le: boolean, small = true): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const { type, data } of list) {
    const tag = new Uint8Array(8);
    const view = new DataView(tag.buffer);
    if (small && data.length > 0 && data.length <= 4) {
      view.setUint32(0, (data.length << 16) | type, le);
      tag.set(data, 4);
      parts.push(tag);
      continue;
    }
    view.setUint32(0, type, le);
    view.setUint32(4, data.length, le);
    parts.push(tag, data, new Uint8Array((8 - (data.length % 8)) % 8));
  }
  return concat(parts);
}

/** An miMATRIX element: flags (class code and flag bits), dims, name, then `body` elements. */
export function matrix(
  spec: { classCode: number; flags?: number; dims: number[]; name: string; body: RawElement[] },
  le: boolean,
): Uint8Array {
  const flags = numbers("u32", [spec.classCode | ((spec.flags ?? 0) << 8), 0], le);
  const content = elements([
    { type: 6, data: flags },
    { type: 5, data: numbers("i32", spec.dims, le) },
    { type: 1, data: new TextEncoder().encode(spec.name) },
    ...spec.body,
  ], le);
  return elements([{ type: 14, data: content }], le, false);
}

/** A whole file: 128-byte header in the given byte order, then the elements. */
export function matFile(elementBytes: Uint8Array[], le: boolean): Uint8Array {
  const header = new Uint8Array(128).fill(0x20, 0, 116);
  header.set(new TextEncoder().encode("MATLAB 5.0 MAT-file, hand-built for tests"));
  header.fill(0, 116, 124);
  new DataView(header.buffer).setUint16(124, 0x0100, le);
  header.set(new TextEncoder().encode(le ? "IM" : "MI"), 126);
  return concat([header, ...elementBytes]);
}
