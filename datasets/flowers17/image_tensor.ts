/**
 * Encoded image (JPEG or PNG) → network input: decode with `image-js`, resize
 * the short side, crop the centre square and write planar CHW floats in the
 * channel order and value range a model expects. SqueezeNet as shipped here
 * wants BGR planes of raw 0–255 values ({@linkcode SQUEEZENET_PREPROCESS});
 * torchvision-trained models want RGB with ImageNet mean/std (`"imagenet"`).
 *
 * @module
 */

import { decode } from "image-js";
import { FormatError, InklingError } from "../../autograd/errors.ts";
import { readFileLimited } from "../../formats/files.ts";
import { readImageHeader } from "../../formats/image_header.ts";
import { resizeCropPlanar } from "./resample.ts";

/** Order of the three output planes. */
export type ChannelOrder = "rgb" | "bgr";

/**
 * Value range of the output: `"raw"` 0–255, `"unit"` 0–1, `"imagenet"`
 * `(unit − mean) / std` with the ImageNet statistics of each colour.
 */
export type Normalization = "raw" | "unit" | "imagenet";

/** ImageNet channel means of 0–1 values, in R, G, B order. */
export const IMAGENET_MEAN: readonly number[] = [0.485, 0.456, 0.406];
/** ImageNet channel standard deviations of 0–1 values, in R, G, B order. */
export const IMAGENET_STD: readonly number[] = [0.229, 0.224, 0.225];

/** Default cap on the size of an image file: 64 MiB. */
export const DEFAULT_MAX_IMAGE_BYTES = 64 * 1024 * 1024;

/** Default refusal threshold for declared image size: 64 megapixels. */
export const DEFAULT_MAX_PIXELS = 64 * 1024 * 1024;

/** How an image becomes a `3 × size × size` tensor. */
export interface ImageTensorOptions {
  /** Side of the square output (default 224). */
  size?: number;
  /** Short side after resizing, before the centre crop (default `size`: the crop spans the short side). */
  resizeTo?: number;
  /** Plane order (default `"rgb"`). */
  channelOrder?: ChannelOrder;
  /** Value range (default `"raw"`). */
  normalize?: Normalization;
  /** Refuse images declaring more pixels than this before decoding (default {@linkcode DEFAULT_MAX_PIXELS}). */
  maxPixels?: number;
}

/** Largest output side accepted (a larger one is a mistake, not an image size). */
const MAX_OUTPUT_SIZE = 16384;

/** `size` (default 224) if it is a usable output side, else an {@linkcode InklingError}. */
export function checkOutputSize(size = 224): number {
  if (!Number.isInteger(size) || size < 1 || size > MAX_OUTPUT_SIZE) {
    throw new InklingError(
      `output size must be an integer from 1 to ${MAX_OUTPUT_SIZE}, not ${size}`,
    );
  }
  return size;
}

/** The preprocessing SqueezeNet_fp16.onnx expects: 224×224, BGR planes, raw 0–255. */
export const SQUEEZENET_PREPROCESS: Readonly<ImageTensorOptions> = Object.freeze({
  size: 224,
  channelOrder: "bgr",
  normalize: "raw",
});

/** Options of {@linkcode imageToCHW}: preprocessing plus where to write. */
export interface ImageToCHWOptions extends ImageTensorOptions {
  /** Write into this buffer instead of a new one (e.g. one slot of a batch). */
  out?: Float32Array;
  /** Index in `out` of the first value (default 0). */
  outOffset?: number;
  /** Name of the image in error messages (default `"image"`). */
  what?: string;
}

/**
 * Decodes a JPEG or PNG and returns (or writes into `out`) its `3 × S × S`
 * planar float tensor. Grey images are repeated on the three planes; an alpha
 * channel is ignored. Throws a {@linkcode FormatError} naming `what` for bytes
 * that are not a decodable JPEG/PNG or declare more than `maxPixels`.
 */
export function imageToCHW(bytes: Uint8Array, options: ImageToCHWOptions = {}): Float32Array {
  const what = options.what ?? "image";
  const size = checkOutputSize(options.size);
  const colourPlanes = channelPlanes(options.channelOrder);
  const header = readImageHeader(bytes, { name: what });
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  if (header.width * header.height > maxPixels) {
    throw new FormatError(
      `${what}: ${header.width}×${header.height} image is larger than the ${maxPixels} pixels allowed`,
    );
  }
  const image = decodeImage(bytes, header.format, what);
  if (image.width !== header.width || image.height !== header.height) {
    throw new FormatError(
      `${what}: decoded ${image.width}×${image.height} but the header says ${header.width}×${header.height}`,
    );
  }
  const raw = image.getRawImage();
  const planes = image.components < 3 ? [0, 0, 0] : colourPlanes;
  const { scale, offset } = planeAffine(options, image.maxValue);
  const out = options.out ?? new Float32Array(3 * size * size);
  resizeCropPlanar(raw, {
    size,
    resizeTo: options.resizeTo ?? size,
    planes,
    scale,
    offset,
    out,
    outOffset: options.outOffset,
  });
  return out;
}

/** Reads an image file (at most `maxBytes`, default {@linkcode DEFAULT_MAX_IMAGE_BYTES}) and returns {@linkcode imageToCHW} of it. */
export async function readImageCHW(
  path: string,
  options: ImageTensorOptions & { maxBytes?: number } = {},
): Promise<Float32Array> {
  const bytes = await readFileLimited(path, {
    maxBytes: options.maxBytes ?? DEFAULT_MAX_IMAGE_BYTES,
    what: "image",
  });
  return imageToCHW(bytes, { ...options, what: path });
}

/** Source channel (R=0, G=1, B=2) of each output plane. */
function channelPlanes(order: ChannelOrder | undefined): number[] {
  if (order === undefined || order === "rgb") return [0, 1, 2];
  if (order === "bgr") return [2, 1, 0];
  throw new InklingError(`channelOrder must be "rgb" or "bgr", not "${order}"`);
}

function decodeImage(bytes: Uint8Array, format: string, what: string): ReturnType<typeof decode> {
  try {
    return decode(bytes);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new FormatError(`${what}: cannot decode ${format.toUpperCase()} (${reason})`);
  }
}

/** Per-output-plane `scale` and `offset` turning decoded values into the requested range. */
function planeAffine(
  options: ImageTensorOptions,
  maxValue: number,
): { scale: number[]; offset: number[] } {
  const toRaw = 255 / maxValue; // 16-bit PNGs come as 0..65535
  const normalize = options.normalize ?? "raw";
  if (normalize === "raw") return { scale: [toRaw, toRaw, toRaw], offset: [0, 0, 0] };
  if (normalize === "unit") {
    const unit = toRaw / 255;
    return { scale: [unit, unit, unit], offset: [0, 0, 0] };
  }
  if (normalize !== "imagenet") {
    throw new InklingError(`normalize must be "raw", "unit" or "imagenet", not "${normalize}"`);
  }
  const rgb = channelPlanes(options.channelOrder);
  return {
    scale: rgb.map((c) => toRaw / 255 / IMAGENET_STD[c]),
    offset: rgb.map((c) => -IMAGENET_MEAN[c] / IMAGENET_STD[c]),
  };
}
