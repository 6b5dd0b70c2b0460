import assert from "node:assert/strict";
import { type Box, groupLines, linesToText, splitWords } from "../../ocr/mod.ts";

/** Boxes of height `h` along a baseline `y = top + slope · x`, from left edges and widths. */
function row(top: number, cells: [left: number, width: number][], h = 40, slope = 0): Box[] {
  return cells.map(([left, width]) => {
    const y = Math.round(top + slope * left);
    return [y, left, y + h, left + width];
  });
}

/** Cells of width `w` with `gaps[i]` blank pixels before cell i + 1. */
function spaced(w: number, gaps: number[]): [number, number][] {
  const cells: [number, number][] = [[0, w]];
  for (const gap of gaps) {
    const [left, width] = cells[cells.length - 1];
    cells.push([left + width + gap, w]);
  }
  return cells;
}

Deno.test("splitWords: evenly spaced isolated characters stay one run", () => {
  // Every gap wide (a whole character height), none a word break.
  assert.deepEqual(splitWords(row(0, spaced(30, [40, 44, 38, 41, 40, 39]))), [[
    0,
    1,
    2,
    3,
    4,
    5,
    6,
  ]]);
});

Deno.test("splitWords: word breaks in tight and loose writing", () => {
  // Tight letters (gaps 3-6 px, height 40) with spaces of 30 px.
  const tight = row(0, spaced(25, [4, 3, 30, 5, 6, 4, 32, 3]));
  assert.deepEqual(splitWords(tight), [[0, 1, 2], [3, 4, 5, 6], [7, 8]]);
  // Loosely spaced word (gaps 20-26), then "TO DO" written tight (gaps 4)
  // with a space (36 px) below twice the line's median gap: the narrow gaps
  // beside it show it is a break.
  const loose = row(0, spaced(25, [22, 26, 20, 60, 4, 36, 4]));
  assert.deepEqual(splitWords(loose), [[0, 1, 2, 3], [4, 5], [6, 7]]);
  assert.deepEqual(splitWords([]), []);
});

Deno.test("splitWords: tight marker words, uneven letters, a numbered line", () => {
  // "BE SURE TO" in marker: letters 2-3 px apart, spaces of a quarter height.
  const marker = row(0, spaced(25, [2, 10, 3, 2, 3, 11, 2]));
  assert.deepEqual(splitWords(marker), [[0, 1], [2, 3, 4, 5], [6, 7]]);
  // One word whose letters are spaced unevenly (6-16 px): no two kinds of gap.
  assert.deepEqual(splitWords(row(0, spaced(25, [6, 14, 8, 12, 16, 7]))), [[0, 1, 2, 3, 4, 5, 6]]);
  // "1 BE SURE": the list number's gap is widest, the tight spaces come next.
  const numbered = row(0, spaced(25, [48, 3, 14, 4, 3, 2]));
  assert.deepEqual(splitWords(numbered), [[0], [1, 2], [3, 4, 5, 6]]);
  // "A NAP": two in-word gaps of 12 and 29 px are not a third kind of gap.
  assert.deepEqual(splitWords(row(0, spaced(25, [55, 12, 29]))), [[0], [1, 2, 3]]);
});

Deno.test("groupLines: slanted lines, short letters, reading order", () => {
  // Line 1 climbs 0.25 px per px (70 px over the line, more than the box
  // height); line 2 is flat and starts with a short letter.
  const first = row(200, spaced(30, [8, 8, 8, 40, 8, 8]), 40, -0.25);
  const second = row(300, spaced(30, [8, 8, 8, 8]), 40);
  second[0] = [320, second[0][1], 340, second[0][3]]; // a short letter, lower half only
  const boxes = [...second, ...first].reverse(); // any input order
  const lines = groupLines(boxes);
  assert.equal(lines.length, 2);
  // Reversed input: indices 0..6 are line 1 right to left (A..G), 7..11 line 2 (H..L).
  const text = linesToText(lines, boxes.map((_, i) => String.fromCharCode(65 + i)));
  assert.equal(text, "GFED CBA\nLKJIH");
  // Lefts 0..260 (rightmost edge 290); the top climbs to 200 - 0.25 · 260 = 135.
  assert.deepEqual(lines[0].box, [135, 0, 240, 290]);
  assert.deepEqual(lines[1].box, [300, 0, 340, 182]);
});

Deno.test("groupLines: no boxes, no lines", () => {
  assert.deepEqual(groupLines([]), []);
});

Deno.test("splitWords: a two-character line breaks only at a gap wider than 0.6 heights", () => {
  assert.deepEqual(splitWords(row(0, spaced(25, [20]))), [[0, 1]]);
  assert.deepEqual(splitWords(row(0, spaced(25, [30]))), [[0], [1]]);
});
