/**
 * A picture for checking the OCR layout by eye: the photo (shrunk), a box
 * around every character in its line's colour, and a bar under every word.
 *
 * @module
 */

import type { Image } from "./image_input.ts";
import type { Box } from "./box.ts";
import type { TextLine } from "./lines.ts";

/** Options of {@linkcode drawOverlay}. */
export interface DrawOverlayOptions {
  /** Longest side of the picture in pixels (default 1600; the photo is never enlarged). */
  maxSide?: number;
}

/** Line colours, cycled: distinct hues that stand out on paper and on ink. */
const PALETTE = [
  [230, 25, 75],
  [60, 180, 75],
  [0, 130, 200],
  [245, 130, 48],
  [145, 30, 180],
  [0, 170, 170],
  [240, 50, 230],
  [128, 128, 0],
];

/**
 * Draws `layout.boxes` (full-resolution, as found) grouped by
 * `layout.lines` over a shrunk RGB copy of `image`; boxes in no line are
 * drawn in grey.
 */
export function drawOverlay(
  image: Image,
  layout: { boxes: readonly Box[]; lines: readonly TextLine[] },
  options: DrawOverlayOptions = {},
): Image {
  const scale = Math.min(1, (options.maxSide ?? 1600) / Math.max(image.width, image.height));
  let picture = image.colorModel === "RGB" ? image : image.convertColor("RGB");
  if (picture.bitDepth !== 8) picture = picture.convertBitDepth(8);
  if (scale < 1) picture = picture.resize({ xFactor: scale, yFactor: scale });
  const thickness = Math.max(1, Math.round(Math.max(picture.width, picture.height) / 800));
  const at = (v: number) => Math.round(v * scale);
  const rectangle = (box: Box, color: number[], filled: boolean) => {
    const origin = { row: at(box[0]), column: at(box[1]) };
    const width = Math.max(1, at(box[3]) - origin.column);
    const height = Math.max(1, at(box[2]) - origin.row);
    for (let t = 0; t < (filled ? 1 : thickness); t++) {
      picture.drawRectangle({
        origin: { row: origin.row - t, column: origin.column - t },
        width: width + 2 * t,
        height: height + 2 * t,
        strokeColor: color,
        ...(filled ? { fillColor: color } : {}),
        out: picture,
      });
    }
  };
  const inLine = new Set(layout.lines.flatMap((line) => line.words.flat()));
  layout.boxes.forEach((box, i) => {
    if (!inLine.has(i)) rectangle(box, [128, 128, 128], false);
  });
  layout.lines.forEach((line, n) => {
    const color = PALETTE[n % PALETTE.length];
    for (const word of line.words) {
      for (const i of word) rectangle(layout.boxes[i], color, false);
      const left = Math.min(...word.map((i) => layout.boxes[i][1]));
      const right = Math.max(...word.map((i) => layout.boxes[i][3]));
      const bottom = Math.max(...word.map((i) => layout.boxes[i][2]));
      const gap = (thickness + 2) / scale;
      rectangle([bottom + gap, left, bottom + gap + 2 * thickness / scale, right], color, true);
    }
  });
  return picture;
}
