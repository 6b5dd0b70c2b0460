import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { decode } from "image-js";
import {
  characterErrorRate,
  editDistance,
  evaluateOcr,
  noSpaceAccuracy,
  wordErrorRate,
} from "../../ocr/eval.ts";
import { DATA_DIR } from "../shared_data.ts";

Deno.test("editDistance: classic pairs and edge cases", () => {
  assert.equal(editDistance("kitten", "sitting"), 3);
  assert.equal(editDistance("flaw", "lawn"), 2);
  assert.equal(editDistance("", "abc"), 3);
  assert.equal(editDistance("abc", ""), 3);
  assert.equal(editDistance("same", "same"), 0);
  assert.equal(editDistance(["DEEP", "LEARNING"], ["DEEP", "LEARNNG"]), 1);
});

Deno.test("characterErrorRate counts spaces and newlines; wordErrorRate counts words", () => {
  const truth = "TO DO\nLIST";
  assert.equal(characterErrorRate(truth, truth), 0);
  assert.equal(characterErrorRate("T0 DO\nLIST", truth), 1 / 10); // one substitution
  assert.equal(characterErrorRate("TODO\nLIST", truth), 1 / 10); // a missed space
  assert.equal(characterErrorRate("TO DO LIST", truth), 1 / 10); // newline read as space
  assert.equal(characterErrorRate("", truth), 1);
  assert.equal(characterErrorRate("", ""), 0);
  assert.equal(characterErrorRate("X", ""), 1);
  assert.equal(wordErrorRate("T0 DO\nLIST", truth), 1 / 3);
  assert.equal(wordErrorRate("TODO LIST", truth), 2 / 3); // TO DO → TODO: 1 sub + 1 del
  assert.equal(wordErrorRate("TO DO LIST", truth), 0); // line breaks are word breaks
});

Deno.test("noSpaceAccuracy compares position by position, ignoring spaces", () => {
  assert.equal(noSpaceAccuracy("ABCD", "ABCD"), 1);
  assert.equal(noSpaceAccuracy("A BC\nD", "ABCD"), 1);
  assert.equal(noSpaceAccuracy("A8CD", "ABCD"), 0.75);
  assert.equal(noSpaceAccuracy("0BC0", "OBCD"), 0.5);
  // Counts differ: 1 − edit distance / true count.
  assert.equal(noSpaceAccuracy("ABC", "ABCD"), 0.75);
  assert.equal(noSpaceAccuracy("", "AB"), 0);
  assert.equal(noSpaceAccuracy("", ""), 1);
});

Deno.test("evaluateOcr scores the four sample photos and writes table and overlays", async () => {
  if (!existsSync(`${DATA_DIR}/images/04_deep.jpg`)) {
    throw new Error(
      `missing ${DATA_DIR}/images: set INKLING_DATA_DIR to the shared data directory`,
    );
  }
  const outDir = await Deno.makeTempDir({ prefix: "inkling_ocr_eval_" });
  try {
    const evaluation = await evaluateOcr({ dataDir: DATA_DIR, outDir });
    assert.deepEqual(evaluation.images.map((s) => s.name), [
      "01_list",
      "02_letters",
      "03_haiku",
      "04_deep",
    ]);
    for (const score of evaluation.images) {
      assert.equal(score.cer, characterErrorRate(score.predicted, score.truth));
      assert.equal(score.predicted.split("\n").length, score.truth.split("\n").length);
      const overlay = decode(await Deno.readFile(`${outDir}/${score.name}_overlay.png`));
      assert.equal(overlay.width, 1600); // shrunk to 1600 px (plus a band above for top-edge tags)
    }
    const mean = evaluation.images.reduce((s, i) => s + i.cer, 0) / 4;
    assert.ok(Math.abs(evaluation.mean.cer - mean) < 1e-12);
    assert.ok(evaluation.mean.cer <= MEAN_CER_BAR, `mean CER ${evaluation.mean.cer}`);
    const table = await Deno.readTextFile(`${outDir}/ocr_eval.md`);
    assert.equal(table, evaluation.table);
    assert.match(table, /\| 04_deep \|/);
    assert.match(table, /\| mean \|/);
  } finally {
    await Deno.remove(outDir, { recursive: true });
  }
});

/** Bar on the committed model's mean character error rate over the four photos (measured 0.0 %). */
const MEAN_CER_BAR = 0.015;
