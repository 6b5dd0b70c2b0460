/**
 * The pixels a round pen touches along one segment: a capsule, every point
 * within `radius` of the segment from `(ax, ay)` to `(bx, by)`. Both of the
 * project's stroke renderers draw with it: `renderGlyph` (training glyphs,
 * which keeps the nearest squared distance per pixel) and the synthetic
 * pages' marker (which keeps coverage), so their pens have one geometry.
 *
 * @module
 */

/** A pen segment from `(ax, ay)` to `(bx, by)` in pixels; a disc when both ends meet. */
export interface Capsule {
  /** Start, x. */
  ax: number;
  /** Start, y. */
  ay: number;
  /** End, x. */
  bx: number;
  /** End, y. */
  by: number;
  /** Half the pen width, pixels. */
  radius: number;
}

/**
 * Calls `visit(index, distance²)` for every pixel of a row-major
 * `width × height` image whose centre lies within `radius + 0.5` of the
 * capsule's axis (the farthest a pixel can be and still be partly inked),
 * with the squared distance from its centre to the axis.
 */
export function visitCapsule(
  capsule: Capsule,
  area: { width: number; height: number },
  visit: (index: number, distance2: number) => void,
): void {
  const { ax, ay, bx, by, radius } = capsule;
  const { width, height } = area;
  const reach = radius + 0.5;
  const x0 = Math.max(0, Math.floor(Math.min(ax, bx) - reach));
  const x1 = Math.min(width - 1, Math.ceil(Math.max(ax, bx) + reach));
  const y0 = Math.max(0, Math.floor(Math.min(ay, by) - reach));
  const y1 = Math.min(height - 1, Math.ceil(Math.max(ay, by) + reach));
  const dx = bx - ax;
  const dy = by - ay;
  const length2 = dx * dx + dy * dy;
  for (let y = y0; y <= y1; y++) {
    const py = y + 0.5 - ay;
    for (let x = x0; x <= x1; x++) {
      const px = x + 0.5 - ax;
      const t = length2 > 0 ? Math.min(1, Math.max(0, (px * dx + py * dy) / length2)) : 0;
      const ex = px - t * dx;
      const ey = py - t * dy;
      visit(y * width + x, ex * ex + ey * ey);
    }
  }
}
