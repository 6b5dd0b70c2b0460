/**
 * Decoding one sequential (baseline or extended Huffman) scan for its
 * luminance only: every block is Huffman-decoded, because the bits of the
 * next block start where this one's end, but only luminance blocks keep
 * their coefficients and go through the (reduced) inverse DCT; chroma
 * blocks' values are skipped bit-wise without being dequantised or stored.
 * Restart markers reset the DC predictions every `restartInterval` MCUs.
 *
 * @module
 */

import { FormatError } from "../../autograd/errors.ts";
import { BitReader } from "./bit_reader.ts";
import { type HuffmanTable, readSymbol } from "./huffman.ts";
import type { BlockShape, ReducedIdct } from "./reduced_idct.ts";
import { type Frame, type ScanComponent, ZIGZAG } from "./segments.ts";

/** Where a scan's luminance goes: the decoded plane, padded to whole blocks. */
export interface LumaPlane {
  /** Samples, `stride` per row (clamped: stores round and saturate). */
  grey: Uint8ClampedArray;
  /** Samples per row. */
  stride: number;
  /** The transform to the plane's scale. */
  idct: ReducedIdct;
  /** Dequantisation factors of the luminance, natural order. */
  quant: Uint16Array;
}

/** The tables and settings a scan is decoded with. */
export interface ScanContext {
  /** The frame the scan belongs to. */
  frame: Frame;
  /** Huffman tables by slot: `dc[slot]`, `ac[slot]`. */
  dc: (HuffmanTable | undefined)[];
  /** AC tables by slot. */
  ac: (HuffmanTable | undefined)[];
  /** MCUs between restart markers (0: none). */
  restartInterval: number;
  /** Where luminance blocks are written (component 0 of the frame). */
  luma: LumaPlane;
  /** The file's name for errors. */
  name: string;
}

/**
 * Decodes the scan whose entropy-coded data starts at `start` into
 * `context.luma`.
 */
export function decodeScan(
  bytes: Uint8Array,
  { start, components }: { start: number; components: ScanComponent[] },
  context: ScanContext,
): void {
  const { frame, name, luma, restartInterval } = context;
  const tables = components.map(({ index, dcSlot, acSlot }) => {
    const dc = context.dc[dcSlot];
    const ac = context.ac[acSlot];
    if (dc === undefined || ac === undefined) {
      throw new FormatError(`${name}: JPEG scan uses a Huffman table that was never defined`);
    }
    return { index, dc, ac, ...frame.components[index] };
  });
  const hMax = Math.max(...frame.components.map((c) => c.h));
  const vMax = Math.max(...frame.components.map((c) => c.v));
  // One component alone is coded block by block over its own size, not in MCUs.
  const alone = tables.length === 1;
  const mcuWidth = alone ? 8 * hMax / tables[0].h : 8 * hMax;
  const mcuHeight = alone ? 8 * vMax / tables[0].v : 8 * vMax;
  const mcusX = Math.ceil(frame.width / mcuWidth);
  const mcusY = Math.ceil(frame.height / mcuHeight);
  const blocks = new BlockReader(new BitReader(bytes, start), name);
  const predictions = new Int32Array(tables.length);
  const target = { out: luma.grey, offset: 0, stride: luma.stride };
  const side = luma.idct.side;
  for (let mcu = 0; mcu < mcusX * mcusY; mcu++) {
    if (restartInterval > 0 && mcu > 0 && mcu % restartInterval === 0) {
      blocks.reader.restart(name);
      predictions.fill(0);
    }
    const mx = mcu % mcusX;
    const my = (mcu - mx) / mcusX;
    for (let c = 0; c < tables.length; c++) {
      const coding = tables[c];
      const across = alone ? 1 : coding.h;
      const down = alone ? 1 : coding.v;
      for (let by = 0; by < down; by++) {
        for (let bx = 0; bx < across; bx++) {
          if (coding.index !== 0) {
            blocks.skip(coding);
            continue;
          }
          target.offset = ((my * down + by) * luma.stride + mx * across + bx) * side;
          if (side === 1) {
            // A 1 × 1 block is its DC coefficient's mean alone.
            predictions[c] += blocks.skip(coding);
            luma.grey[target.offset] = predictions[c] * luma.quant[0] / 8 + 128;
            continue;
          }
          predictions[c] += blocks.read(coding, luma.quant);
          blocks.block[0] = predictions[c] * luma.quant[0];
          luma.idct.transform(blocks.block, blocks.shape, target);
          blocks.clear();
        }
      }
    }
    if (blocks.reader.overrun) {
      throw new FormatError(
        `${name}: JPEG scan data ends early (after ${mcu} of ${mcusX * mcusY} MCUs)`,
      );
    }
  }
}

