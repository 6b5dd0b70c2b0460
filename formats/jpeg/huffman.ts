/**
 * JPEG Huffman tables (DHT segments): each is checked as it is read, then
 * turned into lookups in the manner of stb_image: codes of up to 9 bits (all
 * but the rarest symbols) decode with one read of a 512-entry table, small
 * enough to stay in cache, and AC codes short enough bring their coefficient
 * value with them.
 *
 * @module
 */

import { FormatError } from "../../autograd/errors.ts";
import type { BitReader } from "./bit_reader.ts";

/** Bits looked up at once: codes up to this long decode with one table read. */
const FAST_BITS = 9;

/**
 * A decoding table. `fast[next 9 bits]` is `(length << 8) | symbol` when the
 * bits start with a code of at most 9 bits, else 0; longer codes are found
 * by length (JPEG Annex F.2.2.3): a code of length l is the symbol
 * `symbols[code + offset[l]]` when it is at most `maxCode[l]`. For AC tables
 * `fastAc` goes one step further: for a code and value bits that fit in 9
 * bits together, `value · 256 + run · 16 + bits used`, else 0.
 */
export interface HuffmanTable {
  /** One-read lookup of short codes. */
  fast: Uint16Array;
  /** Largest code of each length 1–16 (−1 when there is none). */
  maxCode: Int32Array;
  /** Index of a length's first code in `symbols`, minus that code. */
  offset: Int32Array;
  /** The symbols in code order. */
  symbols: Uint8Array;
  /** Short AC codes with their coefficient value (see above). */
  fastAc: Int32Array;
}

/** The tables a DHT segment defines, by class (0 DC, 1 AC) and slot (0–3). */
export interface HuffmanDefinition {
  /** 0 for a DC table, 1 for an AC table. */
  tableClass: number;
  /** Slot 0–3 the scans refer to it by. */
  slot: number;
  /** The lookup. */
  table: HuffmanTable;
}

/**
 * The tables of the DHT segment whose payload is `bytes[start..end)`. A
 * wrong class or slot, counts running past the segment, more codes of a
 * length than fit (an over-subscribed code) or bytes left over are
 * {@linkcode FormatError}s naming `name`.
 */
export function readHuffmanTables(
  bytes: Uint8Array,
  { start, end, name }: { start: number; end: number; name: string },
): HuffmanDefinition[] {
  const tables: HuffmanDefinition[] = [];
  let at = start;
  while (at < end) {
    const tableClass = bytes[at] >> 4;
    const slot = bytes[at] & 15;
    if (tableClass > 1 || slot > 3) {
      throw new FormatError(`${name}: JPEG Huffman table with class ${tableClass}, slot ${slot}`);
    }
    if (at + 17 > end) throw new FormatError(`${name}: JPEG Huffman table cut short`);
    const counts = bytes.subarray(at + 1, at + 17);
    const total = counts.reduce((sum, n) => sum + n, 0);
    if (total > 256 || at + 17 + total > end) {
      throw new FormatError(
        `${name}: JPEG Huffman table of ${total} symbols does not fit its segment`,
      );
    }
    const symbols = bytes.slice(at + 17, at + 17 + total);
    tables.push({ tableClass, slot, table: buildTable(counts, symbols, name) });
    at += 17 + total;
  }
  return tables;
}

/** The lookups of the canonical code with `counts[l - 1]` codes of each length l (Annex C). */
function buildTable(counts: Uint8Array, symbols: Uint8Array, name: string): HuffmanTable {
  const fast = new Uint16Array(1 << FAST_BITS);
  const fastAc = new Int32Array(1 << FAST_BITS);
  const maxCode = new Int32Array(17).fill(-1);
  const offset = new Int32Array(17);
  let code = 0;
  let k = 0;
  for (let length = 1; length <= 16; length++) {
    offset[length] = k - code;
    for (let i = 0; i < counts[length - 1]; i++, k++, code++) {
      if (code >= 1 << length) {
        throw new FormatError(`${name}: JPEG Huffman table has more codes than fit in 16 bits`);
      }
      if (length <= FAST_BITS) {
        const span = 1 << (FAST_BITS - length);
        fast.fill((length << 8) | symbols[k], code * span, (code + 1) * span);
        fillFastAc(fastAc, { code, length, symbol: symbols[k] });
      }
    }
    if (counts[length - 1] > 0) maxCode[length] = code - 1;
    code <<= 1;
  }
  return { fast, maxCode, offset, symbols, fastAc };
}

/** The `fastAc` entries of one short code whose value bits fit in the 9 looked up. */
function fillFastAc(
  fastAc: Int32Array,
  { code, length, symbol }: { code: number; length: number; symbol: number },
): void {
  const size = symbol & 15;
  const used = length + size;
  if (size === 0 || used > FAST_BITS) return;
  for (let bits = 0; bits < 1 << size; bits++) {
    const value = bits < 1 << (size - 1) ? bits - (1 << size) + 1 : bits;
    const first = ((code << size) | bits) << (FAST_BITS - used);
    fastAc.fill(value * 256 + (symbol >> 4) * 16 + used, first, first + (1 << (FAST_BITS - used)));
  }
}

/** Reads one symbol coded with `table`; `name` labels the error for a code the table lacks. */
export function readSymbol(reader: BitReader, table: HuffmanTable, name: string): number {
  const window = reader.peek16();
  const entry = table.fast[window >>> (16 - FAST_BITS)];
  if (entry !== 0) {
    reader.skip(entry >> 8);
    return entry & 255;
  }
  let length = FAST_BITS + 1;
  while (length <= 16 && (window >>> (16 - length)) > table.maxCode[length]) length++;
  if (length > 16) throw new FormatError(`${name}: JPEG scan holds a code its Huffman table lacks`);
  reader.skip(length);
  return table.symbols[(window >>> (16 - length)) + table.offset[length]];
}
