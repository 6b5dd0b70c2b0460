/**
 * Reading a photo for OCR safely: the file's size, format and pixel
 * dimensions are checked from its header BEFORE anything is decoded, so an
 * empty file, a text file, a truncated or corrupt image, a thumbnail too small
 * to hold writing, a 100-megapixel "decompression bomb", or a header claiming
 * more pixels than the file's bytes could encode each give a
 * {@linkcode FormatError} that names the file and says what is wrong, never a
 * stack trace from inside the decoder or an allocation the file cannot
 * justify. PNG and JPEG are accepted; a JPEG's EXIF orientation is applied so
 * phone photos come out upright.
 *
 * @module
 */

import { decode, Image } from "image-js";
import { decode as decodeJpegPixels } from "jpeg-js";
import { FormatError } from "../autograd/errors.ts";
import { readFileLimited } from "../formats/files.ts";
import { jpegOrientation, minimumImageBytes, readImageHeader } from "../formats/image_header.ts";

/** Options of {@linkcode readImage} and {@linkcode decodeImage}. */
export interface ImageInputOptions {
  /** Largest accepted width × height (default 100 000 000). */
  maxPixels?: number;
  /** Smallest accepted width and height (default 16: less cannot hold a legible character). */
  minSide?: number;
  /** Turn the image upright by its EXIF orientation tag (default true). */
  applyOrientation?: boolean;
}

/** Largest image file read (bytes): 100 megapixels of PNG can be this big. */
const MAX_FILE_BYTES = 1 << 30;

/**
 * Memory the JPEG decoder may claim, MB. A 12-megapixel photo needs about
 * 130; corrupt scan data can make jpeg-js grow its buffers without end
 * (a 2.5 KB file reached 12 GB), and image-js turns its limits off.
 */
const JPEG_MEMORY_MB = 1024;

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
  // A header may claim more pixels than the bytes behind it can encode; the
  // decoder would allocate for the claim before finding out.
  const needed = minimumImageBytes(bytes, { name });
  if (bytes.length < needed) {
    throw new FormatError(
      `${name}: ${width} × ${height} pixels cannot fit in ${bytes.length} bytes (a ` +
        `${format.toUpperCase()} needs at least ${needed}); the header is wrong or the file ` +
        "is cut short; refused before decoding",
    );
  }
  let image: Image;
  try {
    image = format === "jpeg" ? decodeJpeg(bytes, maxPixels) : decode(bytes);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new FormatError(`${name}: cannot decode this ${format.toUpperCase()} (${reason})`);
  }
  if (image.width !== width || image.height !== height) {
    throw new FormatError(
      `${name}: decoded ${image.width} × ${image.height} pixels but the header says ${width} × ${height}`,
    );
  }
  if (options.applyOrientation === false || format !== "jpeg") return image;
  return upright(image, jpegOrientation(bytes));
}

/** Decodes a JPEG with jpeg-js's own limits on, which image-js's decoder switches off. */
function decodeJpeg(bytes: Uint8Array, maxPixels: number): Image {
  const jpeg = decodeJpegPixels(bytes, {
    useTArray: true,
    formatAsRGBA: true,
    maxResolutionInMP: maxPixels / 1e6,
    maxMemoryUsageInMB: JPEG_MEMORY_MB,
  });
  return new Image(jpeg.width, jpeg.height, { data: jpeg.data, colorModel: "RGBA" });
}

function pixelCount(n: number): string {
  return n >= 100_000 ? `${(n / 1e6).toFixed(1)} megapixels` : `${n} pixels`;
}

/** The EXIF orientation (tag 274) turned into flips and rotations. */
function upright(image: Image, orientation: number): Image {
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
