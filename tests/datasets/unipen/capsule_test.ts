import assert from "node:assert/strict";
import { visitCapsule } from "../../../datasets/unipen/capsule.ts";

Deno.test("visitCapsule: a disc visits the pixels within radius + 0.5, with squared distances", () => {
  const seen = new Map<number, number>();
  visitCapsule({ ax: 5, ay: 5, bx: 5, by: 5, radius: 1.5 }, { width: 10, height: 10 }, (i, d2) => {
    assert.ok(!seen.has(i), `pixel ${i} visited twice`);
    seen.set(i, d2);
  });
  // Pixel (4, 4) has its centre at (4.5, 4.5): 0.5 from the disc's centre on each axis.
  assert.equal(seen.get(4 * 10 + 4), 0.5);
  assert.equal(seen.get(5 * 10 + 7), 2.5 * 2.5 + 0.5 * 0.5);
  for (const d2 of seen.values()) assert.ok(d2 <= 3.5 * 3.5 * 2);
  assert.ok(seen.size >= 16 && seen.size <= 36, `${seen.size} pixels`);
});

Deno.test("visitCapsule: a segment measures to its axis and stays inside the image", () => {
  const width = 8;
  const visited: number[] = [];
  visitCapsule({ ax: -3, ay: 2.5, bx: 20, by: 2.5, radius: 1 }, { width, height: 4 }, (i, d2) => {
    visited.push(i);
    // A horizontal axis at y = 2.5: the distance is the row centre's offset.
    const expected = (Math.floor(i / width) + 0.5 - 2.5) ** 2;
    assert.ok(Math.abs(d2 - expected) < 1e-9, `pixel ${i}: ${d2}, expected ${expected}`);
  });
  assert.ok(visited.every((i) => i >= 0 && i < width * 4));
  // Rows 1–3 lie within radius + 0.5 = 1.5 of y = 2.5; row 0's centre is 2 away.
  assert.equal(visited.length, width * 3);
});
