/**
 * The byte mutations every fuzz target shares: random bytes, truncation,
 * inserted junk, huge 32-bit numbers, huge MAT/IDX dimensions, copied
 * chunks, splices with another seed, dictionary tokens and hostile decimal
 * numbers for text formats. {@linkcode mutate} applies one (a quarter of the
 * time two) and names what it did, so a failing case says how it was made.
 *
 * @module
 */

import type { Rng } from "../../autograd/rng.ts";
import { concatBytes } from "../../formats/decompress.ts";

/** What a mutation may draw on besides the bytes it changes. */
export interface MutationContext {
  /** Tokens of the format (keywords, magic numbers, hostile lines) to insert or overwrite with. */
  dictionary?: readonly Uint8Array[];
  /** The other seeds, for splices. */
  others?: readonly Uint8Array[];
}

/** One way of damaging an input; returns a new array (the input is never changed). */
export type Mutation = (bytes: Uint8Array, rng: Rng, context: MutationContext) => Uint8Array;

/** A mutated input and the names of the mutations that made it. */
export interface Mutant {
  /** The bytes to feed the target. */
  bytes: Uint8Array;
  /** How they were made, e.g. `flip+truncate`. */
  how: string;
}

/** 32-bit values that sit at the edges of signed, unsigned and allocation limits. */
const HUGE = [0x7fffffff, 0xffffffff, 0x80000000, 0x10000000, 0x0000ffff];

/** Decimal spellings that break naive number parsing (sizes, counts, offsets in text formats). */
const HOSTILE_NUMBERS = [
  "0",
  "-1",
  "-0",
  "65536",
  "4294967296",
  "9007199254740993",
  "99999999999999999999",
  "1e308",
  "1e-320",
  "NaN",
  "Infinity",
  "0x10",
  "1.5",
  "",
];

/** The mutations by name. */
export const MUTATIONS: Record<string, Mutation> = {
  flip(bytes, rng) {
    const out = bytes.slice();
    for (let k = 1 + rng.int(8); k > 0 && out.length > 0; k--) {
      out[rng.int(out.length)] = rng.int(256);
    }
    return out;
  },
  truncate(bytes, rng) {
    return bytes.slice(0, rng.int(bytes.length));
  },
  insert(bytes, rng) {
    const at = rng.int(bytes.length + 1);
    const junk = Uint8Array.from({ length: 1 + rng.int(16) }, () => rng.int(256));
    return concatBytes([bytes.subarray(0, at), junk, bytes.subarray(at)]);
  },
  huge(bytes, rng) {
    const out = bytes.slice();
    if (out.length < 4) return out;
    const at = 4 * rng.int(Math.floor(out.length / 4));
    new DataView(out.buffer).setUint32(
      at,
      rng.next() < 0.8 ? HUGE[rng.int(HUGE.length)] : rng.nextUint32(),
      rng.next() < 0.5,
    );
    return out;
  },
  /** Sets a value of a (LE) miINT32 dims element or an IDX dimension to a huge number. */
  hugeDimension(bytes, rng, context) {
    const out = bytes.slice();
    const view = new DataView(out.buffer);
    const idx = out[0] === 0 && out[1] === 0;
    const spots: number[] = [];
    if (idx) { for (let d = 0; d < out[3] && 8 + 4 * d <= out.length; d++) spots.push(4 + 4 * d); }
    else {
      for (let at = 0; at + 16 <= out.length; at += 8) {
        if (view.getUint32(at, true) === 5 && view.getUint32(at + 4, true) % 4 === 0) {
          spots.push(at + 8);
        }
      }
    }
    if (spots.length === 0) return MUTATIONS.huge(bytes, rng, context);
    view.setUint32(spots[rng.int(spots.length)], HUGE[rng.int(HUGE.length)], !idx);
    return out;
  },
  /** Copies a chunk of the input to another place (repeated records, doubled headers). */
  duplicate(bytes, rng) {
    if (bytes.length === 0) return bytes.slice();
    const from = rng.int(bytes.length);
    const length = 1 + rng.int(Math.min(bytes.length - from, 1 << (2 + rng.int(9))));
    const chunk = bytes.subarray(from, from + length);
    const copies = rng.next() < 0.2 ? 2 + rng.int(30) : 1;
    const at = rng.int(bytes.length + 1);
    return concatBytes([
      bytes.subarray(0, at),
      ...Array.from({ length: copies }, () => chunk),
      bytes.subarray(at),
    ]);
  },
  /** The start of this input followed by the end of another seed. */
  splice(bytes, rng, context) {
    const others = context.others ?? [];
    if (others.length === 0) return MUTATIONS.flip(bytes, rng, context);
    const other = others[rng.int(others.length)];
    return concatBytes([
      bytes.subarray(0, rng.int(bytes.length + 1)),
      other.subarray(rng.int(other.length + 1)),
    ]);
  },
  /** Inserts a dictionary token, or writes it over the bytes at a random place. */
  token(bytes, rng, context) {
    const dictionary = context.dictionary ?? [];
    if (dictionary.length === 0) return MUTATIONS.insert(bytes, rng, context);
    const token = dictionary[rng.int(dictionary.length)];
    const at = rng.int(bytes.length + 1);
    const cut = rng.next() < 0.5 ? 0 : Math.min(token.length, bytes.length - at);
    return concatBytes([bytes.subarray(0, at), token, bytes.subarray(at + cut)]);
  },
  /** Replaces one run of decimal digits (a count, size or coordinate in text) by a hostile number. */
  number(bytes, rng, context) {
    const runs: [number, number][] = [];
    for (let i = 0; i < bytes.length; i++) {
      if (!isDigit(bytes[i])) continue;
      const start = i;
      while (i < bytes.length && isDigit(bytes[i])) i++;
      runs.push([start, i]);
    }
    if (runs.length === 0) return MUTATIONS.huge(bytes, rng, context);
    const [start, end] = runs[rng.int(runs.length)];
    const text = HOSTILE_NUMBERS[rng.int(HOSTILE_NUMBERS.length)];
    return concatBytes([bytes.subarray(0, start), latin1(text), bytes.subarray(end)]);
  },
};

/** Every mutation name, in a fixed order (a case's draws depend on it). */
export const MUTATION_NAMES: readonly string[] = Object.keys(MUTATIONS);

/** Applies one mutation, and a quarter of the time a second one on top. */
export function mutate(bytes: Uint8Array, rng: Rng, context: MutationContext = {}): Mutant {
  const first = MUTATION_NAMES[rng.int(MUTATION_NAMES.length)];
  let out = MUTATIONS[first](bytes, rng, context);
  let how = first;
  if (rng.next() < 0.25) {
    const second = MUTATION_NAMES[rng.int(MUTATION_NAMES.length)];
    out = MUTATIONS[second](out, rng, context);
    how += `+${second}`;
  }
  return { bytes: out, how };
}

/** The ASCII bytes of `text` (tokens and dictionaries are plain ASCII). */
export function latin1(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff);
}

/** One item of `items`, drawn from `rng`. */
export function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[rng.int(items.length)];
}

function isDigit(byte: number): boolean {
  return byte >= 48 && byte <= 57;
}
