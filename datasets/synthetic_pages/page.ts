/**
 * Synthetic OCR test pages with known text: lines of block capitals and
 * digits written with a thick marker on noisy paper and photographed (see
 * `paper.ts`), drawn from UNIPEN pen strokes of writers the OCR
 * model never saw. Each line has its own spacing: tight marker words
 * (letters nearly touching, spaces under half a character), ordinary
 * writing, widely letter-spaced words, or a run of single characters spaced
 * evenly with no word break (like the assignment's `02_letters`). Some lines
 * are numbered list items ("3. BUY MILK"), whose full stop the truth leaves
 * out, as the sample photos' transcriptions do. The paper carries specks of
 * dirt from single pixels up to a little larger than a marker full stop,
 * kept clear of the writing.
 *
 * @module
 */

import { InklingError } from "../../autograd/errors.ts";
import { Rng } from "../../autograd/rng.ts";
import { NIST36_CLASSES } from "../nist36.ts";
import { chooseGlyph, drawGlyph, type PageGlyph, type Pen, type ShapedGlyph } from "./glyphs.ts";
import { type Coverage, drawCapsule, encodeJpeg, photograph, randomPhotoStyle } from "./paper.ts";

/** Options of {@linkcode renderSyntheticPage}. */
export interface SyntheticPageOptions {
  /** Seed of every random choice: text, writer, spacing, pen, paper and noise. */
  seed: number;
  /** Page width in pixels, at least 400 (default 1000). */
  width?: number;
  /** Page height in pixels, at least 200 (default 700). */
  height?: number;
  /**
   * Marker width as a multiple of the training glyphs' pen, relative to the
   * writing (default: drawn from 2–2.5 per page).
   */
  penScale?: number;
}

/** A rendered page. */
export interface SyntheticPage {
  /** The true text: words joined by one space, lines by a newline, no full stops. */
  text: string;
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** The photo as a JPEG file. */
  jpeg: Uint8Array;
  /** Each character's ink box `[y1, x1, y2, x2]`, in reading order. */
  boxes: [number, number, number, number][];
  /** The page's drawing parameters, for reports: each line's writer and spacing. */
  style: { charHeight: number; penWidth: number; writers: string[]; lines: LineKind[] };
}

/** How a line is spaced (see the module doc). */
export type LineKind = "tight" | "normal" | "wide" | "run";

/**
 * The training glyphs' pen relative to their centre lines' extent: 2.56
 * pixels over a 24-pixel span.
 */
const TRAINING_PEN = 2.56 / 24;
/**
 * The marker is this many times as wide as the training pen, relative to the
 * writing: strokes a fifth to a quarter of the characters' height (a felt
 * marker on capitals a few times its width). Wider still, the angles of N,
 * M, W and V fill in so far that the OCR's stroke normalisation reads them
 * as H and Y: on 20 pages written 3 times as wide, readText gets 7 % of the
 * characters wrong (1.9 % at 2 times, 2.2 % at 2.5, 1.9 % with the training
 * pen itself).
 */
const MARKER_SCALE: readonly [number, number] = [2, 2.5];
/**
 * Blank between characters and between words, in character heights, per
 * line kind (a run's characters are its words, spaced as its letters).
 */
const SPACING: Readonly<Record<LineKind, { letter: [number, number]; word?: [number, number] }>> = {
  tight: { letter: [0.1, 0.18], word: [0.4, 0.65] },
  normal: { letter: [0.1, 0.3], word: [0.7, 1.1] },
  wide: { letter: [0.4, 0.7], word: [1.7, 2.3] },
  run: { letter: [0.4, 0.9] },
};
/** Each gap varies by up to this fraction of its line's spacing. */
const GAP_JITTER = 0.25;
/** Specks stay at least this far (× character height) from any character's ink. */
const SPECK_CLEARANCE = 0.25;

const WORDS = (
  "BE SURE TO DO IT GOOD DOG ODD DOOR DONE GOLD FOOD MOOD ROAD CODE DEAR OLD GO NO ON " +
  "QUIZ QUOTE ZERO FIVE SEVEN NINE TEN MAKE A LIST CHECK OFF THE FIRST THING REWARD " +
  "YOURSELF WITH NAP DEEP LEARNING HAIKUS ARE EASY BUT SOMETIMES THEY DONT SENSE " +
  "JUMP OVER LAZY BROWN FOX QUICK BOX VIEW WAKE KEEP CALM PAY RENT BUY MILK EGGS " +
  "CALL MOM AT NOON MEET ME HERE WHY NOT SHOP OPEN CLOSED EXIT ROOM HALL WEST EAST " +
  "NORTH SOUTH BIKE LOCK HOME WORK PLAN STUDY READ WRITE PAGE NOTE DRAW MAP KIND"
).split(" ");

