/**
 * From a background-normalised page to groups of ink that are one character
 * each: hysteresis thresholding, connected components, merging the pieces of
 * broken characters, and dropping specks, blots (solid dots, however large:
 * dirt, a marker's full stop) and page-sized marks. All sizes are relative
 * to the page's typical character height, so the same rules work for any
 * photo resolution and writing size.
 *
 * @module
 */

import { computeThreshold, fromMask, Image, Mask } from "image-js";
import { InklingError } from "../autograd/errors.ts";
import type { Box } from "./box.ts";
import { distanceToPaper } from "./skeleton.ts";

/** Options of {@linkcode groupInk}. */
export interface GroupInkOptions {
  /**
   * Ink must somewhere be at most this fraction of the paper's brightness for
   * a mark to count (default 0.7). The Otsu threshold of the page is used
   * when it is lower; a blank page has no pixel this dark and gives no groups.
   */
  maxInkRatio?: number;
  /**
   * Groups whose longer side is below this fraction of the typical character
   * height are specks (dust, full stops, the dots after list numbers) and are
   * dropped unless they touch a character (default 0.4; the sample photos'
   * smallest characters are 0.6 tall, and two touching specks of a noisy
   * page can reach 0.35).
   */
  minCharFraction?: number;
  /**
   * Groups whose longer side is below this fraction of the typical character
   * height and at most 2.5 times as long as they are thick are blots: dirt, a
   * marker's full stop. They are dropped unless they touch a character (default 0.6).
   */
  maxDotFraction?: number;
  /**
   * Most separate character-sized marks a page may have (default 10 000);
   * more is refused with an {@linkcode InklingError} before any grouping.
   */
  maxMarks?: number;
}

/** The ink of one character at working resolution. */
export interface InkGroup {
  /** Bounding box in working pixels. */
  box: Box;
  /** The component labels (values of {@linkcode InkGroups.labels}) that make it up. */
  labels: number[];
}

/** What {@linkcode groupInk} found. */
export interface InkGroups {
  /** One group per character, in no particular order. */
  groups: InkGroup[];
  /** Component label of every working pixel (0 = paper), row-major. */
  labels: Int32Array;
  /**
   * Ratio below which a pixel of a character is ink when it is drawn at the
   * image's resolution: halfway between paper and the characters' ink (the
   * darkest tenth of their pixels), at most the hysteresis's weak threshold.
   * Halfway keeps a thick marker's strokes as wide as they are and the small
   * loops between them open; the weak threshold, right for finding faint
   * pencil, would widen dark strokes by the blur around them.
   */
  inkThreshold: number;
  /** Typical character height in working pixels (0 when nothing was found). */
  charHeight: number;
}

/** Pieces overlapping this much of the narrower one's width are one character. */
const MIN_X_OVERLAP = 0.5;
/** …if they are at most this far apart vertically (× character height)… */
const MAX_PIECE_GAP_Y = 0.25;
/** …and the merged character is at most this tall (× character height). */
const MAX_MERGED_HEIGHT = 1.6;
/** A speck this close to a character (× character height) is a piece of it. */
const ATTACH_GAP = 0.1;
/**
 * A blot (see `isBlot`) is at most this many times as long as it is thick. A
 * marker's "1" is four times as tall as its stroke is wide.
 */
const BLOT_ELONGATION = 2.5;
/** Marks taller than this (× character height) are not characters. */
const MAX_CHAR_HEIGHT = 3;
/** Marks wider than this (× character height): ruled lines, page edges. */
const MAX_CHAR_WIDTH = 6;
/**
 * Marks whose longer side is under this many full-resolution pixels are too
 * small to be a character on any page (an E needs three bars and two gaps),
 * whatever the page's writing size: they never decide the typical character
 * height, and a page with nothing larger is blank. The sample photos'
 * smallest characters are 46 pixels tall.
 */
const MIN_CHAR_PIXELS = 8;
/**
 * Default of {@linkcode GroupInkOptions.maxMarks}. The sample photos have
 * 41–130 marks; merging and attaching compare marks pairwise, so an unbounded
 * count (a texture, a dotted pattern) would cost quadratic time.
 */
const MAX_MARKS = 10_000;
/**
 * Past this many specks (marks too small to be characters), they are dropped
 * instead of being attached one by one to the characters they touch: a speck
 * costs a comparison with every character. Real photos have a few dozen.
 */
const MAX_SPECKS = 10_000;

/**
 * Finds the characters' ink in `ratio` (`width × height`, 1 = paper, 0 =
 * black). Pixels darker than the strong threshold seed components; each
 * component grows over every connected pixel darker than the weak threshold
 * halfway between the strong one and paper (hysteresis), so faint stroke ends
 * and thin pencil lines stay attached without letting paper noise in.
 * `size.factor` is the full-resolution pixels per working pixel (default 1):
 * marks under 8 full-resolution pixels are never characters. More than
 * `options.maxMarks` character-sized marks is an {@linkcode InklingError}.
 */
