import assert from "node:assert/strict";
import { InklingError, ShapeError } from "../../autograd/errors.ts";
import { renderGlyph } from "../../datasets/unipen/mod.ts";
import { type BinaryPage, type Box, cropLetters } from "../../ocr/mod.ts";

// An "A" and a "4" as pen strokes (x, y, y down), in arbitrary units.
const A = [Float32Array.of(0, 1, 0.4, 0, 0.8, 1), Float32Array.of(0.2, 0.55, 0.6, 0.55)];
const FOUR = [Float32Array.of(0.6, 1, 0.6, 0), Float32Array.of(0.6, 0, 0, 0.65, 0.8, 0.65)];

/** A binary page holding `strokes` drawn `size` pixels tall with `penWidth`, and its ink box. */
function photographed(strokes: Float32Array[], size: number, penWidth: number) {
  const grey = renderGlyph(strokes, { size, penWidth });
  const binary = grey.map((v) => (v < 0.5 ? 0 : 1));
  let [y1, x1, y2, x2] = [size, size, 0, 0];
  binary.forEach((v, i) => {
    if (v !== 0) return;
    const [x, y] = [i % size, Math.floor(i / size)];
    [y1, x1, y2, x2] = [Math.min(y1, y), Math.min(x1, x), Math.max(y2, y + 1), Math.max(x2, x + 1)];
  });
  return { page: { binary, width: size, height: size }, box: [y1, x1, y2, x2] as Box };
}

function meanAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
  return sum / a.length;
}

Deno.test("cropLetters: fine and broad pens come out like the training glyph", () => {
  for (const strokes of [A, FOUR]) {
    const training = renderGlyph(strokes, { size: 32 });
    // Characters 200 px tall (150 px between centre lines, as renderGlyph
    // places them) written with a fine pen (3 px), a felt tip (10 px) and a
    // marker as broad, relative to the glyph, as the training pen (16 px).
    for (const penWidth of [3, 10, 16]) {
      const { page, box } = photographed(strokes, 200, penWidth);
      const redrawn = cropLetters(page, [box], { layout: "upright" }).data;
      const error = meanAbsDiff(redrawn, training);
      // Measured 0.027-0.091; a one-pixel shift of the glyph alone costs ~0.1.
      assert.ok(error < 0.1, `pen ${penWidth}: mean |crop - glyph| = ${error}`);
      if (penWidth === 3) {
        // As photographed, the fine pen's strokes are a hair line (measured 0.12).
        const kept = cropLetters(page, [box], { layout: "upright", stroke: "keep" }).data;
        assert.ok(meanAbsDiff(kept, training) > 2.5 * error);
      }
    }
  }
});

Deno.test("cropLetters: NIST36 layout is the upright crop transposed", () => {
  const { page, box } = photographed(FOUR, 120, 8);
  const upright = cropLetters(page, [box, box], { layout: "upright" });
  const nist = cropLetters(page, [box, box]);
  assert.deepEqual(nist.shape, [2, 1024]);
  for (let y = 0; y < 32; y++) {
    for (let x = 0; x < 32; x++) {
      assert.equal(nist.data[1024 + x * 32 + y], upright.data[1024 + y * 32 + x]);
    }
  }
  // The 4's vertical stroke is right of centre: in the upright crop it is
  // the inkiest column, in NIST36 storage the inkiest row.
  const dark = (values: ArrayLike<number>) => Array.from(values).filter((v) => v < 0.5).length;
  const columns = Array.from(
    { length: 32 },
    (_, x) => dark(Array.from({ length: 32 }, (_, y) => upright.data[y * 32 + x])),
  );
  const rows = Array.from({ length: 32 }, (_, r) => dark(nist.data.subarray(r * 32, r * 32 + 32)));
  const stem = columns.indexOf(Math.max(...columns));
  assert.ok(stem > 16 && columns[stem] >= 16, `stem at x = ${stem}`);
  assert.equal(rows.indexOf(Math.max(...rows)), stem);
});

Deno.test("cropLetters: strokes of a neighbour reaching into the box are left out", () => {
  const alone = photographed(A, 100, 6);
  const [y1, x1, y2, x2] = alone.box;
  // Same page, plus a neighbour's bar entering the box from the right edge.
  const binary = alone.page.binary.slice();
  const barY = y1 + 5;
  for (let y = barY; y < barY + 4; y++) binary.fill(0, y * 100 + x2 - 6, y * 100 + 100);
  const crowded: BinaryPage = { binary, width: 100, height: 100 };
  const box: Box = [y1, x1, y2, x2];
  assert.deepEqual(
    cropLetters(crowded, [box]).data,
    cropLetters(alone.page, [box]).data,
  );
});

Deno.test("cropLetters: bad boxes and pages are clear errors", () => {
  const { page } = photographed(A, 40, 4);
  assert.throws(() => cropLetters(page, [[0, 0, 41, 10]]), InklingError);
  assert.throws(() => cropLetters(page, [[5, 5, 5, 9]]), /not a non-empty integer box/);
  assert.throws(() => cropLetters(page, [[0, 0, 2.5, 3]]), InklingError);
  assert.throws(
    () => cropLetters({ ...page, width: 41 }, [[0, 0, 10, 10]]),
    ShapeError,
  );
  // A box over bare paper gives a blank crop, not an error.
  const blank = { binary: new Float32Array(64 * 64).fill(1), width: 64, height: 64 };
  assert.ok(cropLetters(blank, [[0, 0, 10, 10]]).data.every((v) => v === 1));
});
