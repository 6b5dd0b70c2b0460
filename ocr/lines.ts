/**
 * Reading order: groups character boxes into lines (top to bottom), orders
 * each line's characters left to right and splits it into words.
 *
 * Lines are chained, not cut at fixed heights: walking the boxes from left to
 * right, each joins the line whose latest box it overlaps most vertically.
 * Comparing a box only with its left neighbour tolerates slanted lines (the
 * line may drift by a whole character height over its length) and mixes of
 * tall and short letters (a short letter lies within the tall one's rows).
 *
 * Word breaks come from each line's own gaps, split into narrow and wide
 * ones; see {@linkcode splitWords}.
 *
 * @module
 */

import type { Box } from "./box.ts";

/** Options of {@linkcode groupLines}. */
export interface GroupLinesOptions {
  /**
   * A box joins a line when it overlaps the line's latest box vertically by
   * at least this fraction of the shorter of the two heights (default 0.5).
   */
  minLineOverlap?: number;
  /** Options of the word split. */
  words?: SplitWordsOptions;
}

/** Options of {@linkcode splitWords}. */
export interface SplitWordsOptions {
  /**
   * The wider of two clusters of gaps are word breaks when their mean is at
   * least this many times the narrower cluster's (default 2.2)…
   */
  minClusterRatio?: number;
  /** …or when the narrowest of them is this many times the widest narrow gap (default 1.6). */
  minEdgeRatio?: number;
  /**
   * A break found by splitting the narrow cluster again must be this many
   * times as wide as the in-word gaps beside it (default 1.5).
   */
  minLocalRatio?: number;
  /**
   * The one gap of a two-character line is a break when it is wider than
   * this many character heights (default 0.6).
   */
  minLoneGap?: number;
}

/** One line of text: its words, each a list of indices into the boxes, left to right. */
export interface TextLine {
  /** Words left to right; each holds indices into the `boxes` given to {@linkcode groupLines}. */
  words: number[][];
  /** The union of the line's boxes. */
  box: Box;
}

/**
 * Groups `boxes` into lines of words in reading order: lines top to bottom,
 * words and characters left to right. Every box lands in exactly one word.
 */
export function groupLines(boxes: readonly Box[], options: GroupLinesOptions = {}): TextLine[] {
  const minOverlap = options.minLineOverlap ?? 0.5;
  const centreX = (b: Box) => (b[1] + b[3]) / 2;
  const order = boxes.map((_, i) => i).sort((a, b) => centreX(boxes[a]) - centreX(boxes[b]));
  const lines: number[][] = [];
  for (const index of order) {
    const box = boxes[index];
    let best: number[] | undefined;
    let bestScore = minOverlap;
    for (const line of lines) {
      const score = verticalOverlap(box, boxes[line[line.length - 1]]);
      if (score >= bestScore) [best, bestScore] = [line, score];
    }
    if (best === undefined) lines.push([index]);
    else best.push(index);
  }
  const middle = (line: number[]) => median(line.map((i) => (boxes[i][0] + boxes[i][2]) / 2));
  return lines
    .sort((a, b) => middle(a) - middle(b))
    .map((line) => ({
      words: splitWords(line.map((i) => boxes[i]), options.words).map((word) =>
        word.map((k) => line[k])
      ),
      box: line.map((i) => boxes[i]).reduce((u, b) => [
        Math.min(u[0], b[0]),
        Math.min(u[1], b[1]),
        Math.max(u[2], b[2]),
        Math.max(u[3], b[3]),
      ]),
    }));
}

/**
 * Splits one line's boxes (already left to right) into words; returns
 * positions into `line`.
 *
 * A gap is the blank between two neighbouring boxes, in units of the line's
 * median box height, so the rule is the same for any writing size. The
 * line's gaps are split into two clusters, narrow and wide, as Otsu's method
 * splits a histogram (the split that maximises the variance between them).
 * The wide cluster is the word breaks when it is clearly a different kind
 * of gap: its mean at least `minClusterRatio` (2.2) times the narrow one's,
 * or its narrowest gap at least `minEdgeRatio` (1.6) times the widest narrow
 * one; and it holds no more gaps than the narrow one (words average two
 * letters or more). Otherwise all gaps are of one kind and the line is one
 * word: a row of evenly spaced single characters, or one word whose letters
 * are spaced unevenly. Ratios rather than differences decide, so tight
 * marker words (letters all but touching, spaces a quarter of a character
 * wide) split as surely as loosely written ones.
 *
 * The narrow cluster is split again the same way, for lines with gaps of
 * three kinds, such as a list number far from the tightly written words
 * after it. There the narrow side must hold two gaps or more, and each
 * further break must also be `minLocalRatio` (1.5) times as wide as the
 * in-word gaps beside it: a loosely spaced word among tight ones is not a
 * run of one-letter words. A line with a single gap has nothing to compare
 * it with: it is a break when wider than `minLoneGap` (0.6) character
 * heights.
 *
 * Measured on the four sample photos (35 lines, 227 gaps, 35 of them word
 * breaks: all split right) and on the true boxes of 40 synthetic marker
 * pages of other seeds than the test fixtures (256 lines of tight, ordinary
 * and widely letter-spaced words and runs of single characters): one line
 * splits wrong, a one-letter word between two tight spaces ("2 ON A READ").
 * A cluster ratio of 2 gets that one right too, but a row of the photos'
 * evenly spaced letters already has a wide cluster 1.9 times its narrow one;
 * an edge ratio of 1.8 gets four lines wrong, and no edge ratio at all
 * leaves words 0.6 and 1.3 heights apart joined. Splitting a sub-cluster of
 * one gap would turn "A NAP" (gaps 0.3 and 0.7 within NAP) into "A NA P".
 */
