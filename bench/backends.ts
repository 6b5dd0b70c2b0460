/**
 * Benchmark: the issue's workloads on every backend this process has —
 * wasm, and native when FFI is permitted and a BLAS library is found — and
 * the same workloads in NumPy and PyTorch (bench/peers/) when Debian's
 * `/usr/bin/python3` has them. The workloads (see workloads.ts):
 * matmul 256×1024×256 (GFLOP/s), one epoch of bench/mlp.ts's MLP and of the
 * autoencoder (ms), training images/s of the 5×5 MNIST CNN at batch 64, and
 * a 32-component PCA of the NIST36 training set, 10,800×1024 (ms).
 *
 * Lines: `<workload>_<backend>`, the peers' `<workload>_numpy` and
 * `cnn5x5_images_per_s_torch`, and ratios `<workload>_vs_<peer>` in "x":
 * Inkling's time over the peer's for the same work (below 1, Inkling is
 * faster, as `ocr_12mp_vs_tesseract`), on the backend `autoBackend` picks.
 * That backend and the peers take turns on the same thread count: Inkling
 * on 1 thread, the peers on 1 thread, Inkling on 2, the peers on 2, and that
 * round once more (peers.ts). Each side keeps its best pass per workload and
 * says at which thread count
 * (`threads` on the line), so both sides get their best thread count, and a
 * slow spell of the machine (this one's speed swings by up to 40 % within
 * minutes) weighs on both alike. (Native: single-threaded OpenBLAS calls on
 * fixed panels of a large product, run side by side on the threads: the same
 * bits for every count.) Without the peers, Inkling runs once, on the
 * default thread count. A backend or the peers that cannot run are skipped
 * with one line on stderr, so stdout stays JSON lines.
 */

import {
  type Kernels,
  loadNativeKernels,
  loadWasmKernels,
  referenceKernels,
  setThreads,
  threadCount,
  useKernels,
} from "../autograd/kernels/mod.ts";
import type { Tensor } from "../mod.ts";
import { loadNist36Source } from "../datasets/nist36_source.ts";
import { gemmGflops } from "./matmul.ts";
import { benchMlp } from "./mlp.ts";
import { best, runPeers } from "./peers.ts";
import type { BenchResult } from "./result.ts";
import { autoencoderEpochMs, cnnImagesPerSecond, pcaFitMs } from "./workloads.ts";

/** A ratio line: which two results it compares, and whether a larger value is faster or slower. */
interface Ratio {
  name: string;
  workload: string;
  peer: string;
  larger: "faster" | "slower";
}

const RATIOS: Ratio[] = [
  {
    name: "matmul_vs_numpy",
    workload: "matmul_256x1024x256",
    peer: "matmul_256x1024x256_numpy",
    larger: "faster",
  },
  { name: "mlp_epoch_vs_numpy", workload: "mlp_epoch", peer: "mlp_epoch_numpy", larger: "slower" },
  {
    name: "autoencoder_epoch_vs_numpy",
    workload: "autoencoder_epoch",
    peer: "autoencoder_epoch_numpy",
    larger: "slower",
  },
  {
    name: "cnn_images_per_s_vs_torch",
    workload: "cnn5x5_images_per_s",
    peer: "cnn5x5_images_per_s_torch",
    larger: "faster",
  },
  { name: "pca_vs_numpy", workload: "pca_top32", peer: "pca_top32_numpy", larger: "slower" },
];

const round1 = (v: number) => Math.round(v * 10) / 10;

/** The backends to time, by name; a missing one is reported on stderr. */
function backends(): { name: string; kernels: Kernels }[] {
  const wasm = loadWasmKernels(referenceKernels);
  const list = wasm ? [{ name: "wasm", kernels: wasm }] : [];
  const native = loadNativeKernels(wasm ?? referenceKernels);
  if (native.kernels !== null) list.push({ name: "native", kernels: native.kernels });
  else console.error(`bench: the native backend is skipped: ${native.reason}`);
  return list;
}

/** Every workload on `kernels`, as `<workload>_<name>` lines; `train` is the PCA's matrix. */
function timeWorkloads(name: string, kernels: Kernels, train: Tensor): BenchResult[] {
  const previous = useKernels(kernels);
  try {
    return [
      {
        name: `matmul_256x1024x256_${name}`,
        value: gemmGflops(kernels, { m: 256, k: 1024, n: 256 }),
        unit: "GFLOP/s",
      },
      { name: `mlp_epoch_${name}`, value: benchMlp()[0].value, unit: "ms" },
      { name: `autoencoder_epoch_${name}`, value: round1(autoencoderEpochMs()), unit: "ms" },
      {
        name: `cnn5x5_images_per_s_${name}`,
        value: Math.round(cnnImagesPerSecond()),
        unit: "images/s",
      },
      { name: `pca_top32_${name}`, value: round1(pcaFitMs(train)), unit: "ms" },
    ];
  } finally {
    useKernels(previous);
  }
}

/** Times every workload on every backend, runs the peers, and compares. */
export async function benchBackends(): Promise<BenchResult[]> {
  const train = (await loadNist36Source()).train.x; // builds the cache on first use
  const timed = backends();
  // The backend autoBackend() picks (native when it loaded) alternates with the peers.
  const last = timed.at(-1);
  const results = timed.slice(0, -1).flatMap((b) => timeWorkloads(b.name, b.kernels, train));
  const [rows, cols] = train.shape;
  const matrix = { data: train.data as Float32Array, rows, cols };
  const ours: BenchResult[] = [];
  const initial = threadCount();
  const pass = (threads: number) => {
    if (!last) return;
    setThreads(threads);
    try {
      ours.push(
        ...timeWorkloads(last.name, last.kernels, train).map((r) => ({ ...r, threads })),
      );
    } finally {
      setThreads(initial);
    }
  };
  const peers = await runPeers(matrix, pass);
  if (ours.length === 0) pass(initial); // the peers were skipped, and with them the turns
  results.push(...best(ours));
  if (typeof peers === "string") {
    console.error(`bench: the NumPy/PyTorch peers are skipped: ${peers}`);
    return results;
  }
  const theirs = best(peers);
  const chosen = last?.name;
  const value = (name: string) => [...results, ...theirs].find((r) => r.name === name)?.value;
  const ratios: BenchResult[] = [];
  for (const ratio of RATIOS) {
    const ours = value(`${ratio.workload}_${chosen}`);
    const theirs = value(ratio.peer);
    if (ours === undefined || theirs === undefined) continue;
    // Time over time: a rate (GFLOP/s, images/s) is inverted.
    const x = ratio.larger === "faster" ? theirs / ours : ours / theirs;
    ratios.push({ name: ratio.name, value: Math.round(x * 1000) / 1000, unit: "x" });
  }
  return [...results, ...theirs, ...ratios];
}

if (import.meta.main) {
  for (const result of await benchBackends()) console.log(JSON.stringify(result));
}
