/**
 * `deno task finetune` as a function: decode the Flowers 17 split once, run
 * the chosen modes (head, full, scratch) on it, check the engine's
 * SqueezeNet against onnxruntime, and write the report. Every random choice
 * comes from the seed, so one seed gives one set of numbers.
 *
 * @module
 */

import { gatherRows, InklingError } from "../autograd/mod.ts";
import { FLOWERS17_CLASSES } from "../datasets/flowers17/mod.ts";
import { readOnnx } from "../onnx/mod.ts";
import { type FlowerSplit, loadFlowerSplit } from "./flower_images.ts";
import { runFullMode } from "./train_full.ts";
import { type HeadResult, runHeadMode } from "./train_head.ts";
import { FeatureExtractor } from "./onnx_features.ts";
import { compareWithOnnxRuntime, type Parity } from "./parity.ts";
import { runScratchMode } from "./train_scratch.ts";
import type { FineTuneMode, FineTuneSettings } from "./settings.ts";
import type { ModeResult } from "./mode_result.ts";

/** The model file inside the data directory. */
export const SQUEEZENET_FILE = "squeezenet/SqueezeNet_fp16.onnx";

/** Options of {@linkcode runFinetune}. */
export interface RunFinetuneOptions {
  /** The data directory (holding `flowers17/` and `squeezenet/`). */
  dataDir: string;
  /** Modes to run, in order. */
  modes: readonly FineTuneMode[];
  /** Settings of each mode and the seed. */
  settings: FineTuneSettings;
  /** Use only the first N images of each class in each part (tests; default all). */
  perClass?: number;
  /** Test images compared between the engine and onnxruntime (default 4). */
  parityImages?: number;
  /** onnxruntime threads (default its own choice). */
  threads?: number;
  /** Progress lines. */
  log?: (line: string) => void;
}

/** Everything a run measured. */
export interface FinetuneRun {
  /** The settings used. */
  settings: FineTuneSettings;
  /** The data that was used (decoded images, labels and file names). */
  data: FlowerSplit;
  /** One result per mode run, in order. */
  results: ModeResult[];
  /** The engine against onnxruntime. */
  parity: Parity;
  /** onnxruntime's feature extraction, images per second (when the head mode ran). */
  featureImagesPerSecond?: number;
  /** Named wall times, seconds. */
  timings: Record<string, number>;
}

/** Runs the modes and returns their results (the report is written by `writeFinetuneReport`). */
export async function runFinetune(options: RunFinetuneOptions): Promise<FinetuneRun> {
  const log = options.log ?? (() => {});
  const started = performance.now();
  const modelPath = `${options.dataDir}/${SQUEEZENET_FILE}`;
  const hasModel = await Deno.stat(modelPath).then((i) => i.isFile, () => false);
  if (!hasModel) {
    throw new InklingError(
      `SqueezeNet not found at ${modelPath}: put SqueezeNet_fp16.onnx from microsoft/` +
        "Windows-Machine-Learning (SharedContent/models/) there, or point --data-dir or " +
        "INKLING_DATA_DIR at a data directory that has squeezenet/",
    );
  }
  const onnx = await readOnnx(modelPath);
  const data = await loadFlowerSplit(`${options.dataDir}/flowers17`, {
    perClass: options.perClass,
    onImage: (done, total) => {
      if (done === total || done % 200 === 0) log(`decoded ${done}/${total} images`);
    },
  });
  const timings: Record<string, number> = { decode_seconds: (performance.now() - started) / 1000 };
  const classes = FLOWERS17_CLASSES.length;
  const { seed } = options.settings;
  const results: ModeResult[] = [];
  let head: HeadResult | undefined;
  for (const mode of options.modes) {
    if (mode === "head") {
      const extractor = await FeatureExtractor.create(onnx, {
        source: modelPath,
        threads: options.threads,
      });
      try {
        head = await runHeadMode(data, extractor, {
          settings: options.settings.head,
          seed,
          classes,
          log,
        });
      } finally {
        await extractor.release();
      }
      results.push(head);
    } else if (mode === "full") {
      results.push(
        await runFullMode(data, onnx, {
          settings: options.settings.full,
          seed,
          classes,
          head: head?.head,
          source: modelPath,
          log,
        }),
      );
    } else {
      results.push(
        await runScratchMode(data, { settings: options.settings.scratch, seed, classes, log }),
      );
    }
    const last = results[results.length - 1];
    Object.assign(timings, last.timings);
    log(
      `${mode}: validation ${pct(last.validAcc)} (epoch ${last.bestEpoch}), test ${
        pct(last.testAcc)
      }`,
    );
  }
  const count = Math.min(options.parityImages ?? 4, data.test.y.length);
  const parityStart = performance.now();
  const parity = await compareWithOnnxRuntime(
    onnx,
    gatherRows(data.test.x, Int32Array.from({ length: count }, (_, i) => i)),
    { source: modelPath },
  );
  timings.parity_seconds = (performance.now() - parityStart) / 1000;
  log(`engine vs onnxruntime on ${count} test images: max |Δp| ${parity.maxAbs.toExponential(2)}`);
  timings.total_seconds = (performance.now() - started) / 1000;
  return {
    settings: options.settings,
    data,
    results,
    parity,
    featureImagesPerSecond: head?.featureImagesPerSecond,
    timings,
  };
}

function pct(x: number): string {
  return `${(100 * x).toFixed(2)} %`;
}
