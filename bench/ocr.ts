/**
 * Benchmark: reading `04_deep.jpg` (4032 × 3024) end to end with the default
 * model — decode, find letters, lines, crops, one classifier batch, word
 * context — in seconds (median of several runs after a warm-up run that also
 * loads the model). The acceptance bar is under 2 s. The photo is found in
 * the data directory (`$INKLING_DATA_DIR`, else `../shared/data`).
 */

import { resolveDataDir } from "../datasets/data_dir.ts";
import { readText } from "../ocr/read_text.ts";
import type { BenchResult } from "./result.ts";

/** Times `readText` on the largest sample photo. */
export async function benchOcr(options: { runs?: number } = {}): Promise<BenchResult[]> {
  const photo = `${await resolveDataDir()}/images/04_deep.jpg`;
  await readText(photo);
  const times: number[] = [];
  for (let i = 0; i < (options.runs ?? 5); i++) {
    const started = performance.now();
    await readText(photo);
    times.push((performance.now() - started) / 1000);
  }
  times.sort((a, b) => a - b);
  const median = times[times.length >> 1];
  return [{ name: "ocr_deep_read", value: Math.round(median * 1000) / 1000, unit: "s" }];
}

if (import.meta.main) {
  for (const result of await benchOcr()) console.log(JSON.stringify(result));
}
