/**
 * `deno task bench`: every benchmark of the project, one JSON object per
 * line (`{"name": …, "value": …, "unit": …}`), as the output contract says.
 * Timings are medians of several runs after warm-up, on the default thread
 * count (every core; threads.ts compares 1 and 2). The
 * suites run on the default (wasm) backend, so their lines compare across
 * machines with and without a BLAS; backends.ts times the native backend
 * and the NumPy/PyTorch peers beside it.
 */

import { benchBackends } from "./backends.ts";
import { benchBuildNist36 } from "./build_nist36.ts";
import { benchCnn } from "./cnn.ts";
import { benchCompression } from "./compression.ts";
import { benchMatmul } from "./matmul.ts";
import { benchMlp } from "./mlp.ts";
import { benchOcr } from "./ocr.ts";
import { benchSqueezenet } from "./squeezenet.ts";
import { benchThreads } from "./threads.ts";
import { benchTrain } from "./train.ts";
import type { BenchResult } from "./result.ts";

const suites: (() => BenchResult[] | Promise<BenchResult[]>)[] = [
  benchMatmul,
  benchMlp,
  benchBuildNist36,
  benchTrain,
  benchCnn,
  benchCompression,
  benchBackends,
  benchThreads,
  benchOcr,
  benchSqueezenet,
];

for (const suite of suites) {
  for (const result of await suite()) console.log(JSON.stringify(result));
}