export function groupInk(
  ratio: Float32Array,
  size: { width: number; height: number; factor?: number },
  options: GroupInkOptions = {},
): InkGroups {
  const { width, height } = size;
  const strong = Math.min(options.maxInkRatio ?? 0.7, otsuThreshold(ratio, size));
  const weak = (strong + 1) / 2;
  const mask = new Uint8Array(width * height);
  for (let i = 0; i < mask.length; i++) mask[i] = ratio[i] < weak ? 1 : 0;
  const manager = fromMask(new Mask(width, height, { data: mask }), { allowCorners: true });
  const labels = manager.getMap().data;
  const rois = manager.getRois({ kind: "white" });

  const darkest = new Float32Array(rois.length + 1).fill(Infinity);
  for (let i = 0; i < labels.length; i++) {
    const id = labels[i];
    if (id > 0 && ratio[i] < darkest[id]) darkest[id] = ratio[i];
  }
  let pieces = rois
    .filter((roi) => darkest[roi.id] < strong)
    .map((roi) => ({
      box: [
        roi.origin.row,
        roi.origin.column,
        roi.origin.row + roi.height,
        roi.origin.column + roi.width,
      ] as Box,
      labels: [roi.id],
      ink: roi.surface,
    }));
  for (let i = 0; i < labels.length; i++) if (labels[i] < 0) labels[i] = 0;
  const minSide = MIN_CHAR_PIXELS / (size.factor ?? 1);
  const sized = pieces.filter(({ box }) => Math.max(box[2] - box[0], box[3] - box[1]) >= minSide);
  if (sized.length === 0) return { groups: [], labels, inkThreshold: weak, charHeight: 0 };
  const maxMarks = options.maxMarks ?? MAX_MARKS;
  if (sized.length > maxMarks) {
    throw new InklingError(
      `the page has ${sized.length} separate marks the size of a character, more than the ` +
        `${maxMarks} a page of handwriting can hold; not reading it (a pattern, texture or print?)`,
    );
  }
  if (pieces.length - sized.length > MAX_SPECKS) pieces = sized;
  const charHeight = inkWeightedMedianHeight(sized);
  const plausible = pieces.filter(({ box }) =>
    box[2] - box[0] <= MAX_CHAR_HEIGHT * charHeight &&
    box[3] - box[1] <= MAX_CHAR_WIDTH * charHeight
  );
  const smallest = Math.max(minSide, (options.minCharFraction ?? 0.4) * charHeight);
  const largestDot = (options.maxDotFraction ?? 0.6) * charHeight;
  const side = ({ box }: Piece) => Math.max(box[2] - box[0], box[3] - box[1]);
  const blot = (piece: Piece) => side(piece) < largestDot && isBlot(piece, labels, width);
  // Blots never merge: two specks one above the other are not the bars of an E.
  const blots = new Set(plausible.filter(blot));
  const merged = mergeOverlapping(plausible.filter((p) => !blots.has(p)), charHeight);
  const groups = attachOrDropSpecks([...merged, ...blots], {
    charHeight,
    isSpeck: (group) => blots.has(group) || side(group) < smallest || blot(group),
  });
  const inkLevel = darkTenth(ratio, { labels, groups });
  return {
    groups: groups.map(({ box, labels }) => ({ box, labels })),
    labels,
    inkThreshold: Math.min(weak, (inkLevel + 1) / 2),
    charHeight,
  };
}

/** The ratio below which a tenth of the groups' pixels lie (a 256-bin histogram of [0, 1]). */
function darkTenth(
  ratio: Float32Array,
  { labels, groups }: { labels: Int32Array; groups: readonly Piece[] },
): number {
  const own = new Set(groups.flatMap((g) => g.labels));
  const histogram = new Uint32Array(256);
  let count = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] === 0 || !own.has(labels[i])) continue;
    histogram[Math.min(255, Math.max(0, Math.floor(ratio[i] * 256)))]++;
    count++;
  }
  for (let bin = 0, seen = 0; bin < 256; bin++) {
    seen += histogram[bin];
    if (seen >= count / 10) return bin / 256;
  }
  return 1;
}

type Piece = { box: Box; labels: number[]; ink: number };

/** Otsu's threshold of the ratio image (clamped to [0, 1], 8-bit histogram). */
function otsuThreshold(ratio: Float32Array, { width, height }: { width: number; height: number }) {
  const grey = new Uint8Array(ratio.length);
  for (let i = 0; i < grey.length; i++) grey[i] = Math.round(Math.min(1, ratio[i]) * 255);
  return computeThreshold(new Image(width, height, { colorModel: "GREY", data: grey })) / 255;
}

/**
 * The height of the piece holding the median ink pixel. Weighting by ink
 * lets the characters, not the many tiny specks of a noisy photo, decide.
 */
