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
 * Reading text needs far fewer pixels than a phone takes. A {@linkcode Photo}
 * ({@linkcode readPhoto}, {@linkcode decodePhoto}) is a source checked and
 * ready to give {@linkcode GreyPage}s: its luminance, 8-bit grey, shrunk by
 * a whole factor. A JPEG's is decoded straight at 1/2, 1/4 or 1/8 size
 * (`decodeJpegLuma`) and never exists at full size; anything else is decoded
 * once and shrunk.
 *
 * @module
 */

import { decode, Image as ImageJs } from "image-js";
import { decode as decodeJpegPixels } from "jpeg-js";
import { FormatError } from "../autograd/errors.ts";
import { type ByteSource, readByteSource, sourceName } from "../formats/byte_source.ts";
import {
  type ImageHeader,
  jpegOrientation,
  minimumImageBytes,
  readImageHeader,
} from "../formats/image_header.ts";
import { decodeJpegLuma, type GreyImage, orientGrey } from "../formats/jpeg/mod.ts";

/**
 * A decoded image: image-js's `Image`, which {@linkcode readImage} returns
 * and the OCR functions take (its methods: https://image-js.github.io/image-js/).
 */
export type Image = ImageJs;

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

/**
 * Pixels already decoded, row by row, four bytes (red, green, blue, alpha)
 * each: a browser's `ImageData` from a canvas is one.
 */
export interface RgbaPixels {
  /** Width in pixels. */
  readonly width: number;
  /** Height in pixels. */
  readonly height: number;
  /**
   * `width × height × 4` bytes. Typed as any array view because a canvas's
   * `ImageData` may also hold float16 pixels; only 8-bit ones are accepted.
   */
  readonly data: ArrayBufferView & { readonly length: number };
}

/**
 * A photo shrunk for reading: its luminance as 8-bit grey, each sample the
 * mean of a block of the photo's pixels, with the size of the (upright)
 * photo, whose pixels `readText` reports boxes in.
 */
export interface GreyPage extends GreyImage {
  /** Width of the photo in pixels. */
  readonly photoWidth: number;
  /** Height of the photo in pixels. */
  readonly photoHeight: number;
}

/** A photo read and checked once, from which pages of any size are made. */
export interface Photo {
  /** Width of the upright photo in pixels. */
  readonly width: number;
  /** Height of the upright photo in pixels. */
  readonly height: number;
  /**
   * The photo shrunk by the whole `factor` (a JPEG by the largest of 1, 2, 4
   * and 8 that is not above it); undecodable data is a `FormatError`.
   */
  page(factor: number): GreyPage;
  /** The whole photo in colour, upright, as {@linkcode decodeImage} gives it (for overlays). */
  image(): Image;
}

/**
 * Everything OCR reads: a PNG or JPEG as a path, a `file:` or `http(s):`
 * URL, bytes or a Blob (a browser's `File`), a decoded image (an image-js
 * `Image`, or {@linkcode RgbaPixels} such as a canvas's `ImageData`), or a
 * {@linkcode Photo}.
 */
export type ImageSource = ByteSource | Image | RgbaPixels | Photo;

/**
 * Default longer side of a page, in pixels, for {@linkcode pageFactor}: the
 * letter finder works at 1600 pixels at most, and `readText` reads a page
 * again at a larger size when its characters come out too small.
 */
export const PAGE_SIDE = 1000;

/**
 * The largest whole factor that keeps the longer side of `size` at least
 * `pageSide` pixels (1 for a smaller image).
 */
export function pageFactor(size: { width: number; height: number }, pageSide: number): number {
  if (!(pageSide >= 1)) throw new FormatError(`pageSide must be at least 1, got ${pageSide}`);
  return Math.max(1, Math.floor(Math.max(size.width, size.height) / pageSide));
}

