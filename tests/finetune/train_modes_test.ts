/**
 * One seed, one set of numbers: two runs of every mode with the same seed
 * give the same histories, predictions and accuracies; another seed gives
 * other ones. The engine matches onnxruntime on SqueezeNet's probabilities.
 */

import assert from "node:assert/strict";
import { FINETUNE_DEFAULTS, type FineTuneSettings } from "../../finetune/settings.ts";
import { type FinetuneRun, runFinetune } from "../../finetune/train_modes.ts";
import { DATA_DIR } from "../shared_data.ts";

function settings(seed: number): FineTuneSettings {
  const d = FINETUNE_DEFAULTS;
  return {
    seed,
    head: { ...d.head, epochs: 2, variants: 2 },
    full: { ...d.full, epochs: 1 },
    scratch: { ...d.scratch, epochs: 2, size: 32 },
  };
}

/** What must repeat: everything but wall times. */
function numbers(run: FinetuneRun) {
  return {
    results: run.results.map((r) => ({
      mode: r.mode,
      history: r.history,
      validAcc: r.validAcc,
      testAcc: r.testAcc,
      bestEpoch: r.bestEpoch,
      predicted: [...r.testPredicted],
    })),
    parity: run.parity.maxAbs,
  };
}

Deno.test("train modes: the same seed gives the same numbers, another seed others", async () => {
  const run = (seed: number) =>
    runFinetune({
      dataDir: DATA_DIR,
      modes: ["head", "full", "scratch"],
      settings: settings(seed),
      perClass: 1,
      parityImages: 2,
    });
  const first = numbers(await run(7));
  assert.deepEqual(numbers(await run(7)), first);
  const other = numbers(await run(8));
  assert.notDeepEqual(other.results.map((r) => r.history), first.results.map((r) => r.history));
  assert.ok(first.parity < 5e-3, `engine vs onnxruntime ${first.parity}`);
});
