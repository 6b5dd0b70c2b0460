/**
 * The character sets in one shape: real MNIST and a small UNIPEN-built
 * 47-class set come as NIST36-convention rows (dark ink on white, stored
 * transposed), with validation cut from training — writer-disjoint where
 * writers are known — and the test split untouched.
 */

import assert from "node:assert/strict";
import { buildEmnistBalanced } from "../../datasets/builders/mod.ts";
import { GLYPH_SHAPES, loadGlyphData } from "../../datasets/glyph_data.ts";
import { readMnist } from "../../datasets/mnist.ts";
import { DATA_DIR, UNIPEN_DIR } from "../shared_data.ts";

Deno.test("MNIST: 55,000 / 5,000 / 10,000 glyphs, inverted and transposed like NIST36", async () => {
  const data = await loadGlyphData("mnist", { dataDir: DATA_DIR });
  assert.equal(data.size, 28);
  assert.equal(data.classes, GLYPH_SHAPES.mnist.classes);
  assert.deepEqual(
    [data.train, data.valid, data.test].map((s) => s.labels.length),
    [55_000, 5_000, 10_000],
  );
  assert.deepEqual(data.test.x.shape, [10_000, 784]);
  const test = await readMnist(`${DATA_DIR}/mnist`, { split: "test" });
  // Test image 0 (a 7): upright pixel (row r, column c) is stored at c·28 + r, as 1 − v/255.
  const x = data.test.x.data;
  for (const [r, c] of [[7, 6], [7, 20], [20, 14], [0, 0]]) {
    assert.ok(Math.abs(x[c * 28 + r] - (1 - test.images[r * 28 + c] / 255)) < 1e-6, `${r},${c}`);
  }
  assert.deepEqual([...data.test.labels.subarray(0, 5)], [7, 2, 1, 0, 4]);
  let mean = 0;
  for (let i = 0; i < 784 * 100; i++) mean += x[i] / (784 * 100);
  assert.ok(mean > 0.8, `white background: mean ${mean}`);
  // The same seeded rows are held out on every run.
  const again = await loadGlyphData("mnist", { dataDir: DATA_DIR });
  assert.deepEqual(again.valid.labels, data.valid.labels);
});

Deno.test("47 classes built from UNIPEN on first use: writer-disjoint validation", async () => {
  const cacheDir = await Deno.makeTempDir();
  await buildEmnistBalanced({
    unipenDir: UNIPEN_DIR,
    outDir: `${cacheDir}/emnist-balanced`,
    perClass: { train: 12, test: 2 },
  });
  const data = await loadGlyphData("emnist-balanced", { cacheDir, dataDir: DATA_DIR });
  assert.equal(data.classes.length, 47);
  assert.equal(data.size, 28);
  assert.equal(data.train.labels.length + data.valid.labels.length, 47 * 12);
  assert.equal(data.test.labels.length, 47 * 2);
  assert.ok(data.valid.labels.length > 0);
  const trainWriters = new Set(data.train.writers);
  assert.ok(data.valid.writers!.every((w) => !trainWriters.has(w)), "a writer in both splits");
  assert.match(data.note, /writer-disjoint/);
  await Deno.remove(cacheDir, { recursive: true });
});
