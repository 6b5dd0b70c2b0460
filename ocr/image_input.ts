/**
 * Reading a photo for OCR safely: the file's size, format and pixel
 * dimensions are checked from its header BEFORE anything is decoded, so an
 * empty file, a text file, a truncated or corrupt image, a thumbnail too small
 * to hold writing, or a 100-megapixel "decompression bomb" each give a
 * {@linkcode FormatError} that names the file and says what is wrong, never a
 * stack trace from inside the decoder or an allocation the file cannot
 * justify. PNG and JPEG are accepted; a JPEG's EXIF orientation is applied so
 * phone photos come out upright.
 *
 * @module
 */

import { decode, type Image } from "image-js";
import { FormatError } from "../autograd/errors.ts";
import { readFileLimited } from "../datasets/files.ts";

/** Options of {@linkcode readImage} and {@linkcode decodeImage}. */
export interface ImageInputOptions {
  /** Largest accepted width × height (default 100 000 000). */
  maxPixels?: number;
  /** Smallest accepted width and height (default 16: less cannot hold a legible character). */
  minSide?: number;
  /** Turn the image upright by its EXIF orientation tag (default true). */
  applyOrientation?: boolean;
}

/** What the header of an image file says. */
export interface ImageHeader {
  /** The container format. */
  format: "png" | "jpeg";
  /** Width in pixels, as the header states it. */
  width: number;
  /** Height in pixels, as the header states it. */
  height: number;
}

/** Largest image file read (bytes): 100 megapixels of PNG can be this big. */
const MAX_FILE_BYTES = 1 << 30;
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** JPEG start-of-frame markers (baseline, extended, progressive, lossless, arithmetic). */
const JPEG_FRAME_MARKERS = new Set([
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
/** JPEG markers that stand alone, without a length field. */
const JPEG_BARE_MARKERS = new Set([0x01, 0xd0, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7]);

/** Reads and decodes the PNG or JPEG file at `path` (see {@linkcode decodeImage}). */
export async function readImage(path: string, options: ImageInputOptions = {}): Promise<Image> {
  const bytes = await readFileLimited(path, { maxBytes: MAX_FILE_BYTES, what: "an image" });
  return decodeImage(bytes, { ...options, name: path });
}

/**
 * Decodes PNG or JPEG `bytes` after checking the header; `options.name`
 * (a path or other label) is named in every error.
 */
export function decodeImage(
  bytes: Uint8Array,
  options: ImageInputOptions & { name?: string } = {},
): Image {
  const name = options.name ?? "image";
  const header = readImageHeader(bytes, { name });
  const { width, height, format } = header;
  const minSide = options.minSide ?? 16;
  const maxPixels = options.maxPixels ?? 100_000_000;
  if (width < minSide || height < minSide) {
    throw new FormatError(
      `${name}: a ${width} × ${height} image is too small to hold handwriting ` +
        `(at least ${minSide} × ${minSide} pixels needed)`,
    );
  }
  if (width * height > maxPixels) {
    throw new FormatError(
      `${name}: ${width} × ${height} = ${pixelCount(width * height)} is more than the ` +
        `${pixelCount(maxPixels)} allowed; refused before decoding`,
    );
  }
  let image: Image;
  try {
    image = decode(bytes);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new FormatError(`${name}: cannot decode this ${format.toUpperCase()} (${reason})`);
  }
  if (image.width !== width || image.height !== height) {
    throw new FormatError(
      `${name}: decoded ${image.width} × ${image.height} pixels but the header says ${width} × ${height}`,
    );
  }
  return options.applyOrientation === false ? image : upright(image);
}

/**
 * Reads format and dimensions from the first bytes of a PNG (its IHDR chunk)
 * or JPEG (its first start-of-frame segment), without decoding pixels.
 */
export function readImageHeader(bytes: Uint8Array, options: { name?: string } = {}): ImageHeader {
  const name = options.name ?? "image";
  if (bytes.length === 0) throw new FormatError(`${name}: the file is empty`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (PNG_SIGNATURE.every((b, i) => bytes[i] === b)) {
    // Signature (8), IHDR length (4), "IHDR" (4), width (4), height (4).
    const isIhdr = bytes.length >= 24 && String.fromCharCode(...bytes.subarray(12, 16)) === "IHDR";
    if (!isIhdr) throw new FormatError(`${name}: PNG without an IHDR header (truncated?)`);
    return checked({ format: "png", width: view.getUint32(16), height: view.getUint32(20) }, name);
  }
  if (bytes[0] === 0xff && bytes[1] === 0xd8) {
    return checked({ format: "jpeg", ...jpegSize(view, name) }, name);
  }
  const start = Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, "0")).join(" ");
  throw new FormatError(`${name}: not a PNG or JPEG image (starts with bytes ${start})`);
}

function pixelCount(n: number): string {
  return n >= 100_000 ? `${(n / 1e6).toFixed(1)} megapixels` : `${n} pixels`;
}

function checked(header: ImageHeader, name: string): ImageHeader {
  if (header.width === 0 || header.height === 0) {
    throw new FormatError(`${name}: the ${header.format} header gives a 0-pixel side`);
  }
  return header;
}

/** Walks the JPEG segments from the start marker to the first frame header. */
function jpegSize(view: DataView, name: string): { width: number; height: number } {
  let at = 2;
  while (at + 4 <= view.byteLength) {
    if (view.getUint8(at) !== 0xff) {
      throw new FormatError(`${name}: corrupt JPEG (no segment marker at byte ${at})`);
    }
    const marker = view.getUint8(at + 1);
    if (marker === 0xff) { // fill byte
      at++;
      continue;
    }
    if (JPEG_BARE_MARKERS.has(marker)) {
      at += 2;
      continue;
    }
    const length = view.getUint16(at + 2);
    if (JPEG_FRAME_MARKERS.has(marker)) {
      if (at + 9 > view.byteLength) break;
      return { height: view.getUint16(at + 5), width: view.getUint16(at + 7) };
    }
    if (marker === 0xd9 || marker === 0xda) break; // end of image or scan data before a frame
    at += 2 + length;
  }
  throw new FormatError(`${name}: JPEG without a frame header (truncated or corrupt)`);
}

/** The EXIF orientation tag (274) turned into flips and rotations. */
function upright(image: Image): Image {
  const fields = image.meta?.tiff.fields as Map<number, unknown> | undefined;
  const orientation = fields?.get(274);
  switch (orientation) {
    case 2:
      return image.flip({ axis: "horizontal" });
    case 3:
      return image.rotate(180);
    case 4:
      return image.flip({ axis: "vertical" });
    case 5:
      return image.flip({ axis: "horizontal" }).rotate(270);
    case 6:
      return image.rotate(90);
    case 7:
      return image.flip({ axis: "horizontal" }).rotate(90);
    case 8:
      return image.rotate(270);
    default:
      return image;
  }
}
