/**
 * `deno task bench`: every benchmark of the project, one JSON object per
 * line (`{"name": …, "value": …, "unit": …}`), as the output contract says.
 * Timings are medians of several runs after warm-up, on the default thread
 * count (every core; threads.ts compares 1 and 2). The
 * suites run on the default (wasm) backend, so their lines compare across
 * machines with and without a BLAS; backends.ts times the native backend
 * and the NumPy/PyTorch peers beside it. `deno task bench ocr cnn` runs only
 * the named suites.
 */

import { benchBackends } from "./backends.ts";
import { benchBuildNist36 } from "./build_nist36.ts";
import { benchCnn } from "./cnn.ts";
import { benchCompression } from "./compression.ts";
import { benchMatmul } from "./matmul.ts";
import { benchMlp } from "./mlp.ts";
import { benchOcr } from "./ocr.ts";
import { benchOcrAccuracy } from "./ocr_accuracy.ts";
import { benchSqueezenet } from "./squeezenet.ts";
import { benchThreads } from "./threads.ts";
import { benchTrain } from "./train.ts";
import type { BenchResult } from "./result.ts";

/** Every suite by the name `deno task bench NAME…` selects it with. */
const suites: Record<string, () => BenchResult[] | Promise<BenchResult[]>> = {
  matmul: benchMatmul,
  mlp: benchMlp,
  build_nist36: benchBuildNist36,
  train: benchTrain,
  cnn: benchCnn,
  compression: benchCompression,
  backends: benchBackends,
  threads: benchThreads,
  ocr: benchOcr,
  ocr_accuracy: benchOcrAccuracy,
  squeezenet: benchSqueezenet,
};

const unknown = Deno.args.filter((name) => !(name in suites));
if (unknown.length > 0) {
  console.error(
    `bench: unknown suite ${unknown.join(", ")}; the suites are ${Object.keys(suites).join(", ")}`,
  );
  Deno.exit(2);
}
const chosen = Deno.args.length > 0 ? Deno.args : Object.keys(suites);
for (const name of chosen) {
  for (const result of await suites[name]()) console.log(JSON.stringify(result));
}