function inkWeightedMedianHeight(pieces: Piece[]): number {
  const sorted = pieces.map(({ box, ink }) => ({ h: box[2] - box[0], ink })).sort((a, b) =>
    a.h - b.h
  );
  const half = sorted.reduce((sum, p) => sum + p.ink, 0) / 2;
  let seen = 0;
  for (const { h, ink } of sorted) {
    seen += ink;
    if (seen >= half) return h;
  }
  return 0;
}

/**
 * Merges pieces stacked above each other (the bars of an E drawn apart, a T
 * whose stem misses its bar): they overlap in x by at least half of the
 * narrower one, are vertically close, and together stay character-sized.
 * Neighbouring characters of a line touch at most at their edges in x, and
 * characters of adjacent lines are too far apart, so neither merges.
 */
function mergeOverlapping(pieces: Piece[], charHeight: number): Piece[] {
  let groups = pieces.map((p) => ({ ...p, box: [...p.box] as Box }));
  let changed = true;
  while (changed) {
    changed = false;
    groups.sort((a, b) => a.box[1] - b.box[1]);
    const out: Piece[] = [];
    const used = new Uint8Array(groups.length);
    for (let i = 0; i < groups.length; i++) {
      if (used[i]) continue;
      const a = groups[i];
      for (let j = i + 1; j < groups.length && groups[j].box[1] < a.box[3]; j++) {
        if (used[j] || !samePieceOfText(a.box, groups[j].box, charHeight)) continue;
        a.box = union(a.box, groups[j].box);
        a.labels.push(...groups[j].labels);
        a.ink += groups[j].ink;
        used[j] = 1;
        changed = true;
      }
      out.push(a);
    }
    groups = out;
  }
  return groups;
}

function samePieceOfText(a: Box, b: Box, charHeight: number): boolean {
  const overlapX = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  const narrower = Math.min(a[3] - a[1], b[3] - b[1]);
  const gapY = Math.max(a[0], b[0]) - Math.min(a[2], b[2]);
  const mergedHeight = Math.max(a[2], b[2]) - Math.min(a[0], b[0]);
  return overlapX >= MIN_X_OVERLAP * narrower && gapY <= MAX_PIECE_GAP_Y * charHeight &&
    mergedHeight <= MAX_MERGED_HEIGHT * charHeight;
}

/**
 * Small groups either belong to the character they (almost) touch, a stroke
 * broken by the threshold, or are specks and full stops, which stand apart.
 */
function attachOrDropSpecks(
  groups: Piece[],
  { charHeight, isSpeck }: { charHeight: number; isSpeck: (group: Piece) => boolean },
): Piece[] {
  const chars: Piece[] = [];
  const specks: Piece[] = [];
  for (const group of groups) (isSpeck(group) ? specks : chars).push(group);
  for (const speck of specks) {
    let best: Piece | undefined;
    let bestGap = ATTACH_GAP * charHeight;
    for (const char of chars) {
      const gap = boxGap(speck.box, char.box);
      if (gap <= bestGap) [best, bestGap] = [char, gap];
    }
    if (best === undefined) continue;
    best.box = union(best.box, speck.box);
    best.labels.push(...speck.labels);
  }
  return chars;
}

/**
 * Whether a group is a blot: solid ink no more than
 * {@linkcode BLOT_ELONGATION} times as long as it is thick (thickness: twice
 * the largest distance from its ink to paper), as a dot of dirt, two
 * touching ones or a full stop are. Every character is a stroke drawn out to
 * several times the pen's width (a marker's "1" or "-" included), so this
 * tells specks from small characters by their shape, whatever the pen; a
 * size limit alone cannot, as a marker's full stop is as large as a pencil's
 * small letter is tall.
 */
function isBlot(group: InkGroup, labels: Int32Array, width: number): boolean {
  const [y1, x1, y2, x2] = group.box;
  const w = x2 - x1;
  const own = new Set(group.labels);
  const mask = new Uint8Array(w * (y2 - y1));
  for (let y = y1; y < y2; y++) {
    for (let x = x1; x < x2; x++) {
      mask[(y - y1) * w + x - x1] = own.has(labels[y * width + x]) ? 1 : 0;
    }
  }
  const depth = distanceToPaper({ mask, width: w, height: y2 - y1 }).reduce(
    (a, b) => Math.max(a, b),
    0,
  );
  return Math.max(w, y2 - y1) <= BLOT_ELONGATION * (2 * depth - 1);
}

/** Chebyshev distance between two boxes (0 when they overlap). */
function boxGap(a: Box, b: Box): number {
  const dy = Math.max(0, Math.max(a[0], b[0]) - Math.min(a[2], b[2]));
  const dx = Math.max(0, Math.max(a[1], b[1]) - Math.min(a[3], b[3]));
  return Math.max(dx, dy);
}

function union(a: Box, b: Box): Box {
  return [
    Math.min(a[0], b[0]),
    Math.min(a[1], b[1]),
    Math.max(a[2], b[2]),
    Math.max(a[3], b[3]),
  ];
}
