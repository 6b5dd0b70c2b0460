/**
 * Reading a JPEG scan's entropy-coded bits: byte stuffing (`FF 00` is a data
 * byte `FF`) is undone, and the reader stops in front of any marker. Past a
 * marker or the end of the file it feeds zero bits, as libjpeg does, but
 * counts them: a scan that needed any of them was cut short, which
 * {@linkcode BitReader.overrun} reports instead of decoding invented data.
 *
 * @module
 */

import { FormatError } from "../../autograd/errors.ts";

/** Reads bits, most significant first, from the entropy-coded data at `start`. */
export class BitReader {
  #bytes: Uint8Array;
  /** Index of the next byte to load. */
  #position: number;
  /** Up to 32 bits; the low `#count` of them are not yet read. */
  #buffer = 0;
  #count = 0;
  /** How many of the unread bits are zeros fed past a marker or the file's end. */
  #padding = 0;

  /** A reader of `bytes` from index `start`. */
  constructor(bytes: Uint8Array, start: number) {
    this.#bytes = bytes;
    this.#position = start;
  }

  /** Loads bytes until more than 24 bits are buffered. */
  #fill(): void {
    const bytes = this.#bytes;
    while (this.#count <= 24) {
      let byte = 0;
      const at = this.#position;
      if (at < bytes.length && (bytes[at] !== 0xff || bytes[at + 1] === 0)) {
        byte = bytes[at];
        this.#position = byte === 0xff ? at + 2 : at + 1;
      } else {
        this.#padding += 8;
      }
      this.#buffer = (this.#buffer << 8) | byte;
      this.#count += 8;
    }
  }

  /** The next 16 bits without reading them (zeros past the data). */
  peek16(): number {
    if (this.#count < 16) this.#fill();
    return (this.#buffer >>> (this.#count - 16)) & 0xffff;
  }

  /** Marks `n` bits (at most the 16 just peeked) as read. */
  skip(n: number): void {
    this.#count -= n;
  }

  /** The next `n` bits (0 ≤ n ≤ 16) as an unsigned number. */
  bits(n: number): number {
    if (this.#count < n) this.#fill();
    this.#count -= n;
    return (this.#buffer >>> this.#count) & ((1 << n) - 1);
  }

  /**
   * The next `n` bits as a signed coefficient (JPEG's EXTEND: codes below
   * 2^(n−1) are negative), 0 for `n` = 0.
   */
  signed(n: number): number {
    if (n === 0) return 0;
    const v = this.bits(n);
    return v < 1 << (n - 1) ? v - (1 << n) + 1 : v;
  }

  /** True when more bits were read than the data holds before its next marker. */
  get overrun(): boolean {
    return this.#count < this.#padding;
  }

  /**
   * Drops the bits left of the current interval and steps over the restart
   * marker that must come next (any garbage before it is skipped, as libjpeg
   * does); `name` labels the error when another marker or the end comes first.
   */
  restart(name: string): void {
    this.#buffer = 0;
    this.#count = 0;
    this.#padding = 0;
    const bytes = this.#bytes;
    let at = this.#position;
    while (at + 1 < bytes.length && !(bytes[at] === 0xff && isMarker(bytes[at + 1]))) at++;
    if (at + 1 >= bytes.length || bytes[at + 1] < 0xd0 || bytes[at + 1] > 0xd7) {
      const found = at + 1 < bytes.length
        ? `marker FF${hex(bytes[at + 1])}`
        : "the end of the file";
      throw new FormatError(`${name}: JPEG restart marker expected at byte ${at}, found ${found}`);
    }
    this.#position = at + 2;
  }
}

/** A byte after FF that makes a marker: not a stuffed 00 nor a fill byte FF. */
export function isMarker(byte: number): boolean {
  return byte !== 0 && byte !== 0xff;
}

/** `byte` as two upper-case hex digits. */
export function hex(byte: number): string {
  return byte.toString(16).toUpperCase().padStart(2, "0");
}
