/** Test helpers: decode a PNG and summarise its pixels. */

import { decodePng } from "image-js";
import assert from "node:assert/strict";
import { readImageHeader } from "../../formats/image_header.ts";

/** Decoded PNG with pixel access. */
export type Decoded = ReturnType<typeof decodePng>;

/** Checks signature and IHDR size, then decodes. */
export function decodeChecked(png: Uint8Array, width: number, height: number): Decoded {
  const header = readImageHeader(png);
  assert.deepEqual([header.format, header.width, header.height], ["png", width, height]);
  const image = decodePng(png);
  assert.deepEqual([image.width, image.height], [width, height]);
  return image;
}

/** Number of distinct RGB colours. */
export function colourCount(image: Decoded): number {
  const seen = new Set<number>();
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      const [r, g, b] = image.getPixel(x, y);
      seen.add((r << 16) | (g << 8) | b);
    }
  }
  return seen.size;
}

/** Pixels darker than `threshold` in every channel (ink on a white background). */
export function darkPixels(image: Decoded, threshold = 128): number {
  let count = 0;
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      const [r, g, b] = image.getPixel(x, y);
      if (r < threshold && g < threshold && b < threshold) count++;
    }
  }
  return count;
}
