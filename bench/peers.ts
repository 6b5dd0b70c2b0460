/**
 * Runs the Python peers of bench/peers/ (NumPy, and PyTorch where installed)
 * on Debian's `/usr/bin/python3` — not whichever python3 comes first on the
 * PATH — with 1 and with 2 BLAS/OpenMP threads, taking turns with Inkling on
 * as many threads (backends.ts keeps the better result of each workload on
 * each side, with {@linkcode best}, and says at which thread count). Skipped, with the reason, when that Python or NumPy is
 * missing or Deno may not run it.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import type { BenchResult } from "./result.ts";

/** Debian's interpreter, where `apt-get install python3-numpy python3-torch` puts the packages. */
export const PYTHON = "/usr/bin/python3";

const script = (name: string) => fileURLToPath(new URL(`./peers/${name}`, import.meta.url));

/** Output of one Python run: its result lines (with the thread count), or why it failed. */
async function python(args: string[], threads: number): Promise<BenchResult[] | string> {
  const count = String(threads);
  const output = await new Deno.Command(PYTHON, {
    args,
    // OPENBLAS_CORETYPE is left as the machine has it (it guards old OpenBLAS builds).
    env: { OPENBLAS_NUM_THREADS: count, OMP_NUM_THREADS: count },
    stdin: "null",
  }).output();
  const text = new TextDecoder().decode(output.stdout);
  if (!output.success) {
    const error = new TextDecoder().decode(output.stderr).trim().split("\n").at(-1);
    return `${args[0]} failed: ${error}`;
  }
  return text.split("\n").filter((line) => line.trim() !== "").map((line) => ({
    ...JSON.parse(line),
    threads,
  }));
}

/** Whether `/usr/bin/python3 -c CODE` succeeds. */
async function pythonCan(code: string): Promise<boolean> {
  const output = await new Deno.Command(PYTHON, { args: ["-c", code], stdin: "null" }).output()
    .catch(() => null);
  return output?.success ?? false;
}

/** Why the peers cannot run here, or null when they can. */
async function unavailable(): Promise<string | null> {
  const permission = Deno.permissions.querySync({ name: "run", command: PYTHON });
  if (permission.state !== "granted") {
    return `running ${PYTHON} is not permitted (deno run needs --allow-run=${PYTHON})`;
  }
  if (!(await pythonCan("import numpy"))) {
    return `${PYTHON} with NumPy not found (apt-get install python3-numpy)`;
  }
  return null;
}

/**
 * Thread counts of the turns, in order: two rounds of 1 and 2 threads. On
 * this virtual machine two threads sometimes gain nothing for a minute or
 * more (a 2-thread matmul at the speed of one core, on either side); a
 * second round gives each side a pass outside such a spell.
 */
const TURNS = [1, 2, 1, 2];

/**
 * The peers' results on 1 and on 2 BLAS/OpenMP threads, twice (all of them,
 * for {@linkcode best}), with `turn(threads)` called before each pass with
 * that pass's thread count (the bench times Inkling there, on as many
 * threads; see {@linkcode TURNS}), or the reason they were skipped (then
 * `turn` is never called). `pca` is the matrix of the PCA workload, written once to a
 * temporary file for NumPy.
 */
export async function runPeers(
  pca: { data: Float32Array; rows: number; cols: number },
  turn: (threads: number) => void,
): Promise<BenchResult[] | string> {
  const reason = await unavailable();
  if (reason !== null) return reason;
  const hasTorch = await pythonCan("import torch");
  const file = await Deno.makeTempFile({ suffix: ".f32" });
  try {
    await Deno.writeFile(
      file,
      new Uint8Array(pca.data.buffer, pca.data.byteOffset, pca.data.byteLength),
    );
    const pcaArgs = ["--pca", file, String(pca.rows), String(pca.cols)];
    const runs: (BenchResult[] | string)[] = [];
    for (const threads of TURNS) {
      turn(threads);
      runs.push(await python([script("numpy_peers.py"), ...pcaArgs], threads));
      if (hasTorch) runs.push(await python([script("torch_cnn.py"), String(threads)], threads));
    }
    const failure = runs.find((run) => typeof run === "string");
    return failure !== undefined ? failure as string : runs.flat() as BenchResult[];
  } finally {
    await Deno.remove(file);
  }
}

/** One result per name: the lowest time (unit ms) or the highest rate (anything else). */
export function best(results: BenchResult[]): BenchResult[] {
  const kept = new Map<string, BenchResult>();
  for (const result of results) {
    const previous = kept.get(result.name);
    const better = previous === undefined ||
      (result.unit === "ms" ? result.value < previous.value : result.value > previous.value);
    if (better) kept.set(result.name, result);
  }
  return [...kept.values()];
}
