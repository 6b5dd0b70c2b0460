/**
 * The handwriting of the synthetic pages: UNIPEN characters of writers the
 * default OCR model never saw, scaled and turned a little for the page, drawn
 * with the marker, and checked to stay legible at the marker's width.
 *
 * @module
 */

import type { Rng } from "../../autograd/rng.ts";
import { NIST36_PER_CLASS } from "../builders/nist36_builder.ts";
import { collectGlyphSamples, resolveUnipenDir } from "../builders/unipen_pool.ts";
import { splitByWriter } from "../builders/writer_split.ts";
import { NIST36_CLASSES } from "../nist36.ts";
import { strokeBounds } from "../unipen/render_glyph.ts";
import { type Coverage, drawCapsule } from "./paper.ts";

/** One handwritten character to draw. */
export interface PageGlyph {
  /** The character, A–Z or 0–9. */
  readonly char: string;
  /** UNIPEN writer, `contributor/WRITER_ID`. */
  readonly writer: string;
  /** Pen-down strokes (x, y pairs, y down, any unit). */
  readonly strokes: readonly Float32Array[];
}

/**
 * The characters of the test split of the NIST36 set the default OCR model
 * was trained on (every usable UNIPEN 1a/1b sample, split by writer with
 * seed 0): handwriting of writers the model never saw.
 */
export async function testWriterGlyphs(options: { unipenDir?: string } = {}): Promise<PageGlyph[]> {
  const unipenDir = options.unipenDir ?? await resolveUnipenDir();
  const classNames = [...NIST36_CLASSES];
  const { samples } = await collectGlyphSamples(unipenDir, {
    categories: ["1b", "1a"],
    classOf: new Map(classNames.map((name, i) => [name, i])),
  });
  const split = splitByWriter(samples, {
    classes: classNames.length,
    classNames,
    shares: NIST36_PER_CLASS,
    perClass: "all",
    seed: 0,
    what: "nist36",
  });
  return Array.from(split.chosen.test, (i) => ({
    char: classNames[samples[i].classIndex],
    writer: samples[i].writer,
    strokes: samples[i].strokes,
  }));
}

/** A glyph's strokes in page pixels, origin at its centre lines' top left. */
export interface ShapedGlyph {
  /** Pen-down strokes, x, y pairs. */
  strokes: Float32Array[];
  /** Width of the centre lines plus the pen: the ink's width. */
  width: number;
  /** Height of the centre lines. */
  height: number;
}

/** The pen a page is written with. */
export interface Pen {
  /** Half the marker's width, pixels. */
  radius: number;
  /** Height of the characters' centre lines, pixels. */
  charHeight: number;
  /** Half the width of the training glyphs' pen at this writing size, pixels. */
  thinRadius: number;
}

/** Tries of {@linkcode chooseGlyph} before it settles for the glyph the marker changes least. */
const TRIES = 20;

/**
 * A glyph of `char` (the writer's own when they wrote one), shaped for the
 * page, that the marker leaves legible: drawn with the marker (half a pixel
 * wider, for the blur of the photo), it must have as many open areas of
 * paper as drawn with the training pen. An open area is a piece of paper
 * inside the ink's bounding box with room for a disc half the marker's width
 * across: a loop, or the notch between two strokes (the wedges of an N, the
 * gaps between the bars of an E, the mouth of a C). A sample whose loop
 * fills in or whose notch closes to a sliver is passed over: no reader could
 * tell what it was.
 */
export function chooseGlyph(
  candidates: { own: readonly PageGlyph[]; all: readonly PageGlyph[] },
  { rng, pen }: { rng: Rng; pen: Pen },
): ShapedGlyph {
  const from = candidates.own.length > 0 ? candidates.own : candidates.all;
  const minDepth = pen.radius / 2;
  // How many open areas the marker closes (or opens): 0 when the glyph stays legible.
  const lost = (glyph: ShapedGlyph) =>
    Math.abs(
      openAreas(glyph, { radius: pen.radius + 0.5, minDepth }) -
        openAreas(glyph, { radius: pen.thinRadius, minDepth }),
    );
  let best = shapeGlyph(from[rng.int(from.length)], { rng, pen });
  let bestLost = lost(best);
  for (let n = 1; n < TRIES && bestLost > 0; n++) {
    // The writer's other samples first, then anybody's.
    const pool = n < TRIES / 2 ? from : candidates.all;
    const shaped = shapeGlyph(pool[rng.int(pool.length)], { rng, pen });
    const shapedLost = lost(shaped);
    if (shapedLost < bestLost) [best, bestLost] = [shaped, shapedLost];
  }
  return best;
}

