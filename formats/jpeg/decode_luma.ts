/**
 * Decoding a JPEG's luminance alone, at full, half, quarter or eighth size:
 * what OCR needs from a photo of a page, at a fraction of a full decode's
 * cost. Chroma is never dequantised, transformed, upsampled or converted,
 * and the inverse DCT produces the reduced size directly (see
 * {@linkcode ReducedIdct}), so a 12-megapixel photo read at 1/2 scale
 * allocates one 3-megapixel plane.
 *
 * Sequential Huffman-coded JPEGs (baseline and extended, 8-bit, one grey or
 * three YCbCr components in any sampling layout, with or without restart
 * markers) are decoded; for the others (progressive, lossless, arithmetic
 * coding, 12-bit, CMYK, RGB) {@linkcode decodeJpegLuma} returns undefined so
 * the caller can use a full decoder. The file's header is checked against
 * its byte count before anything is allocated, as `minimumImageBytes` does,
 * and every defect is a {@linkcode FormatError} naming the file.
 *
 * @module
 */

import { FormatError } from "../../autograd/errors.ts";
import { jpegOrientation, minimumImageBytes, readImageHeader } from "../image_header.ts";
import { hex, isMarker } from "./bit_reader.ts";
import { type GreyImage, orientGrey } from "./grey_image.ts";
import { type HuffmanTable, readHuffmanTables } from "./huffman.ts";
import { type BlockSide, ReducedIdct } from "./reduced_idct.ts";
import { decodeScan, type LumaPlane } from "./scan.ts";
import {
  type Frame,
  readAdobeTransform,
  readFrame,
  readQuantTables,
  readRestartInterval,
  readScan,
  type Segment,
} from "./segments.ts";

/** Options of {@linkcode decodeJpegLuma}. */
export interface DecodeJpegLumaOptions {
  /** The file name or label errors name (default "image"). */
  name?: string;
  /** Decode at 1/`denominator` of the size: 1, 2, 4 or 8 (default 1). */
  denominator?: 1 | 2 | 4 | 8;
  /** Largest accepted width × height of the file (default 100 000 000). */
  maxPixels?: number;
  /** Turn the image upright by its EXIF orientation tag (default true). */
  applyOrientation?: boolean;
}

