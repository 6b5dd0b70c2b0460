/**
 * Reads the format, pixel dimensions and sample layout from the header of a
 * JPEG or PNG without decoding it, so a decoder is never asked to allocate
 * for an image larger than the caller allows (a few hundred bytes can
 * declare a 65535×65535 JPEG), and code that only needs a size (figure
 * layout, report checks) never decodes at all. {@linkcode minimumImageBytes}
 * goes one step further: the fewest bytes any file can encode the declared
 * pixels in, so a header that lies about its size (a 17 KB JPEG claiming
 * 10000 × 10000) is caught before the decoder allocates for it.
 *
 * @module
 */

import { FormatError } from "../autograd/errors.ts";
import { PNG_SIGNATURE } from "./png.ts";

/** Container format, declared size and sample layout of an encoded image. */
export interface ImageHeader {
  /** `"jpeg"` or `"png"`. */
  readonly format: "jpeg" | "png";
  /** Declared width in pixels. */
  readonly width: number;
  /** Declared height in pixels. */
  readonly height: number;
  /**
   * Samples per pixel once decoded: 1 grey, 2 grey + alpha, 3 colour (also a
   * PNG palette), 4 colour + alpha (or a CMYK JPEG).
   */
  readonly channels: number;
  /** Bits per sample (8 for nearly every photo; PNG also has 1, 2, 4 and 16). */
  readonly bitDepth: number;
}

/** Options of {@linkcode readImageHeader}. */
export interface ReadImageHeaderOptions {
  /** The file name or other label that errors name (default "image"). */
  name?: string;
}

/**
 * The format, size and layout of the JPEG or PNG held in `bytes`. Throws a
 * {@linkcode FormatError} naming `options.name` for an empty buffer, anything
 * else than JPEG or PNG, or a header cut short.
 */
export function readImageHeader(
  bytes: Uint8Array,
  options: ReadImageHeaderOptions = {},
): ImageHeader {
  const name = options.name ?? "image";
  if (bytes.length === 0) throw new FormatError(`${name}: the file is empty`);
  if (PNG_SIGNATURE.every((b, i) => bytes[i] === b)) return pngHeader(bytes, name);
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return jpegHeader(bytes, name);
  const start = Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, "0")).join(" ");
  throw new FormatError(`${name}: not a PNG or JPEG image (starts with bytes ${start})`);
}

/** Samples per pixel of each PNG colour type (0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA). */
const PNG_CHANNELS: Readonly<Record<number, number>> = { 0: 1, 2: 3, 3: 3, 4: 2, 6: 4 };

function pngHeader(bytes: Uint8Array, name: string): ImageHeader {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const isIhdr = bytes.length >= 26 && view.getUint32(8) === 13 &&
    String.fromCharCode(...bytes.subarray(12, 16)) === "IHDR";
  if (!isIhdr) throw new FormatError(`${name}: PNG without an IHDR chunk at its start`);
  const channels = PNG_CHANNELS[bytes[25]];
  if (channels === undefined) {
    throw new FormatError(`${name}: PNG colour type ${bytes[25]} does not exist`);
  }
  return checked({
    format: "png",
    width: view.getUint32(16),
    height: view.getUint32(20),
    channels,
    bitDepth: bytes[24],
  }, name);
}

// Start-of-frame markers (baseline, progressive, lossless, arithmetic); C4, C8
// and CC are DHT, JPG and DAC, which share the range but carry no size.
const SOF_MARKERS = new Set([
  0xc0,
  0xc1,
  0xc2,
  0xc3,
  0xc5,
  0xc6,
  0xc7,
  0xc9,
  0xca,
  0xcb,
  0xcd,
  0xce,
  0xcf,
]);

/** A JPEG's frame header: the image, its start-of-frame marker, each component's sampling. */
interface JpegFrame {
  header: ImageHeader;
  marker: number;
  sampling: { h: number; v: number }[];
}

function jpegHeader(bytes: Uint8Array, name: string): ImageHeader {
  return jpegFrame(bytes, name).header;
}

function jpegFrame(bytes: Uint8Array, name: string): JpegFrame {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) throw new FormatError(`${name}: JPEG marker expected at byte ${at}`);
    const marker = bytes[at + 1];
    if (marker === 0xff) { // fill byte before a marker
      at += 1;
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) { // markers without a length
      at += 2;
      continue;
    }
    if (marker === 0xda || marker === 0xd9) break; // scan data or end before any frame header
    const length = view.getUint16(at + 2);
    if (SOF_MARKERS.has(marker)) {
      // FFCn, length, precision, height, width, component count.
      if (at + 10 > bytes.length) break;
      const header = checked({
        format: "jpeg",
        width: view.getUint16(at + 7),
        height: view.getUint16(at + 5),
        channels: bytes[at + 9],
        bitDepth: bytes[at + 4],
      }, name);
      // Then per component: id, sampling factors (horizontal << 4 | vertical), table.
      const sampling = [];
      for (let c = at + 10; c + 3 <= bytes.length && sampling.length < header.channels; c += 3) {
        sampling.push({ h: bytes[c + 1] >> 4, v: bytes[c + 1] & 15 });
      }
      return { header, marker, sampling };
    }
    at += 2 + length;
  }
  throw new FormatError(`${name}: JPEG without a frame header (truncated or not an image)`);
}

