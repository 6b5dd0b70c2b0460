/**
 * Reads the pixel dimensions from the header of a JPEG or PNG file without
 * decoding it, so a decoder is never asked to allocate for an image larger
 * than the caller allows (a few hundred bytes can declare a 65535×65535
 * JPEG).
 *
 * @module
 */

import { FormatError } from "../autograd/errors.ts";

/** Container format and declared size of an encoded image. */
export interface ImageHeader {
  /** `"jpeg"` or `"png"`. */
  readonly format: "jpeg" | "png";
  /** Declared width in pixels. */
  readonly width: number;
  /** Declared height in pixels. */
  readonly height: number;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * The format and declared size of a JPEG or PNG held in `bytes`. Throws a
 * {@linkcode FormatError} naming `what` for anything else or a header cut short.
 */
export function readImageHeader(bytes: Uint8Array, what: string): ImageHeader {
  if (PNG_SIGNATURE.every((b, i) => bytes[i] === b)) return pngHeader(bytes, what);
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return jpegHeader(bytes, what);
  const start = Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, "0")).join(" ");
  throw new FormatError(`${what}: not a PNG or JPEG image (starts with bytes ${start})`);
}

function pngHeader(bytes: Uint8Array, what: string): ImageHeader {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const isIhdr = bytes.length >= 24 && String.fromCharCode(...bytes.subarray(12, 16)) === "IHDR";
  if (!isIhdr) throw new FormatError(`${what}: PNG without an IHDR chunk at its start`);
  return checked("png", view.getUint32(16), view.getUint32(20), what);
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

function jpegHeader(bytes: Uint8Array, what: string): ImageHeader {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) throw new FormatError(`${what}: JPEG marker expected at byte ${at}`);
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
      if (at + 9 > bytes.length) break;
      return checked("jpeg", view.getUint16(at + 7), view.getUint16(at + 5), what);
    }
    at += 2 + length;
  }
  throw new FormatError(`${what}: JPEG without a frame header (truncated or not an image)`);
}

function checked(format: "jpeg" | "png", width: number, height: number, what: string): ImageHeader {
  if (width === 0 || height === 0) {
    throw new FormatError(
      `${what}: ${format.toUpperCase()} declares an empty ${width}×${height} image`,
    );
  }
  return { format, width, height };
}
