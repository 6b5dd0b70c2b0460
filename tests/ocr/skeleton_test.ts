import assert from "node:assert/strict";
import { type Coverage, drawCapsule } from "../../datasets/synthetic_pages/paper.ts";
import { type BinaryImage, pruneSpurs, strokeWidth, thin } from "../../ocr/mod.ts";
import { erodeToPen } from "../../ocr/skeleton.ts";

/** A blank `width × height` image with the given rectangles `[x, y, w, h]` inked. */
function draw(width: number, height: number, rects: number[][]): BinaryImage {
  const mask = new Uint8Array(width * height);
  for (const [x0, y0, w, h] of rects) {
    for (let y = y0; y < y0 + h; y++) mask.fill(1, y * width + x0, y * width + x0 + w);
  }
  return { mask, width, height };
}

function inked({ mask, width }: BinaryImage): [number, number][] {
  const out: [number, number][] = [];
  mask.forEach((v, i) => v && out.push([i % width, Math.floor(i / width)]));
  return out;
}

/** Number of 8-connected pieces of ink. */
function pieces(image: BinaryImage): number {
  const seen = new Set<number>();
  let count = 0;
  for (const [x, y] of inked(image)) {
    if (seen.has(y * image.width + x)) continue;
    count++;
    const stack = [[x, y]];
    seen.add(y * image.width + x);
    while (stack.length > 0) {
      const [cx, cy] = stack.pop()!;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const [nx, ny] = [cx + dx, cy + dy];
          const i = ny * image.width + nx;
          if (nx < 0 || ny < 0 || nx >= image.width || ny >= image.height) continue;
          if (!image.mask[i] || seen.has(i)) continue;
          seen.add(i);
          stack.push([nx, ny]);
        }
      }
    }
  }
  return count;
}

Deno.test("thin: a 7-pixel-thick bar becomes a one-pixel centre line", () => {
  const skeleton = thin(draw(40, 15, [[5, 4, 30, 7]]));
  const points = inked(skeleton);
  assert.deepEqual(new Set(points.map(([, y]) => y)), new Set([7])); // the middle row
  assert.ok(points.length >= 22 && points.length <= 30, `${points.length} pixels`);
});

Deno.test("thin: a thick cross keeps one connected piece with a junction", () => {
  const skeleton = thin(draw(31, 31, [[3, 13, 25, 5], [13, 3, 5, 25]]));
  assert.equal(pieces(skeleton), 1);
  const points = inked(skeleton);
  // No 2 × 2 block of ink is left anywhere: lines are one pixel wide.
  const at = (x: number, y: number) => skeleton.mask[y * 31 + x] === 1;
  assert.ok(!points.some(([x, y]) => at(x + 1, y) && at(x, y + 1) && at(x + 1, y + 1)));
  // Both arms survive: ink near all four ends of the cross.
  for (const [x, y] of [[5, 15], [25, 15], [15, 5], [15, 25]]) {
    assert.ok(points.some(([px, py]) => Math.abs(px - x) <= 2 && Math.abs(py - y) <= 2));
  }
});

Deno.test("pruneSpurs: short branches go, lines and short strokes stay", () => {
  // A 30-pixel line with a 2-pixel spur in its middle, and a 3-pixel stroke apart.
  const image = draw(40, 20, [[5, 10, 30, 1], [20, 8, 1, 2], [5, 2, 3, 1]]);
  pruneSpurs(image, 3);
  const points = inked(image);
  assert.equal(points.length, 33);
  assert.ok(!points.some(([x, y]) => x === 20 && y < 10));
  // A longer spur (5 pixels) is a real branch and stays.
  const branch = draw(40, 20, [[5, 10, 30, 1], [20, 5, 1, 5]]);
  pruneSpurs(branch, 3);
  assert.equal(inked(branch).length, 35);
});

Deno.test("erodeToPen: a marker's bar thins to the pen, a V keeps two arms of that width", () => {
  // A bar 17 pixels thick, as a marker draws a character 64 pixels tall.
  const bar = draw(60, 30, [[5, 6, 50, 17]]);
  const width = strokeWidth(bar, thin({ ...bar, mask: bar.mask.slice() }));
  assert.ok(width >= 16 && width <= 18, `width ${width}`);
  const thinned = erodeToPen(bar, { width, pen: 5 });
  const column = inked(thinned).filter(([x]) => x === 30).map(([, y]) => y);
  assert.ok(column.length >= 4 && column.length <= 6, `column ${column}`);
  assert.ok(Math.abs((column[0] + column[column.length - 1]) / 2 - 14) <= 1); // centred
  // A V, pen radius 8: near its top the two arms stay apart, each about the pen wide.
  const ink: Coverage = { data: new Float32Array(56 * 64), width: 56, height: 64 };
  drawCapsule(ink, { ax: 12, ay: 10, bx: 27, by: 54, radius: 8 });
  drawCapsule(ink, { ax: 27, ay: 54, bx: 42, by: 10, radius: 8 });
  const v = { mask: Uint8Array.from(ink.data, (c) => (c >= 0.5 ? 1 : 0)), width: 56, height: 64 };
  const vWidth = strokeWidth(v, thin({ ...v, mask: v.mask.slice() }));
  const row = erodeToPen(v, { width: vWidth, pen: 5 }).mask.subarray(14 * 56, 15 * 56);
  const runs = [...row.join("").matchAll(/1+/g)].map((run) => run[0].length);
  assert.equal(runs.length, 2, `row 14: ${row.join("")}`);
  assert.ok(runs.every((length) => length >= 4 && length <= 8), `runs ${runs}`);
});
