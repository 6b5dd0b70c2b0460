/**
 * A JPEG decoder for reading pages: the luminance alone, at full, 1/2, 1/4
 * or 1/8 size straight from the coefficients ({@linkcode decodeJpegLuma}),
 * as 8-bit grey ({@linkcode GreyImage}), turned upright by the EXIF
 * orientation ({@linkcode orientGrey}). One file per part: the marker
 * segments, Huffman tables, the bit reader, the reduced inverse DCT, the
 * scan decoder and the marker loop. Imports only the engine's errors and
 * the sibling header reader.
 *
 * @example
 * ```ts
 * import { decodeJpegLuma } from "@inkling/inkling/formats";
 * const bytes = await Deno.readFile("photo.jpg");
 * const page = decodeJpegLuma(bytes, { name: "photo.jpg", denominator: 2 });
 * if (page !== undefined) console.log(page.width, page.height, page.grey.length);
 * ```
 *
 * @module
 */

export { decodeJpegLuma, type DecodeJpegLumaOptions } from "./decode_luma.ts";
export { type GreyImage, orientGrey } from "./grey_image.ts";