/** Sequential Huffman frames: baseline (C0) and extended (C1). */
const SEQUENTIAL = new Set([0xc0, 0xc1]);
/** Frames of other codings: progressive, lossless, hierarchical, arithmetic. */
const OTHER_FRAMES = new Set([0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);

/**
 * The luminance of the JPEG `bytes` as 8-bit grey, `ceil(width / d) ×
 * ceil(height / d)` for `d = options.denominator`, each sample the mean of
 * the `d × d` pixels a full decode would give there, turned upright by the
 * EXIF orientation; undefined when the file is a JPEG this decoder does not
 * handle (see the module's notes).
 */
export function decodeJpegLuma(
  bytes: Uint8Array,
  options: DecodeJpegLumaOptions = {},
): GreyImage | undefined {
  const name = options.name ?? "image";
  const header = readImageHeader(bytes, { name });
  if (header.format !== "jpeg") throw new FormatError(`${name}: not a JPEG image`);
  const maxPixels = options.maxPixels ?? 100_000_000;
  if (header.width * header.height > maxPixels) {
    throw new FormatError(
      `${name}: ${header.width} × ${header.height} pixels is more than the ${maxPixels} ` +
        "allowed; refused before decoding",
    );
  }
  const needed = minimumImageBytes(bytes, { name });
  if (bytes.length < needed) {
    throw new FormatError(
      `${name}: ${header.width} × ${header.height} pixels cannot fit in ${bytes.length} bytes ` +
        `(a JPEG needs at least ${needed}); refused before decoding`,
    );
  }
  const side = (8 / (options.denominator ?? 1)) as BlockSide;
  if (![8, 4, 2, 1].includes(side)) {
    throw new FormatError(`${name}: cannot decode at 1/${options.denominator} scale (1, 2, 4, 8)`);
  }
  const decoded = decodeLuma(bytes, { name, side });
  if (decoded === undefined || options.applyOrientation === false) return decoded;
  return orientGrey(decoded, jpegOrientation(bytes));
}

/** The marker loop: tables and frame, then the first scan holding the luminance. */
function decodeLuma(
  bytes: Uint8Array,
  { name, side }: { name: string; side: BlockSide },
): GreyImage | undefined {
  const quant: (Uint16Array | undefined)[] = [];
  const dc: (HuffmanTable | undefined)[] = [];
  const ac: (HuffmanTable | undefined)[] = [];
  let frame: Frame | undefined;
  let restartInterval = 0;
  let adobeTransform: number | undefined;
  let at = 2;
  while (at < bytes.length) {
    if (bytes[at] !== 0xff) throw new FormatError(`${name}: JPEG marker expected at byte ${at}`);
    const marker = bytes[at + 1];
    if (marker === 0xff || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += marker === 0xff ? 1 : 2; // fill byte, or a marker without a length
      continue;
    }
    if (marker === 0xd9) break;
    const segment = segmentAt(bytes, at, name);
    if (OTHER_FRAMES.has(marker)) return undefined;
    if (SEQUENTIAL.has(marker)) {
      // The header checks above vouched for the first frame header only.
      if (frame !== undefined) throw new FormatError(`${name}: JPEG with two frame headers`);
      frame = readFrame(bytes, segment);
      if (!lumaDecodable(frame, adobeTransform)) return undefined;
    } else if (marker === 0xc4) {
      for (const { tableClass, slot, table } of readHuffmanTables(bytes, segment)) {
        (tableClass === 0 ? dc : ac)[slot] = table;
      }
    } else if (marker === 0xdb) {
      readQuantTables(bytes, segment, quant);
    } else if (marker === 0xdd) {
      restartInterval = readRestartInterval(bytes, segment);
    } else if (marker === 0xee) {
      adobeTransform = readAdobeTransform(bytes, segment) ?? adobeTransform;
    } else if (marker === 0xda) {
      if (frame === undefined) throw new FormatError(`${name}: JPEG scan before any frame header`);
      if (!lumaDecodable(frame, adobeTransform)) return undefined;
      const components = readScan(bytes, segment, frame);
      if (!components.some((c) => c.index === 0)) {
        at = nextMarker(bytes, segment.end);
        continue;
      }
      const lumaQuant = quant[frame.components[0].quantSlot];
      if (lumaQuant === undefined) {
        throw new FormatError(`${name}: JPEG luminance uses a quantisation table never defined`);
      }
      const luma = lumaPlane(frame, side, lumaQuant);
      decodeScan(bytes, { start: segment.end, components }, {
        frame,
        dc,
        ac,
        restartInterval,
        luma,
        name,
      });
      return cropped(luma, {
        width: Math.ceil(frame.width * side / 8),
        height: Math.ceil(frame.height * side / 8),
      });
    }
    at = segment.end;
  }
  throw new FormatError(`${name}: JPEG ends before any scan of its luminance`);
}

/** The segment whose marker is at `at`: its payload after the two length bytes. */
function segmentAt(bytes: Uint8Array, at: number, name: string): Segment {
  const length = (bytes[at + 2] << 8) | bytes[at + 3];
  if (at + 4 > bytes.length || length < 2 || at + 2 + length > bytes.length) {
    throw new FormatError(
      `${name}: JPEG segment FF${hex(bytes[at + 1])} at byte ${at} declares ${length} bytes, ` +
        `but ${Math.max(0, bytes.length - at - 2)} remain`,
    );
  }
  return { start: at + 4, end: at + 2 + length, name };
}

/**
 * Whether component 0 is a luminance this decoder can take alone: 8-bit grey
 * or YCbCr (not RGB, which Adobe's transform flag 0 or the component ids
 * R, G, B announce, nor CMYK), sampled at the frame's full rate.
 */
function lumaDecodable(frame: Frame, adobeTransform: number | undefined): boolean {
  const { components } = frame;
  const [first] = components;
  const rgbIds = components.map((c) => String.fromCharCode(c.id)).join("") === "RGB";
  return frame.precision === 8 &&
    (components.length === 1 || (components.length === 3 && adobeTransform !== 0 && !rgbIds)) &&
    components.every((c) => c.h <= first.h && c.v <= first.v);
}

/** A zeroed plane holding every luminance block of `frame` at `side` samples per block side. */
function lumaPlane(frame: Frame, side: BlockSide, quant: Uint16Array): LumaPlane {
  const { h, v } = frame.components[0];
  const stride = Math.ceil(frame.width / (8 * h)) * h * side;
  const rows = Math.ceil(frame.height / (8 * v)) * v * side;
  return { grey: new Uint8ClampedArray(stride * rows), stride, idct: new ReducedIdct(side), quant };
}

/** The top-left `width × height` of the padded plane. */
function cropped(
  { grey, stride }: LumaPlane,
  { width, height }: { width: number; height: number },
): GreyImage {
  if (stride === width) {
    return { width, height, grey: new Uint8Array(grey.buffer, 0, width * height) };
  }
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    out.set(grey.subarray(y * stride, y * stride + width), y * width);
  }
  return { width, height, grey: out };
}

/** The index of the next marker at or after `at` that is not a restart marker. */
function nextMarker(bytes: Uint8Array, at: number): number {
  while (at + 1 < bytes.length) {
    const next = bytes[at + 1];
    if (bytes[at] === 0xff && isMarker(next) && !(next >= 0xd0 && next <= 0xd7)) return at;
    at++;
  }
  return bytes.length;
}
