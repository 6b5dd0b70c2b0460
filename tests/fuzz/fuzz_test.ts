/**
 * The fuzz suite CI runs: at least 1,000 mutants of every format through the shared
 * harness. Each must load (with data within the target's bound) or be
 * refused with an `InklingError` whose FormatError message names the input;
 * any other exception, oversized result or hang fails the test with the
 * case index and a `deno task fuzz --replay`-able description. Longer runs:
 * `deno task fuzz --format F --count N`.
 */

import assert from "node:assert/strict";
import { runFuzz } from "./run.ts";
import { TARGETS } from "./targets.ts";

const SEED = 20240611;
/** Mutants per format: at least 1,000; more where a case costs well under a millisecond. */
const CASES: Record<string, number> = {
  mat: 1200,
  idx: 1200,
  "idx.gz": 1200,
  safetensors: 4000,
  onnx: 3000,
};
/** readText takes ~15 ms a page: it reads the decodable images among every 4th case, the rest are only decoded. */
const HEAVY_EVERY: Record<string, number> = { image: 4 };

for (const target of TARGETS) {
  const count = CASES[target.name] ?? 1000;
  Deno.test(`fuzz ${target.name}: ${count} mutants load or fail with a library error`, async () => {
    const prepared = await target.prepare();
    try {
      const summary = await runFuzz(target.name, prepared, {
        count,
        seed: SEED,
        deadlineMs: 5000,
        heavyEvery: HEAVY_EVERY[target.name] ?? 1,
      });
      const { failures, ...totals } = summary;
      console.log(JSON.stringify(totals));
      const reproduce = (f: { index: number }) =>
        `deno task fuzz --format ${target.name} --seed ${SEED} --start ${f.index} --count 1`;
      const described = failures.map((f) =>
        `case ${f.index} (${f.how}): ${f.signature}\n${f.message}\n${reproduce(f)}\n${f.stack}`
      );
      assert.equal(summary.bugs + summary.hangs + summary.badMessages, 0, described.join("\n\n"));
      assert.equal(summary.count, count);
      // The mutations must exercise both paths: some inputs survive, most are refused.
      assert.ok(summary.ok >= count / 100, `only ${summary.ok} inputs loaded`);
      assert.ok(summary.libraryErrors >= count / 10, `only ${summary.libraryErrors} refused`);
    } finally {
      await prepared.close();
    }
  });
}