/**
 * Reads and decodes `source` (see {@linkcode ImageSource} and
 * {@linkcode decodeImage}); a decoded image is returned as it is, RGBA
 * pixels are wrapped without a copy after their size is checked, and a
 * {@linkcode Photo} is decoded whole.
 */
export async function readImage(
  source: ImageSource,
  options: ImageInputOptions = {},
): Promise<Image> {
  if (source instanceof ImageJs) return source;
  if (isRgbaPixels(source)) return wrapPixels(source);
  if (isPhoto(source)) return source.image();
  const bytes = await readByteSource(source, { maxBytes: MAX_FILE_BYTES, what: "an image" });
  return decodeImage(bytes, { ...options, name: sourceName(source, "image") });
}

/**
 * Reads `source` as a {@linkcode Photo}: bytes are checked as by
 * {@linkcode decodeImage} (see {@linkcode decodePhoto}), a decoded image is
 * wrapped, a photo is returned as it is.
 */
export async function readPhoto(
  source: ImageSource,
  options: ImageInputOptions = {},
): Promise<Photo> {
  if (isPhoto(source)) return source;
  if (source instanceof ImageJs || isRgbaPixels(source)) {
    return imagePhoto(source instanceof ImageJs ? source : wrapPixels(source));
  }
  const bytes = await readByteSource(source, { maxBytes: MAX_FILE_BYTES, what: "an image" });
  return decodePhoto(bytes, { ...options, name: sourceName(source, "image") });
}

function isRgbaPixels(source: ImageSource): source is RgbaPixels {
  return typeof source === "object" && !(source instanceof Uint8Array) &&
    !(source instanceof Blob) && !(source instanceof URL) && "data" in source;
}

function isPhoto(source: ImageSource): source is Photo {
  return typeof source === "object" && "page" in source && typeof source.page === "function";
}

function wrapPixels({ width, height, data }: RgbaPixels): Image {
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    throw new FormatError(`pixels: width ${width} and height ${height} must be positive integers`);
  }
  if (!(data instanceof Uint8ClampedArray || data instanceof Uint8Array)) {
    throw new FormatError(`pixels: 8-bit RGBA needed, got a ${data.constructor.name}`);
  }
  if (data.length !== width * height * 4) {
    throw new FormatError(
      `pixels: ${data.length} bytes for ${width} × ${height} RGBA pixels (${
        width * height * 4
      } expected)`,
    );
  }
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.length);
  return new ImageJs(width, height, { data: bytes, colorModel: "RGBA" });
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
  const header = checkedHeader(bytes, { ...options, name });
  const image = decodeFull(bytes, { header, name, maxPixels: options.maxPixels });
  if (options.applyOrientation === false || header.format !== "jpeg") return image;
  return upright(image, jpegOrientation(bytes));
}

/**
 * PNG or JPEG `bytes` as a {@linkcode Photo}, after the same header checks as
 * {@linkcode decodeImage} (nothing is decoded until a page is asked for). A
 * JPEG's pages are its luminance decoded straight at the reduced size when
 * its coding allows (sequential Huffman, 8-bit YCbCr or grey); otherwise the
 * whole image is decoded once, on the first page, and shrunk.
 */
export function decodePhoto(
  bytes: Uint8Array,
  options: ImageInputOptions & { name?: string } = {},
): Photo {
  const name = options.name ?? "image";
  const header = checkedHeader(bytes, { ...options, name });
  const orientation = header.format === "jpeg" && options.applyOrientation !== false
    ? jpegOrientation(bytes)
    : 1;
  const sideways = orientation >= 5;
  const width = sideways ? header.height : header.width;
  const height = sideways ? header.width : header.height;
  let full: Image | undefined;
  return {
    width,
    height,
    page(factor: number): GreyPage {
      const whole = Math.max(1, Math.floor(factor));
      let grey: GreyImage | undefined;
      if (header.format === "jpeg") {
        grey = decodeJpegLuma(bytes, {
          name,
          denominator: ([8, 4, 2, 1] as const).find((d) => d <= whole),
          maxPixels: options.maxPixels,
          applyOrientation: false,
        });
      }
      if (grey === undefined) {
        full ??= decodeFull(bytes, { header, name, maxPixels: options.maxPixels });
        grey = shrunkGrey(full, whole);
      }
      return { ...orientGrey(grey, orientation), photoWidth: width, photoHeight: height };
    },
    image: () => decodeImage(bytes, { ...options, name }),
  };
}

