/**
 * A minimal PNG encoder (8-bit grey, RGB or RGBA, no filtering, zlib via the
 * web-standard CompressionStream) and a header reader. Enough for image grids,
 * which are written pixel by pixel and never need an SVG round trip.
 *
 * @module
 */

import { FormatError, ShapeError } from "../autograd/errors.ts";
import { crc32 } from "../datasets/archive/crc32.ts";

/** Raw 8-bit pixels, row-major, `channels` interleaved values per pixel. */
export interface RasterImage {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** 1 = grey, 3 = RGB, 4 = RGBA. */
  channels: 1 | 3 | 4;
  /** `width * height * channels` bytes. */
  pixels: Uint8Array;
}

/** What the IHDR chunk of a PNG says. */
export interface PngHeader {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** Bits per sample. */
  bitDepth: number;
  /** PNG colour type: 0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA. */
  colorType: number;
}

/** The eight bytes every PNG starts with. */
export const PNG_SIGNATURE: Uint8Array = new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]);

const COLOR_TYPE = { 1: 0, 3: 2, 4: 6 } as const;

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

async function zlibDeflate(bytes: Uint8Array): Promise<Uint8Array> {
  // "deflate" in the Compression Streams standard is the zlib format PNG wants.
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream()
    .pipeThrough(new CompressionStream("deflate"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Encodes raw 8-bit pixels as a PNG file. */
export async function encodePng(image: RasterImage): Promise<Uint8Array> {
  const { width, height, channels, pixels } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new ShapeError(`encodePng: size ${width}×${height} is not a positive integer size`);
  }
  if (!(channels in COLOR_TYPE)) throw new ShapeError(`encodePng: ${channels} channels`);
  const stride = width * channels;
  if (pixels.length !== stride * height) {
    throw new ShapeError(
      `encodePng: ${pixels.length} bytes do not fill ${width}×${height}×${channels}`,
    );
  }
  // Each scanline is prefixed with its filter type; 0 (none) keeps the encoder trivial.
  const raw = new Uint8Array((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    raw.set(pixels.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  }
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  ihdr[8] = 8;
  ihdr[9] = COLOR_TYPE[channels];
  const parts = [
    PNG_SIGNATURE,
    chunk("IHDR", ihdr),
    chunk("IDAT", await zlibDeflate(raw)),
    chunk("IEND", new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/**
 * Reads the signature and IHDR chunk of a PNG. Throws a {@linkcode FormatError}
 * naming `source` when the bytes are not a PNG.
 */
export function readPngHeader(bytes: Uint8Array, source = "PNG data"): PngHeader {
  if (bytes.length < 33 || PNG_SIGNATURE.some((b, i) => bytes[i] !== b)) {
    throw new FormatError(`${source}: not a PNG (missing signature)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = String.fromCharCode(...bytes.subarray(12, 16));
  if (type !== "IHDR" || view.getUint32(8) !== 13) {
    throw new FormatError(`${source}: PNG does not start with an IHDR chunk`);
  }
  return {
    width: view.getUint32(16),
    height: view.getUint32(20),
    bitDepth: bytes[24],
    colorType: bytes[25],
  };
}
