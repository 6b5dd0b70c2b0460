/**
 * The JPEG marker segments a sequential decoder needs besides Huffman
 * tables: the frame header (SOF: size and each component's sampling), the
 * quantisation tables (DQT), the restart interval (DRI), Adobe's colour
 * transform flag (APP14) and the scan header (SOS). Each reader checks its
 * segment's length against what the segment declares.
 *
 * @module
 */

import { FormatError } from "../../autograd/errors.ts";

/** One component of a frame. */
export interface FrameComponent {
  /** The id scans name it by. */
  id: number;
  /** Horizontal sampling factor, 1–4. */
  h: number;
  /** Vertical sampling factor, 1–4. */
  v: number;
  /** Quantisation table slot, 0–3. */
  quantSlot: number;
}

/** A frame header (SOFn). */
export interface Frame {
  /** Bits per sample. */
  precision: number;
  /** Height in pixels. */
  height: number;
  /** Width in pixels. */
  width: number;
  /** The components in frame order. */
  components: FrameComponent[];
}

/** A segment's payload: `bytes[start..end)`, and the file's name for errors. */
export interface Segment {
  /** First payload byte (after the length). */
  start: number;
  /** One past the last payload byte. */
  end: number;
  /** The file name or label errors name. */
  name: string;
}

// deno-fmt-ignore
/** Zigzag position → natural (row-major) index in an 8 × 8 block. */
export const ZIGZAG: Uint8Array = Uint8Array.from([
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5,
  12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
  35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51,
  58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
]);

/** Reads a frame header. */
export function readFrame(bytes: Uint8Array, { start, end, name }: Segment): Frame {
  const count = bytes[start + 5];
  if (end - start < 6 || end - start !== 6 + 3 * count || count === 0) {
    throw new FormatError(
      `${name}: JPEG frame header of ${end - start} bytes for ${count} components`,
    );
  }
  const components: FrameComponent[] = [];
  for (let at = start + 6; at < end; at += 3) {
    const h = bytes[at + 1] >> 4;
    const v = bytes[at + 1] & 15;
    const quantSlot = bytes[at + 2];
    if (h < 1 || h > 4 || v < 1 || v > 4 || quantSlot > 3) {
      throw new FormatError(
        `${name}: JPEG component ${bytes[at]} has sampling ${h} × ${v}, table ${quantSlot}`,
      );
    }
    components.push({ id: bytes[at], h, v, quantSlot });
  }
  return {
    precision: bytes[start],
    height: (bytes[start + 1] << 8) | bytes[start + 2],
    width: (bytes[start + 3] << 8) | bytes[start + 4],
    components,
  };
}

/**
 * Reads the quantisation tables of a DQT segment into `tables` (by slot,
 * natural order).
 */
export function readQuantTables(
  bytes: Uint8Array,
  { start, end, name }: Segment,
  tables: (Uint16Array | undefined)[],
): void {
  let at = start;
  while (at < end) {
    const wide = bytes[at] >> 4;
    const slot = bytes[at] & 15;
    const size = wide ? 128 : 64;
    if (wide > 1 || slot > 3 || at + 1 + size > end) {
      throw new FormatError(
        `${name}: JPEG quantisation table ${slot} (precision ${wide}) does not fit its segment`,
      );
    }
    const table = new Uint16Array(64);
    for (let k = 0; k < 64; k++) {
      table[ZIGZAG[k]] = wide
        ? (bytes[at + 1 + 2 * k] << 8) | bytes[at + 2 + 2 * k]
        : bytes[at + 1 + k];
    }
    tables[slot] = table;
    at += 1 + size;
  }
}

/** Reads the restart interval (MCUs between restart markers, 0 for none) of a DRI segment. */
export function readRestartInterval(bytes: Uint8Array, { start, end, name }: Segment): number {
  if (end - start !== 2) {
    throw new FormatError(`${name}: JPEG restart interval segment of ${end - start} bytes, not 2`);
  }
  return (bytes[start] << 8) | bytes[start + 1];
}

/**
 * Adobe's colour transform flag from an APP14 segment (0: components stored
 * as they are, RGB or CMYK; 1: YCbCr; 2: YCCK), or undefined for another
 * APP14.
 */
export function readAdobeTransform(bytes: Uint8Array, { start, end }: Segment): number | undefined {
  const adobe = end - start >= 12 &&
    String.fromCharCode(...bytes.subarray(start, start + 5)) === "Adobe";
  return adobe ? bytes[start + 11] : undefined;
}

/** One component of a scan. */
export interface ScanComponent {
  /** Its index in the frame's components. */
  index: number;
  /** DC Huffman table slot. */
  dcSlot: number;
  /** AC Huffman table slot. */
  acSlot: number;
}

/** Reads a scan header of a sequential frame. */
export function readScan(
  bytes: Uint8Array,
  { start, end, name }: Segment,
  frame: Frame,
): ScanComponent[] {
  const count = bytes[start];
  if (count < 1 || count > 4 || end - start !== 4 + 2 * count) {
    throw new FormatError(
      `${name}: JPEG scan header of ${end - start} bytes for ${count} components`,
    );
  }
  const scan: ScanComponent[] = [];
  for (let at = start + 1; at < start + 1 + 2 * count; at += 2) {
    const index = frame.components.findIndex((c) => c.id === bytes[at]);
    if (index < 0 || scan.some((c) => c.index === index)) {
      throw new FormatError(`${name}: JPEG scan names component ${bytes[at]}, not in the frame`);
    }
    scan.push({ index, dcSlot: bytes[at + 1] >> 4, acSlot: bytes[at + 1] & 15 });
  }
  const blocks = scan.reduce(
    (n, c) => n + frame.components[c.index].h * frame.components[c.index].v,
    0,
  );
  if (count > 1 && blocks > 10) {
    throw new FormatError(`${name}: JPEG scan of ${blocks} blocks per MCU (at most 10 allowed)`);
  }
  const [spectralStart, spectralEnd, approximation] = bytes.subarray(end - 3, end);
  if (spectralStart !== 0 || spectralEnd !== 63 || approximation !== 0) {
    throw new FormatError(
      `${name}: JPEG sequential scan with spectral range ${spectralStart}–${spectralEnd}`,
    );
  }
  return scan;
}