/**
 * Renders a page from `glyphs` (see {@linkcode testWriterGlyphs}); the same
 * seed and glyphs give the same bytes. Each line has a writer of its own
 * (a page's error rate depends more on whose writing it is than on anything
 * else: 0 to 8 % for single-writer pages); a character the writer never
 * wrote, or only illegibly at the marker's width, comes from another.
 */
export function renderSyntheticPage(
  glyphs: readonly PageGlyph[],
  options: SyntheticPageOptions,
): SyntheticPage {
  const rng = new Rng(options.seed);
  const width = options.width ?? 1000;
  const height = options.height ?? 700;
  if (!(Number.isInteger(width) && Number.isInteger(height) && width >= 400 && height >= 200)) {
    throw new InklingError(
      `renderSyntheticPage: a page of ${width} × ${height} pixels; at least 400 × 200 holds a line`,
    );
  }
  const byChar = new Map<string, PageGlyph[]>();
  for (const glyph of glyphs) byChar.set(glyph.char, [...byChar.get(glyph.char) ?? [], glyph]);
  const missing = [...NIST36_CLASSES].filter((c) => !byChar.has(c));
  if (missing.length > 0) {
    throw new InklingError(
      `renderSyntheticPage: no glyph of ${missing.join(" ")}; the text uses all of A–Z and 0–9`,
    );
  }
  const writers = [...new Set(glyphs.map((g) => g.writer))].sort();
  const charHeight = rng.uniform(36, 50);
  // Drawn even when `penScale` is given, so that the rest of the page stays the same.
  const scale = rng.uniform(...MARKER_SCALE);
  const penWidth = charHeight * TRAINING_PEN * (options.penScale ?? scale);
  const ink: Coverage = { data: new Float32Array(width * height), width, height };
  const pen: Pen = { radius: penWidth / 2, charHeight, thinRadius: charHeight * TRAINING_PEN / 2 };
  const margin = charHeight;
  const kinds: LineKind[] = ["tight", "wide", "normal", "run", "tight", "wide"];
  const order = rng.permutation(kinds.length);
  const lines: string[] = [];
  const boxes: SyntheticPage["boxes"] = [];
  const usedKinds: LineKind[] = [];
  const lineWriters: string[] = [];
  let baseline = margin + charHeight * rng.uniform(1, 1.4);
  for (let n = 0; baseline + penWidth < height - margin / 2; n++) {
    const kind = kinds[order[n % kinds.length]];
    const writer = writers[rng.int(writers.length)];
    const choose = (char: string) => {
      const all = byChar.get(char)!;
      return chooseGlyph({ own: all.filter((g) => g.writer === writer), all }, { rng, pen });
    };
    const words = lineText(kind, rng);
    const line = layLine(words, {
      kind,
      rng,
      left: margin * rng.uniform(0.8, 1.5),
      right: width - margin,
      baseline,
      pen,
      choose,
      ink,
    });
    lines.push(line.words.join(kind === "run" ? "" : " "));
    boxes.push(...line.boxes);
    usedKinds.push(kind);
    lineWriters.push(writer);
    baseline += charHeight * rng.uniform(2, 2.5);
  }
  const specks = scatterSpecks({ width, height }, { rng, boxes, pen });
  const style = randomPhotoStyle(rng);
  const rgb = photograph({ ink, ...specks }, style, rng);
  return {
    text: lines.join("\n"),
    width,
    height,
    jpeg: encodeJpeg(rgb, { width, height, quality: style.quality }),
    boxes,
    style: { charHeight, penWidth, writers: lineWriters, lines: usedKinds },
  };
}

/** Words for a line of `kind`, longer than any line can hold (the layout stops at the margin). */
function lineText(kind: LineKind, rng: Rng): string[] {
  if (kind === "run") {
    // One character per "word": the layout spaces them evenly and the truth joins them.
    // Letters or digits, never both: word context reads a run of either as one word.
    const alphabet = rng.next() < 0.5 ? NIST36_CLASSES.slice(0, 26) : NIST36_CLASSES.slice(26);
    const start = rng.int(alphabet.length);
    return [...alphabet.repeat(3).slice(start, start + 40)];
  }
  const words: string[] = [];
  // A third of the other lines is a numbered list item: "3. BUY MILK".
  if (kind !== "wide" && rng.next() < 0.33) words.push(String(1 + rng.int(9)) + ".");
  while (words.length < 40) {
    words.push(rng.next() < 0.12 ? String(rng.int(2000)) : WORDS[rng.int(WORDS.length)]);
  }
  return words;
}