function checked(header: ImageHeader, name: string): ImageHeader {
  const { format, width, height } = header;
  if (width === 0 || height === 0) {
    throw new FormatError(
      `${name}: ${format.toUpperCase()} declares an empty ${width}×${height} image`,
    );
  }
  return header;
}

/**
 * Deflate's best case: a 258-byte match coded with a 1-bit length code and a
 * 1-bit distance code, 2 bits for 258 bytes.
 */
const DEFLATE_MAX_RATIO = 1032;

/** Samples stored per PNG pixel by colour type (a palette pixel is one index). */
const PNG_STORED_SAMPLES: Readonly<Record<number, number>> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/**
 * Least entropy-coded bits per 8 × 8 block of a JPEG's most finely sampled
 * component, by start-of-frame marker: a sequential Huffman block codes a DC
 * difference and at least an end-of-block (each code at least 1 bit); a
 * progressive or lossless Huffman one at least its DC difference. Hierarchical
 * and arithmetic-coded frames have no such floor (nor a decoder here).
 */
const JPEG_BLOCK_BITS: Readonly<Record<number, number>> = { 0xc0: 2, 0xc1: 2, 0xc2: 1, 0xc3: 1 };

/**
 * The fewest bytes a JPEG or PNG file can have and still encode the pixels
 * its header declares, from the codec's best case rather than typical
 * photos: deflate never compresses better than 1032 : 1, and a Huffman JPEG
 * spends at least one bit per 8 × 8 block (so at most 512 pixels per byte;
 * phone photos of handwriting hold 5–10). A file shorter than this cannot
 * hold its image: the header lies, or the file is cut short. 0 when the
 * coding has no such floor (arithmetic-coded or hierarchical JPEG). Header
 * errors are {@linkcode FormatError}s naming `options.name`, as for
 * {@linkcode readImageHeader}.
 */
export function minimumImageBytes(
  bytes: Uint8Array,
  options: ReadImageHeaderOptions = {},
): number {
  const header = readImageHeader(bytes, options);
  const { width, height } = header;
  if (header.format === "png") {
    // Filter bytes and row padding only add to this, so it is a floor for either interlacing.
    const bits = width * height * PNG_STORED_SAMPLES[bytes[25]] * header.bitDepth;
    return Math.ceil(bits / 8 / DEFLATE_MAX_RATIO);
  }
  const { marker, sampling } = jpegFrame(bytes, options.name ?? "image");
  const hMax = Math.max(1, ...sampling.map((c) => c.h));
  const vMax = Math.max(1, ...sampling.map((c) => c.v));
  // The component sampled at the full hMax × vMax rate covers every pixel.
  const blocks = Math.max(
    ...sampling.map(({ h, v }) =>
      Math.ceil(Math.ceil(width * h / hMax) / 8) * Math.ceil(Math.ceil(height * v / vMax) / 8)
    ),
    sampling.length === 0 ? Math.ceil(width / 8) * Math.ceil(height / 8) : 0,
  );
  return Math.ceil(blocks * (JPEG_BLOCK_BITS[marker] ?? 0) / 8);
}

/**
 * The EXIF orientation (1–8; 1 when absent) of the JPEG in `bytes`: tag 274
 * of the first image file directory in its APP1 "Exif" segment. Phones store
 * photos sideways and set this tag instead of turning the pixels. Anything
 * malformed reads as 1: a wrong tag must not make a readable photo fail.
 */
export function jpegOrientation(bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 2;
  while (at + 4 <= bytes.length && bytes[at] === 0xff) {
    const marker = bytes[at + 1];
    if (marker === 0xda || marker === 0xd9) break;
    const length = view.getUint16(at + 2);
    const exif = at + 4;
    if (marker === 0xe1 && length >= 16 && at + 2 + length <= bytes.length) {
      const tag = String.fromCharCode(...bytes.subarray(exif, exif + 4));
      if (tag === "Exif") return tiffOrientation(view, exif + 6, at + 2 + length);
    }
    at += 2 + length;
  }
  return 1;
}

/** Tag 274 of IFD0 of the TIFF structure at `start` (ending before `end`), or 1. */
function tiffOrientation(view: DataView, start: number, end: number): number {
  const order = view.getUint16(start);
  if (order !== 0x4949 && order !== 0x4d4d) return 1;
  const little = order === 0x4949;
  const ifd = start + view.getUint32(start + 4, little);
  if (ifd + 2 > end) return 1;
  const entries = view.getUint16(ifd, little);
  for (let i = 0; i < entries && ifd + 2 + 12 * (i + 1) <= end; i++) {
    const entry = ifd + 2 + 12 * i;
    if (view.getUint16(entry, little) === 274) {
      const value = view.getUint16(entry + 8, little);
      return value >= 1 && value <= 8 ? value : 1;
    }
  }
  return 1;
}
