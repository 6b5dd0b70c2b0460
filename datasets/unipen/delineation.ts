/**
 * UNIPEN delineations: the part of a `.SEGMENT` line that says which pen
 * components (and, optionally, which points of them) make up the segment.
 *
 * @module
 */

import { excerpt, FormatError } from "../../autograd/errors.ts";

/**
 * One inclusive span of a delineation, from point `fromPoint` of component
 * `fromComponent` to point `toPoint` of component `toComponent`. A bound
 * written without `:point` covers its whole component: `fromPoint` is then 0
 * and `toPoint` is `Infinity` (the component's last point).
 */
export interface DelineationRange {
  /** First component (0-based, in the numbering of the expanded file). */
  fromComponent: number;
  /** First point inside `fromComponent` (0-based). */
  fromPoint: number;
  /** Last component, inclusive. */
  toComponent: number;
  /** Last point inside `toComponent`, inclusive; `Infinity` for "to its end". */
  toPoint: number;
}

/**
 * Parses a delineation such as `3`, `1-2`, `4,6-7` or `12:0-13:20` into its
 * ranges, in the order written. Throws a {@linkcode FormatError} (naming
 * `where`, e.g. "file.dat:17") for anything else, or for a range that runs
 * backwards.
 */
export function parseDelineation(text: string, where = "delineation"): DelineationRange[] {
  if (text.length === 0) throw new FormatError(`${where}: empty delineation`);
  return text.split(",").map((part) => {
    const dash = part.indexOf("-");
    const from = parseBound(dash < 0 ? part : part.slice(0, dash), text, where);
    const to = dash < 0 ? from : parseBound(part.slice(dash + 1), text, where);
    const fromPoint = from.point ?? 0;
    const toPoint = to.point ?? Infinity;
    if (
      to.component < from.component || (to.component === from.component && toPoint < fromPoint)
    ) {
      throw new FormatError(`${where}: delineation ${excerpt(text)} runs backwards`);
    }
    return { fromComponent: from.component, fromPoint, toComponent: to.component, toPoint };
  });
}

const BOUND = /^(\d+)(?::(\d+))?$/;

/** Parses `component` or `component:point`; a missing point stays undefined. */
function parseBound(
  bound: string,
  text: string,
  where: string,
): { component: number; point?: number } {
  const match = BOUND.exec(bound);
  if (match === null) throw new FormatError(`${where}: bad delineation ${excerpt(text)}`);
  const component = Number(match[1]);
  return match[2] === undefined ? { component } : { component, point: Number(match[2]) };
}
