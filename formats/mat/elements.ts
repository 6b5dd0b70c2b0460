/**
 * Data elements of a MAT level 5 file: an 8-byte tag (type, byte count) and
 * the data padded to 8 bytes, or the 8-byte "small element" form whose tag
 * packs the byte count (1-4) into the upper 16 bits of the type word and whose
 * data follows in the same 8 bytes. Every read is bounds-checked against the
 * enclosing buffer, so a corrupt tag becomes a {@linkcode FormatError}.
 *
 * @module
 */

import { FormatError } from "../../autograd/errors.ts";
import { storageName } from "./data_types.ts";

/** One data element: its type, its data bytes (a view) and where the next starts. */
export interface DataElement {
  /** `mi*` type code. */
  readonly type: number;
  /** The data, without tag or padding. */
  readonly data: Uint8Array;
  /** Offset of the tag within the buffer being read. */
  readonly offset: number;
  /** Offset just after this element (padding included, clamped to the buffer end). */
  readonly next: number;
  /** True for the 8-byte small element form. */
  readonly small: boolean;
}

/** Reads consecutive data elements from a byte buffer. */
export class ElementReader {
  /** The bytes being read. */
  readonly bytes: Uint8Array;
  /** Byte order of the file. */
  readonly littleEndian: boolean;
  /** Where the next element starts. */
  offset: number;
  /** Names the buffer in errors: the file, plus the variable once its name is known. */
  what: string;
  #view: DataView;
  #base: number;
  #within: string;

  /**
   * Reads `bytes` from `offset`; `what` names the buffer in errors (the file,
   * plus the variable when known). Errors give positions as `base` + offset,
   * followed by `within` (e.g. " of the decompressed variable").
   */
  constructor(
    bytes: Uint8Array,
    options: {
      littleEndian: boolean;
      what: string;
      offset?: number;
      base?: number;
      within?: string;
    },
  ) {
    this.bytes = bytes;
    this.littleEndian = options.littleEndian;
    this.offset = options.offset ?? 0;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    this.what = options.what;
    this.#base = options.base ?? 0;
    this.#within = options.within ?? "";
  }

  /** Bytes left after the current offset. */
  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  /** Reads the element at the current offset and moves past it (and its padding). */
  read(): DataElement {
    const element = this.peek();
    this.offset = element.next;
    return element;
  }

  /** Reads the element at the current offset without moving. */
  peek(): DataElement {
    const at = this.offset;
    if (this.bytes.length - at < 8) {
      throw this.error(
        `truncated: a data element tag needs 8 bytes, ${this.bytes.length - at} left`,
        at,
      );
    }
    const word = this.#view.getUint32(at, this.littleEndian);
    if (word >>> 16 !== 0) {
      const size = word >>> 16;
      const type = word & 0xffff;
      if (size > 4) {
        this.#fail(
          `small data element of ${storageName(type)} claims ${size} bytes (at most 4)`,
          at,
        );
      }
      return {
        type,
        data: this.bytes.subarray(at + 4, at + 4 + size),
        offset: at,
        next: at + 8,
        small: true,
      };
    }
    const size = this.#view.getUint32(at + 4, this.littleEndian);
    const start = at + 8;
    if (size > this.bytes.length - start) {
      this.#fail(
        `truncated: ${storageName(word)} element claims ${size} bytes, ${
          this.bytes.length - start
        } left`,
        at,
      );
    }
    const next = Math.min(start + size + ((8 - (size % 8)) % 8), this.bytes.length);
    return {
      type: word,
      data: this.bytes.subarray(start, start + size),
      offset: at,
      next,
      small: false,
    };
  }

  /** Reads an element and checks that its type is one of `types`; `role` names it in errors. */
  expect(types: readonly number[], role: string): DataElement {
    const element = this.read();
    if (!types.includes(element.type)) {
      this.#fail(
        `${role} should be ${types.map(storageName).join(" or ")}, found ${
          storageName(element.type)
        }`,
        element.offset,
      );
    }
    return element;
  }

  /** A {@linkcode FormatError} naming the buffer and the offset. */
  error(message: string, at: number = this.offset): FormatError {
    return new FormatError(`${this.what}: ${message} (at byte ${this.#base + at}${this.#within})`);
  }

  #fail(message: string, at: number): never {
    throw this.error(message, at);
  }
}