/** A component's Huffman tables. */
interface Coding {
  /** DC table. */
  dc: HuffmanTable;
  /** AC table. */
  ac: HuffmanTable;
}

/** Reads blocks' coefficients, one block at a time, into one reused buffer. */
class BlockReader {
  /** The bits of the scan. */
  readonly reader: BitReader;
  /** The last block read, dequantised, natural order (position 0 is the caller's). */
  readonly block: Float32Array = new Float32Array(64);
  /** Where the last block's values are. */
  readonly shape: BlockShape = { rowMask: 0, lastColumn: 0 };
  #name: string;

  /** A reader of blocks from `reader`; `name` labels errors. */
  constructor(reader: BitReader, name: string) {
    this.reader = reader;
    this.#name = name;
  }

  /**
   * A DC difference: its size category (at most 11 bits for 8-bit samples),
   * then that many bits.
   */
  #dcDifference(table: HuffmanTable): number {
    const size = readSymbol(this.reader, table, this.#name);
    if (size > 11) throw new FormatError(`${this.#name}: JPEG DC difference of ${size} bits`);
    return this.reader.signed(size);
  }

  /**
   * Reads one block's AC coefficients into `block`, dequantised by `quant`,
   * records their extent in `shape`, and returns the DC difference, which
   * the caller adds to its prediction.
   */
  read({ dc, ac }: Coding, quant: Uint16Array): number {
    const { reader, block } = this;
    const difference = this.#dcDifference(dc);
    const fastAc = ac.fastAc;
    let rowMask = 1;
    let lastColumn = 0;
    for (let k = 1; k < 64;) {
      let value: number;
      const fast = fastAc[reader.peek16() >>> 7];
      if (fast !== 0) {
        reader.skip(fast & 15);
        k += (fast >> 4) & 15;
        value = fast >> 8;
      } else {
        const symbol = readSymbol(reader, ac, this.#name);
        const size = symbol & 15;
        if (size === 0) {
          if (symbol !== 0xf0) break; // end of block; F0 is a run of 16 zeros
          k += 16;
          continue;
        }
        k += symbol >> 4;
        value = reader.signed(size);
      }
      if (k > 63) throw new FormatError(`${this.#name}: JPEG block has coefficients past its 64th`);
      const at = ZIGZAG[k];
      block[at] = value * quant[at];
      rowMask |= 1 << (at >> 3);
      if ((at & 7) > lastColumn) lastColumn = at & 7;
      k++;
    }
    this.shape.rowMask = rowMask;
    this.shape.lastColumn = lastColumn;
    return difference;
  }

  /** Reads past one block without keeping its values; returns its DC difference. */
  skip({ dc, ac }: Coding): number {
    const reader = this.reader;
    const difference = this.#dcDifference(dc);
    const fastAc = ac.fastAc;
    for (let k = 1; k < 64;) {
      const fast = fastAc[reader.peek16() >>> 7];
      if (fast !== 0) {
        reader.skip(fast & 15);
        k += ((fast >> 4) & 15) + 1;
        continue;
      }
      const symbol = readSymbol(reader, ac, this.#name);
      const size = symbol & 15;
      if (size === 0) {
        if (symbol !== 0xf0) break;
        k += 16;
        continue;
      }
      reader.bits(size);
      k += (symbol >> 4) + 1;
    }
    return difference;
  }

  /** Zeroes the coefficients the last {@linkcode BlockReader.read} set. */
  clear(): void {
    const { block, shape: { rowMask, lastColumn } } = this;
    for (let u = 0; u < 8; u++) {
      if (!(rowMask & (1 << u))) continue;
      for (let v = 0; v <= lastColumn; v++) block[u * 8 + v] = 0;
    }
  }
}
