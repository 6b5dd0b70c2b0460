/**
 * Exact-length reads from a byte stream: archive readers ask for "the next
 * 512 bytes" or "the next n bytes, piece by piece" and get a
 * {@linkcode FormatError} naming the archive when the stream ends early.
 *
 * @module
 */

import { FormatError } from "../../autograd/errors.ts";

/** Reads a `ReadableStream` of bytes in exact-length pieces. */
export class ByteReader {
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  #pending: Uint8Array = new Uint8Array(0);
  #offset = 0;
  #what: string;

  /** Wraps `stream`; `what` names it in error messages. */
  constructor(stream: ReadableStream<Uint8Array>, what: string) {
    this.#reader = stream.getReader();
    this.#what = what;
  }

  /** Bytes consumed so far. */
  get offset(): number {
    return this.#offset;
  }

  /**
   * The next `n` bytes, or `null` if the stream ended exactly here; a stream
   * ending inside the `n` bytes is a {@linkcode FormatError}.
   */
  async readExact(n: number): Promise<Uint8Array | null> {
    const out = new Uint8Array(n);
    let filled = 0;
    for await (const piece of this.pieces(n, { allowEmpty: true })) {
      out.set(piece, filled);
      filled += piece.length;
    }
    if (filled === 0 && n > 0) return null;
    return out;
  }

  /**
   * The next `n` bytes as they arrive (views valid until the next read).
   * Ending before `n` bytes is a {@linkcode FormatError}, unless
   * `allowEmpty` and the stream had already ended.
   */
  async *pieces(n: number, options: { allowEmpty?: boolean } = {}): AsyncGenerator<Uint8Array> {
    let left = n;
    while (left > 0) {
      if (this.#pending.length === 0) {
        const next = await this.#next();
        if (next === null) {
          if (options.allowEmpty && left === n) return;
          throw new FormatError(
            `${this.#what}: ends after ${this.#offset} bytes, inside a ${n}-byte record`,
          );
        }
        this.#pending = next;
      }
      const take = Math.min(left, this.#pending.length);
      const piece = this.#pending.subarray(0, take);
      this.#pending = this.#pending.subarray(take);
      this.#offset += take;
      left -= take;
      yield piece;
    }
  }

  /** Skips `n` bytes. */
  async skip(n: number): Promise<void> {
    for await (const _ of this.pieces(n));
  }

  /** Releases the stream (cancelling what is unread). */
  async close(): Promise<void> {
    await this.#reader.cancel().catch(() => {});
  }

  async #next(): Promise<Uint8Array | null> {
    try {
      const { done, value } = await this.#reader.read();
      return done ? null : value;
    } catch (error) {
      if (error instanceof FormatError) throw error;
      throw new FormatError(
        `${this.#what}: unreadable after ${this.#offset} bytes (${(error as Error).message})`,
      );
    }
  }
}