/** Scales a glyph to about one character height (at most 1.4 wide) and turns it by up to 3°. */
function shapeGlyph(glyph: PageGlyph, { rng, pen }: { rng: Rng; pen: Pen }): ShapedGlyph {
  const angle = rng.uniform(-3, 3) * Math.PI / 180;
  const [cos, sin] = [Math.cos(angle), Math.sin(angle)];
  const turned = glyph.strokes.map((s) => {
    const out = new Float32Array(s.length);
    for (let i = 0; i + 1 < s.length; i += 2) {
      out[i] = cos * s[i] - sin * s[i + 1];
      out[i + 1] = sin * s[i] + cos * s[i + 1];
    }
    return out;
  });
  const box = strokeBounds(turned);
  const target = pen.charHeight * rng.uniform(0.9, 1.1);
  const spanX = box.maxX - box.minX;
  const spanY = box.maxY - box.minY;
  const scale = Math.min(
    target / Math.max(spanY, 1e-6),
    1.4 * pen.charHeight / Math.max(spanX, 1e-6),
  );
  const strokes = turned.map((s) =>
    s.map((v, i) => (i % 2 === 0 ? v - box.minX : v - box.minY) * scale)
  );
  return { strokes, width: spanX * scale + 2 * pen.radius, height: spanY * scale };
}

/**
 * Inks a shaped glyph whose ink starts at `x` and whose centre lines end on
 * `baseline`; returns its ink box `[y1, x1, y2, x2]`.
 */
export function drawGlyph(
  glyph: ShapedGlyph,
  at: { x: number; baseline: number; radius: number; ink: Coverage },
): [number, number, number, number] {
  const left = at.x + at.radius;
  const top = at.baseline - glyph.height;
  inkStrokes(at.ink, glyph.strokes, { left, top, radius: at.radius });
  const r = at.radius;
  return [
    Math.floor(top - r),
    Math.floor(at.x),
    Math.ceil(at.baseline + r),
    Math.ceil(at.x + glyph.width),
  ];
}

/** Draws each stroke as capsules between its successive points (a one-point stroke as a disc). */
function inkStrokes(
  map: Coverage,
  strokes: readonly Float32Array[],
  { left, top, radius }: { left: number; top: number; radius: number },
): void {
  for (const stroke of strokes) {
    const points = stroke.length >> 1;
    for (let i = 0; i < Math.max(1, points - 1); i++) {
      const j = Math.min(i + 1, points - 1);
      drawCapsule(map, {
        ax: left + stroke[2 * i],
        ay: top + stroke[2 * i + 1],
        bx: left + stroke[2 * j],
        by: top + stroke[2 * j + 1],
        radius,
      });
    }
  }
}

/**
 * Open areas of paper of the glyph drawn with a pen of `radius`: 4-connected
 * pieces of paper (pixels under half covered) inside the ink's bounding box
 * that hold a disc of radius `minDepth` (some pixel lies that far from ink
 * and from the box's edge): a loop or notch one sees into, not a sliver.
 */
function openAreas(glyph: ShapedGlyph, { radius, minDepth }: { radius: number; minDepth: number }) {
  // The strokes start at 0, 0: their box's far corner is the centre lines' size.
  const width = Math.ceil(strokeBounds(glyph.strokes).maxX + 2 * radius) + 1;
  const height = Math.ceil(glyph.height + 2 * radius) + 1;
  const map: Coverage = { data: new Float32Array(width * height), width, height };
  inkStrokes(map, glyph.strokes, { left: radius, top: radius, radius });
  const paper = Uint8Array.from(map.data, (c) => (c < 0.5 ? 1 : 0));
  const depth = distanceToInk(paper, { width, height });
  let areas = 0;
  for (let start = 0; start < paper.length; start++) {
    if (paper[start] !== 1) continue;
    paper[start] = 2;
    const stack = [start];
    let deepest = 0;
    while (stack.length > 0) {
      const i = stack.pop()!;
      deepest = Math.max(deepest, depth[i]);
      const x = i % width;
      for (const j of [i - width, i + width, x > 0 ? i - 1 : -1, x < width - 1 ? i + 1 : -1]) {
        if (j >= 0 && j < paper.length && paper[j] === 1) {
          paper[j] = 2;
          stack.push(j);
        }
      }
    }
    if (deepest >= minDepth) areas++;
  }
  return areas;
}

/**
 * Chamfer distance (steps of 1 and √2, two raster passes) from every paper
 * pixel to the nearest ink, the box's edge counting as ink.
 */
function distanceToInk(
  paper: Uint8Array,
  { width, height }: { width: number; height: number },
): Float32Array {
  const d = Float32Array.from(paper, (v) => (v ? Infinity : 0));
  const at = (
    x: number,
    y: number,
  ) => (x < 0 || y < 0 || x >= width || y >= height ? 0 : d[y * width + x]);
  const passes: [number, number, number][][] = [
    [[-1, 0, 1], [0, -1, 1], [-1, -1, Math.SQRT2], [1, -1, Math.SQRT2]],
    [[1, 0, 1], [0, 1, 1], [1, 1, Math.SQRT2], [-1, 1, Math.SQRT2]],
  ];
  for (const [k, steps] of passes.entries()) {
    for (let n = 0; n < d.length; n++) {
      const i = k === 0 ? n : d.length - 1 - n;
      if (d[i] === 0) continue;
      const [x, y] = [i % width, Math.floor(i / width)];
      for (const [dx, dy, cost] of steps) d[i] = Math.min(d[i], at(x + dx, y + dy) + cost);
    }
  }
  return d;
}
