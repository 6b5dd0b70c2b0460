/**
 * Benchmark: `deno task train` at its defaults — data loading from the cache
 * plus 30 epochs of the 1024-64-36 network — in seconds, and its accuracy.
 */

import { loadGlyphData } from "../datasets/glyph_data.ts";
import { trainClassifier } from "../train/train_classifier.ts";
import type { BenchResult } from "./result.ts";

/** Times loading the cached NIST36 set and training at the default settings. */
export async function benchTrain(): Promise<BenchResult[]> {
  await loadGlyphData("nist36"); // builds the cache on first use, outside the timing
  const started = performance.now();
  const data = await loadGlyphData("nist36");
  const result = await trainClassifier(data, { progress: "none" });
  const seconds = (performance.now() - started) / 1000;
  return [
    { name: "nist36_train_30_epochs", value: Math.round(seconds * 100) / 100, unit: "s" },
    { name: "nist36_valid_acc", value: result.history.valid_acc.at(-1)!, unit: "fraction" },
    { name: "nist36_test_acc", value: result.testAccuracy, unit: "fraction" },
  ];
}

if (import.meta.main) {
  for (const result of await benchTrain()) console.log(JSON.stringify(result));
}
