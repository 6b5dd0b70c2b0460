/**
 * 8-bit grey images, what the luminance decoder returns, and turning one
 * upright by a photo's EXIF orientation.
 *
 * @module
 */

/** An 8-bit grey image, row-major: `grey[y * width + x]`, 0 black, 255 white. */
export interface GreyImage {
  /** Width in pixels. */
  readonly width: number;
  /** Height in pixels. */
  readonly height: number;
  /** `width × height` samples. */
  readonly grey: Uint8Array;
}

/**
 * `image` turned upright by EXIF `orientation` (1–8, see
 * `jpegOrientation`): phones store photos as the sensor saw them and record
 * how to turn them. Orientations 5–8 swap width and height; 1 and anything
 * else returns `image` itself.
 */
export function orientGrey(image: GreyImage, orientation: number): GreyImage {
  if (!(orientation >= 2 && orientation <= 8)) return image;
  const { width, height, grey } = image;
  const swap = orientation >= 5;
  const outWidth = swap ? height : width;
  const outHeight = swap ? width : height;
  // Where output pixel (0, 0) comes from, and the source steps for one output column and row.
  const [origin, column, row] = sourceWalk(orientation, width, height);
  const out = new Uint8Array(width * height);
  for (let y = 0, i = 0; y < outHeight; y++) {
    let from = origin + y * row;
    for (let x = 0; x < outWidth; x++, i++, from += column) out[i] = grey[from];
  }
  return { width: outWidth, height: outHeight, grey: out };
}

/**
 * For each orientation, the source index of the upright image's top-left
 * pixel and the source index steps per upright column and per upright row.
 */
function sourceWalk(orientation: number, width: number, height: number): [number, number, number] {
  const last = width * height;
  switch (orientation) {
    case 2: // flip left-right
      return [width - 1, -1, width];
    case 3: // turn 180°
      return [last - 1, -1, -width];
    case 4: // flip top-bottom
      return [last - width, 1, -width];
    case 5: // transpose
      return [0, width, 1];
    case 6: // turn 90° clockwise
      return [last - width, -width, 1];
    case 7: // transpose across the other diagonal
      return [last - 1, -width, -1];
    default: // 8: turn 90° anticlockwise
      return [width - 1, width, -1];
  }
}