/** A decoded image as a {@linkcode Photo}. */
function imagePhoto(image: Image): Photo {
  const { width, height } = image;
  return {
    width,
    height,
    page: (factor) => ({
      ...shrunkGrey(image, Math.max(1, Math.floor(factor))),
      photoWidth: width,
      photoHeight: height,
    }),
    image: () => image,
  };
}

/** The header of `bytes`, checked against the size limits and the file's length. */
function checkedHeader(
  bytes: Uint8Array,
  options: ImageInputOptions & { name: string },
): ImageHeader {
  const { name } = options;
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
  return header;
}

/**
 * Decodes the whole image, turning any decoder failure, or pixels of another
 * size than the header's, into a FormatError naming the file.
 */
function decodeFull(
  bytes: Uint8Array,
  { header, name, maxPixels }: { header: ImageHeader; name: string; maxPixels?: number },
): Image {
  const { format, width, height } = header;
  let image: Image;
  try {
    image = format === "jpeg" ? decodeJpeg(bytes, maxPixels ?? 100_000_000) : decode(bytes);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new FormatError(`${name}: cannot decode this ${format.toUpperCase()} (${reason})`);
  }
  if (image.width !== width || image.height !== height) {
    throw new FormatError(
      `${name}: decoded ${image.width} × ${image.height} pixels but the header says ${width} × ${height}`,
    );
  }
  return image;
}

/**
 * `image` as grey: luminance (ITU-R BT.601 weights, as JPEG's Y), alpha
 * composited over white, each sample the mean of a `factor × factor` block
 * (partial at the right and bottom edges).
 */
function shrunkGrey(image: Image, factor: number): GreyImage {
  const { width, height } = image;
  const data = image.getRawImage().data;
  const step = image.channels;
  const scale = 255 / image.maxValue;
  const colour = image.components >= 3;
  const alpha = image.alpha ? image.components : -1;
  const outWidth = Math.ceil(width / factor);
  const outHeight = Math.ceil(height / factor);
  const grey = new Uint8Array(outWidth * outHeight);
  const sums = new Float64Array(outWidth);
  for (let y = 0; y < height; y++) {
    for (let x = 0, i = y * width * step; x < width; x++, i += step) {
      let v = colour ? 0.299 * data[i] + 0.587 * data[i + 1] + 0.114 * data[i + 2] : data[i];
      if (alpha >= 0) v = v * data[i + alpha] / image.maxValue + image.maxValue - data[i + alpha];
      sums[Math.floor(x / factor)] += v * scale;
    }
    if ((y + 1) % factor !== 0 && y + 1 !== height) continue;
    const rows = (y % factor) + 1;
    const outRow = Math.floor(y / factor) * outWidth;
    for (let x = 0; x < outWidth; x++) {
      grey[outRow + x] = Math.round(sums[x] / (rows * Math.min(factor, width - x * factor)));
    }
    sums.fill(0);
  }
  return { width: outWidth, height: outHeight, grey };
}

/** Decodes a JPEG with jpeg-js's own limits on, which image-js's decoder switches off. */
function decodeJpeg(bytes: Uint8Array, maxPixels: number): Image {
  const jpeg = decodeJpegPixels(bytes, {
    useTArray: true,
    formatAsRGBA: true,
    maxResolutionInMP: maxPixels / 1e6,
    maxMemoryUsageInMB: JPEG_MEMORY_MB,
  });
  return new ImageJs(jpeg.width, jpeg.height, { data: jpeg.data, colorModel: "RGBA" });
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
