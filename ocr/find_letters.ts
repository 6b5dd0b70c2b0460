/**
 * Finds the handwritten characters in an image: normalises the background,
 * finds and groups the ink at a working resolution, then redraws each
 * character's ink at the image's own resolution into a clean binary page
 * (only characters on it: specks, full stops and paper noise are gone) and
 * returns one tight box per character in the image's pixels. `readText`
 * hands it a photo already shrunk to a grey page (see `Photo`), so no
 * copy at the photo's full resolution is ever made.
 *
 * @module
 */

import type { GreyImage } from "../formats/jpeg/mod.ts";
import type { GreyPage, Image } from "./image_input.ts";
import { normaliseBackground, type NormaliseBackgroundOptions } from "./background.ts";
import type { Box } from "./box.ts";
import { groupInk, type GroupInkOptions, type InkGroup } from "./ink_groups.ts";

/** Options of {@linkcode findLetters}. */
export interface FindLettersOptions extends NormaliseBackgroundOptions, GroupInkOptions {}

/** The characters found on a page. */
export interface FoundLetters {
  /** One box per character in the image's pixels, sorted by top then left edge. */
  boxes: Box[];
  /**
   * The page at the image's resolution, row-major `height × width`: 0 on the
   * found characters' ink, 1 everywhere else.
   */
  binary: Uint8Array;
  /** Width of the image and of `binary`. */
  width: number;
  /** Height of the image and of `binary`. */
  height: number;
}

/**
 * Finds the characters of `image` (an image-js image, grey or colour, or 8-bit
 * grey pixels such as a page of a `Photo`). A page without writing, or with
 * only marks too small to be characters (under 8 pixels of the photo), gives
 * no boxes; one with more character-sized marks than `options.maxMarks` is
 * an `InklingError`.
 */
export function findLetters(
  image: Image | GreyImage | GreyPage,
  options: FindLettersOptions = {},
): FoundLetters {
  const page = normaliseBackground(image, options);
  // A page shrunk from a photo measures marks in the photo's pixels (see groupInk's factor).
  const shrunk = "photoWidth" in image ? image.photoWidth / image.width : 1;
  const ink = groupInk(page.ratio, { ...page, factor: page.factor * shrunk }, options);
  const { width, height } = image;
  const binary = new Uint8Array(width * height).fill(1);
  const boxes: Box[] = [];
  for (const group of ink.groups) {
    const member = memberMask(group, {
      labels: ink.labels,
      width: page.width,
      height: page.height,
    });
    const box = drawAtImageResolution(member, { binary, width, height }, {
      factor: page.factor,
      threshold: ink.inkThreshold,
      ratioAt: page.ratioAt,
    });
    if (box !== undefined) boxes.push(box);
  }
  boxes.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  return { boxes, binary, width, height };
}

/** A working-resolution box, one pixel larger on each side than the group's. */
function grownBox(box: Box, { width, height }: { width: number; height: number }): Box {
  return [
    Math.max(0, box[0] - 1),
    Math.max(0, box[1] - 1),
    Math.min(height, box[2] + 1),
    Math.min(width, box[3] + 1),
  ];
}

/**
 * Over the grown box, 1 where the group's components are or touch (a 3 × 3
 * dilation): an image pixel at the rim of a stroke may fall into a working
 * pixel that was just too light to be ink after block averaging.
 */
function memberMask(
  group: InkGroup,
  { labels, width, height }: { labels: Int32Array; width: number; height: number },
) {
  const [y1, x1, y2, x2] = grownBox(group.box, { width, height });
  const own = new Set(group.labels);
  const w = x2 - x1;
  const mask = new Uint8Array(w * (y2 - y1));
  for (let y = y1; y < y2; y++) {
    for (let x = x1; x < x2; x++) {
      if (!own.has(labels[y * width + x])) continue;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const my = y + dy - y1;
          const mx = x + dx - x1;
          if (my >= 0 && mx >= 0 && my < y2 - y1 && mx < w) mask[my * w + mx] = 1;
        }
      }
    }
  }
  return { box: [y1, x1, y2, x2] as Box, mask };
}

/**
 * Marks the group's ink pixels in `page.binary` at the image's resolution and
 * returns their tight box (undefined if none survive the threshold there).
 */
function drawAtImageResolution(
  member: { box: Box; mask: Uint8Array },
  page: { binary: Uint8Array; width: number; height: number },
  scale: { factor: number; threshold: number; ratioAt: (box: Box) => Float32Array },
): Box | undefined {
  const { factor, threshold } = scale;
  const [wy1, wx1, , wx2] = member.box;
  const region: Box = [
    member.box[0] * factor,
    member.box[1] * factor,
    Math.min(page.height, member.box[2] * factor),
    Math.min(page.width, member.box[3] * factor),
  ];
  const ratio = scale.ratioAt(region);
  const memberWidth = wx2 - wx1;
  let [top, left, bottom, right] = [Infinity, Infinity, -Infinity, -Infinity];
  for (let y = region[0], i = 0; y < region[2]; y++) {
    const memberRow = (Math.floor(y / factor) - wy1) * memberWidth;
    for (let x = region[1]; x < region[3]; x++, i++) {
      if (ratio[i] >= threshold || !member.mask[memberRow + Math.floor(x / factor) - wx1]) continue;
      page.binary[y * page.width + x] = 0;
      top = Math.min(top, y);
      bottom = Math.max(bottom, y);
      left = Math.min(left, x);
      right = Math.max(right, x);
    }
  }
  return top === Infinity ? undefined : [top, left, bottom + 1, right + 1];
}
