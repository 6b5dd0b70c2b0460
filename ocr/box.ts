/**
 * The box type shared by the OCR steps.
 *
 * @module
 */

/**
 * A character's bounding box in pixels, `[y1, x1, y2, x2]`, half-open: it
 * covers rows `y1 ≤ y < y2` and columns `x1 ≤ x < x2`, so its height is
 * `y2 - y1` and its width `x2 - x1`.
 */
export type Box = [y1: number, x1: number, y2: number, x2: number];
