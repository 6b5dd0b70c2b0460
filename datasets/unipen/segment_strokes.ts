/**
 * Turns one `.SEGMENT` of an expanded UNIPEN file into drawable strokes: the
 * pen-down points its delineation selects, converted from tablet points to
 * inches per axis and with y flipped, since UNIPEN's y axis points up while
 * images (and the strokes returned here) have y pointing down.
 *
 * @module
 */

import { excerpt, FormatError } from "../../autograd/errors.ts";
import { parseDelineation } from "./delineation.ts";
import type { UnipenDocument, UnipenSegmentLine } from "./document.ts";

/**
 * The strokes of `segment`, one `Float32Array` of x, y pairs (inches, y down)
 * per selected pen-down component or part of one. Pen-up components inside
 * the delineation (some contributors record hover points) are left out, so a
 * segment may yield no stroke at all. Throws a {@linkcode FormatError} naming
 * the segment's line when the delineation points outside the file or no
 * resolution was declared.
 */
export function segmentStrokes(
  document: UnipenDocument,
  segment: UnipenSegmentLine,
): Float32Array[] {
  const { pointsPerInchX, pointsPerInchY, where } = segment;
  if (pointsPerInchX === undefined || pointsPerInchY === undefined) {
    throw new FormatError(`${where}: no .X/.Y_POINTS_PER_INCH (or _PER_MM) before this segment`);
  }
  const { points, componentStart, componentEnd, penDown } = document;
  const strokes: Float32Array[] = [];
  for (const range of parseDelineation(segment.delineation, where)) {
    if (range.toComponent >= componentStart.length) {
      throw new FormatError(
        `${where}: delineation ${
          excerpt(segment.delineation)
        } names component ${range.toComponent}` +
          ` but the file has ${componentStart.length}`,
      );
    }
    for (let c = range.fromComponent; c <= range.toComponent; c++) {
      const length = componentEnd[c] - componentStart[c];
      const first = c === range.fromComponent ? range.fromPoint : 0;
      const last = c === range.toComponent && range.toPoint !== Infinity
        ? range.toPoint
        : length - 1;
      if (first >= length || last >= length) {
        throw new FormatError(
          `${where}: delineation ${
            excerpt(segment.delineation)
          } names a point outside component ${c}` +
            ` (${length} points)`,
        );
      }
      if (!penDown[c]) continue;
      const stroke = new Float32Array((last - first + 1) * 2);
      const offset = (componentStart[c] + first) * 2;
      for (let i = 0; i < stroke.length; i += 2) {
        stroke[i] = points[offset + i] / pointsPerInchX;
        stroke[i + 1] = -points[offset + i + 1] / pointsPerInchY;
      }
      strokes.push(stroke);
    }
  }
  return strokes;
}