export function splitWords(line: readonly Box[], options: SplitWordsOptions = {}): number[][] {
  if (line.length === 0) return [];
  const height = Math.max(1, median(line.map((b) => b[2] - b[0])));
  const gaps = line.slice(1).map((box, i) => (box[1] - line[i][3]) / height);
  const breaks = wordBreaks(gaps, options);
  const words: number[][] = [[0]];
  breaks.forEach((isBreak, i) => {
    if (isBreak) words.push([i + 1]);
    else words[words.length - 1].push(i + 1);
  });
  return words;
}

/**
 * Gaps narrower than this (× character height) count as this wide when
 * cluster means are compared: letters that touch or overlap have gaps of 0
 * or less, and any space would be infinitely many times as wide.
 */
const MIN_MEAN_GAP = 0.05;

/** Which of `gaps` (in character heights) are word breaks; see {@linkcode splitWords}. */
function wordBreaks(gaps: readonly number[], options: SplitWordsOptions): boolean[] {
  const breaks = gaps.map(() => false);
  if (gaps.length === 1) breaks[0] = gaps[0] > (options.minLoneGap ?? 0.6);
  const inWordBeside = (i: number) =>
    Math.max(
      0,
      ...[i - 1, i + 1].filter((j) => j >= 0 && j < gaps.length && !breaks[j]).map((j) => gaps[j]),
    );
  const floor = (v: number) => Math.max(MIN_MEAN_GAP, v);
  const mean = (cluster: number[]) => cluster.reduce((sum, i) => sum + gaps[i], 0) / cluster.length;
  let open = gaps.map((_, i) => i);
  for (let level = 0; open.length >= 2; level++) {
    const { narrow, wide } = twoClusters(open, gaps);
    if (wide.length > narrow.length || (level > 0 && narrow.length < 2)) break;
    const apart = mean(wide) >= (options.minClusterRatio ?? 2.2) * floor(mean(narrow)) ||
      gaps[wide[0]] >= (options.minEdgeRatio ?? 1.6) * floor(gaps[narrow[narrow.length - 1]]);
    if (!apart) break;
    const local = options.minLocalRatio ?? 1.5;
    const found = level === 0 ? wide : wide.filter((i) => gaps[i] >= local * inWordBeside(i));
    if (found.length === 0) break;
    for (const i of found) breaks[i] = true;
    open = narrow;
  }
  return breaks;
}

/**
 * Otsu's split of the gaps `indices` point at: sorted by width, cut where
 * the between-cluster variance n₁ · n₂ · (mean₂ − mean₁)² is largest.
 */
function twoClusters(
  indices: readonly number[],
  gaps: readonly number[],
): { narrow: number[]; wide: number[] } {
  const sorted = [...indices].sort((a, b) => gaps[a] - gaps[b]);
  const total = sorted.reduce((sum, i) => sum + gaps[i], 0);
  let best = 1;
  let bestScore = -Infinity;
  let below = 0;
  for (let k = 1; k < sorted.length; k++) {
    below += gaps[sorted[k - 1]];
    const n = sorted.length - k;
    const score = k * n * ((total - below) / n - below / k) ** 2;
    if (score > bestScore) [best, bestScore] = [k, score];
  }
  return { narrow: sorted.slice(0, best), wide: sorted.slice(best) };
}

/**
 * Joins recognised characters into text: `chars[i]` is the character of box
 * `i`; words are separated by one space and lines by a newline.
 */
export function linesToText(lines: readonly TextLine[], chars: readonly string[]): string {
  return lines.map((line) => line.words.map((word) => word.map((i) => chars[i]).join("")).join(" "))
    .join("\n");
}

/** Vertical overlap of two boxes as a fraction of the shorter one's height. */
function verticalOverlap(a: Box, b: Box): number {
  const overlap = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  return overlap / Math.max(1, Math.min(a[2] - a[0], b[2] - b[0]));
}

function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