/** Draws one line's words from `left` until the next word would pass `right`. */
function layLine(
  words: readonly string[],
  place: {
    kind: LineKind;
    rng: Rng;
    left: number;
    right: number;
    baseline: number;
    pen: Pen;
    choose: (char: string) => ShapedGlyph;
    ink: Coverage;
  },
): { words: string[]; boxes: SyntheticPage["boxes"] } {
  const { rng, pen } = place;
  const h = pen.charHeight;
  const spacing = SPACING[place.kind];
  const letter = rng.uniform(...spacing.letter) * h;
  const word = spacing.word ? rng.uniform(...spacing.word) * h : letter;
  const slope = rng.uniform(-0.02, 0.02);
  const gap = (base: number) => base * (1 + rng.uniform(-GAP_JITTER, GAP_JITTER));
  const out: string[] = [];
  const boxes: SyntheticPage["boxes"] = [];
  let x = place.left;
  for (const text of words) {
    const chars = [...text.replace(".", "")];
    const drawn = chars.map((c) => place.choose(c));
    const length = drawn.reduce((sum, g) => sum + g.width, 0) + letter * (chars.length - 1);
    if (x + length > place.right) break;
    for (const [k, glyph] of drawn.entries()) {
      if (k > 0) x += gap(letter);
      const baseline = place.baseline + slope * x + rng.uniform(-0.04, 0.04) * h;
      boxes.push(drawGlyph(glyph, { x, baseline, radius: pen.radius, ink: place.ink }));
      x += glyph.width;
    }
    if (text.endsWith(".")) {
      // A full stop: one touch of the marker on the baseline, a little apart.
      x += rng.uniform(0.15, 0.3) * h + pen.radius;
      const y = place.baseline + slope * x - pen.radius;
      drawCapsule(place.ink, { ax: x, ay: y, bx: x, by: y, radius: pen.radius * 1.1 });
      x += pen.radius;
    }
    out.push(chars.join(""));
    x += gap(word);
  }
  return { words: out, boxes };
}

/**
 * Dirt: 40–120 specks, most a pixel or two, some as large as a marker full
 * stop and a few a little larger, each a cluster of one to three discs in a
 * grey of its own, clear of every character by {@linkcode SPECK_CLEARANCE}.
 */
function scatterSpecks(
  { width, height }: { width: number; height: number },
  { rng, boxes, pen }: {
    rng: Rng;
    boxes: SyntheticPage["boxes"];
    pen: Pen;
  },
): { specks: Coverage; speckShade: Float32Array } {
  const specks: Coverage = { data: new Float32Array(width * height), width, height };
  const speckShade = new Float32Array(width * height);
  const clearance = SPECK_CLEARANCE * pen.charHeight;
  const largest = Math.min(0.45 * pen.charHeight, 2.6 * pen.radius);
  const count = 40 + rng.int(81);
  for (let n = 0; n < count; n++) {
    // Log-uniform radius: many dust grains, few blots; every fifth speck is full-stop-sized.
    const radius = n % 5 === 0
      ? rng.uniform(0.8, 1.3) * largest / 2
      : Math.exp(rng.uniform(Math.log(0.6), Math.log(largest / 2)));
    const x = rng.uniform(2 * radius, width - 2 * radius);
    const y = rng.uniform(2 * radius, height - 2 * radius);
    const reach = 2 * radius + clearance;
    const nearInk = boxes.some(([y1, x1, y2, x2]) =>
      x + reach > x1 && x - reach < x2 && y + reach > y1 && y - reach < y2
    );
    if (nearInk) continue;
    const shade = rng.uniform(0.1, 0.6);
    for (let k = 1 + rng.int(3); k > 0; k--) {
      const cx = x + rng.uniform(-0.6, 0.6) * radius;
      const cy = y + rng.uniform(-0.6, 0.6) * radius;
      drawCapsule(specks, { ax: cx, ay: cy, bx: cx, by: cy, radius: radius * rng.uniform(0.6, 1) });
    }
    // The speck's grey over its square; where two specks overlap, the later one's wins.
    const [x0, x1] = [Math.floor(x - 2 * radius), Math.min(width - 1, Math.ceil(x + 2 * radius))];
    const [y0, y1] = [Math.floor(y - 2 * radius), Math.min(height - 1, Math.ceil(y + 2 * radius))];
    for (let py = y0; py <= y1; py++) speckShade.fill(shade, py * width + x0, py * width + x1 + 1);
  }
  return { specks, speckShade };
}
