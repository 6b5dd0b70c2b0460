/**
 * `deno task train`: trains a character classifier from a preset (default
 * `nist36-mlp`, the assignment's network) with the changes its flags ask
 * for, and writes the run directory (model, history.json, figures, report).
 * Flags only; the work is in train_classifier.ts and report.ts.
 *
 * @module
 */

import { excerpt, InklingError } from "../autograd/errors.ts";
import { kernels, setBackend, useKernels } from "../autograd/kernels/mod.ts";
import { type CommandOutput, numberFlag, runCommand, UsageError } from "../tools/command_line.ts";
import {
  GLYPH_DATASETS,
  GLYPH_SHAPES,
  loadGlyphData,
  sliceGlyphData,
} from "../datasets/glyph_data.ts";
import { checkWritableDir } from "../formats/files.ts";
import { DivergenceError } from "../layers/mod.ts";
import { checkSettings, COUNT_LIMITS, MAX_LR } from "./limits.ts";
import { type LrStudyRun, writeRunDirectory } from "./report.ts";
import {
  DEFAULT_PRESET,
  ELASTIC_SIGMA,
  preset,
  presetFor,
  PRESETS,
  type TrainSettings,
} from "./settings.ts";
import { atChance, trainClassifier } from "./train_classifier.ts";

const d = PRESETS[DEFAULT_PRESET].settings;
const USAGE = `usage: deno task train [--model mlp|cnn] [--dataset NAME] [--preset NAME] [options]
  --model mlp|cnn      the assignment's MLP (default on nist36) or a CNN (default elsewhere)
  --dataset NAME       ${GLYPH_DATASETS.join(", ")} (default nist36)
  --preset NAME        starting settings (default: <dataset>-<model>); flags below change them:
${
  Object.entries(PRESETS).map(([name, p]) => `                         ${name}: ${p.description}`)
    .join("\n")
}
  --out DIR            run directory (default runs/nist36 for the default, runs/<preset> otherwise)
  --data DIR           the data set's own files: nist36_{train,valid,test}.mat, MNIST or
                       EMNIST Balanced IDX files (default: ../shared/data/mnist, or the
                       UNIPEN-built NIST36 / 47-class set, built on first use)
  --data-dir DIR       shared data root holding mnist/ and unipen-train_r01_v07 (or INKLING_DATA_DIR)
  --hidden N           hidden units (${d.hidden})
  --channels A,B,…     CNN: output channels of each conv block
  --dropout X          CNN: dropout before the output layer
  --batch-norm         CNN: batch normalisation after each convolution (bias-free convolutions)
  --epochs N           epochs (${d.epochs})
  --batch-size N       minibatch size (${d.batchSize})
  --lr X               initial learning rate, cosine schedule (${d.lr})
  --weight-decay X     L2 weight decay (${d.weightDecay})
  --label-smoothing X  train on label-smoothed cross-entropy, ε from 0 to 0.5 (${d.labelSmoothing});
                       validation and test losses stay plain cross-entropy
  --shift N            random shift augmentation in pixels, 0 for none (${d.shift})
  --elastic PX         elastic distortion up to PX pixels on top of the jitter, 0 for none
  --monitor valid_acc|valid_loss
                       keep the epoch with the best validation accuracy or loss (${d.monitor})
  --seed N             seed (${d.seed})
  --subset N           train on the first N glyphs only (and N/5 validation and test): a quick run
  --manual             train the MLP through the hand-written backward pass instead of the tape
  --lr-study           also train at 10× and 0.1× the learning rate and compare
  --backend wasm|native
                       the engine's kernels: WebAssembly (default: what a browser runs) or a
                       system OpenBLAS through FFI (needs libopenblas0; an epoch of the MNIST
                       preset 1.6× faster on 2 cores; convolutions' weight gradients round
                       differently)`;

/** Runs the CLI (writing to `output`, the console by default); returns the exit code. */
export function main(args: string[], output?: CommandOutput): Promise<number> {
  const flags = {
    model: { type: "string" },
    dataset: { type: "string" },
    preset: { type: "string" },
    out: { type: "string" },
    data: { type: "string" },
    "data-dir": { type: "string" },
    hidden: { type: "string" },
    channels: { type: "string" },
    dropout: { type: "string" },
    "batch-norm": { type: "boolean" },
    epochs: { type: "string" },
    "batch-size": { type: "string" },
    lr: { type: "string" },
    "weight-decay": { type: "string" },
    "label-smoothing": { type: "string" },
    shift: { type: "string" },
    elastic: { type: "string" },
    monitor: { type: "string" },
    seed: { type: "string" },
    subset: { type: "string" },
    manual: { type: "boolean" },
    "lr-study": { type: "boolean" },
    backend: { type: "string" },
  } as const;
  const spec = { usage: USAGE, flags, maxPositionals: 0, output };
  return runCommand(args, spec, async ({ values }, output) => {
    const model = oneOf(values.model, "model", ["mlp", "cnn"] as const);
    const dataset = oneOf(values.dataset, "dataset", GLYPH_DATASETS);
    const chosen = values.preset === undefined
      ? presetFor({ model, dataset })
      : asUsage(() => preset(values.preset!));
    const base = { ...chosen.settings, model: model ?? chosen.settings.model };
    base.dataset = dataset ?? base.dataset;
    const count = (name: keyof typeof values, limits: keyof typeof COUNT_LIMITS) =>
      numberFlag(values[name], name, {
        fallback: base[limits] as number,
        integer: true,
        ...COUNT_LIMITS[limits],
      });
    const settings: TrainSettings = {
      ...base,
      hidden: count("hidden", "hidden"),
      channels: values.channels === undefined ? base.channels : channelsFlag(values.channels),
      dropout: numberFlag(values.dropout, "dropout", { fallback: base.dropout, max: 0.9 }),
      batchNorm: values["batch-norm"] ?? base.batchNorm,
      epochs: count("epochs", "epochs"),
      batchSize: count("batch-size", "batchSize"),
      lr: numberFlag(values.lr, "lr", { fallback: base.lr, aboveMin: true, max: MAX_LR }),
      weightDecay: numberFlag(values["weight-decay"], "weight-decay", {
        fallback: base.weightDecay,
        max: 0.5,
      }),
      // Past 0.5 the smoothed target gives the true class less than half its weight.
      labelSmoothing: numberFlag(values["label-smoothing"], "label-smoothing", {
        fallback: base.labelSmoothing,
        max: 0.5,
      }),
      shift: count("shift", "shift"),
      jitter: jitterWithElastic(base.jitter, values.elastic),
      monitor: oneOf(values.monitor, "monitor", ["valid_acc", "valid_loss"] as const) ??
        base.monitor,
      seed: count("seed", "seed"),
      manual: values.manual ?? base.manual,
    };
    if (settings.manual && settings.model !== "mlp") {
      throw new UsageError("--manual needs the MLP: the hand-written backward pass is the MLP's");
    }
    if (settings.batchNorm && settings.model !== "cnn") {
      throw new UsageError("--batch-norm needs the CNN (--model cnn): the MLP has no conv blocks");
    }
    if (settings.labelSmoothing > 0 && settings.manual) {
      throw new UsageError(
        "--label-smoothing needs the tape: --manual's backward pass is plain cross-entropy's",
      );
    }
    if (settings.model === "cnn" && settings.channels.length === 0) {
      throw new UsageError("a CNN needs --channels (for example --channels 32,64)");
    }
    asUsage(() => checkSettings(settings, GLYPH_SHAPES[settings.dataset]));
    const subset = numberFlag(values.subset, "subset", { fallback: 0, integer: true, min: 1 });
    const backend = oneOf(values.backend, "backend", ["wasm", "native"] as const) ?? "wasm";
    const out = values.out ?? chosen.out;
    await checkWritableDir(out, { what: "--out" });
    // The process-wide kernels, put back afterwards (tests call main in-process).
    const previous = kernels();
    setBackend(backend);
    try {
      await train(settings, { values, out, subset, backend }, output);
    } finally {
      useKernels(previous);
    }
  });
}

/** Loads the data, trains, and writes the run directory, on the kernels already chosen. */
async function train(
  settings: TrainSettings,
  job: {
    values: { data?: string; "data-dir"?: string; "lr-study"?: boolean };
    out: string;
    subset: number;
    backend: string;
  },
  output: CommandOutput,
): Promise<void> {
  const { values, out, subset } = job;
  const loadStart = performance.now();
  const loaded = await loadGlyphData(settings.dataset, {
    data: values.data,
    dataDir: values["data-dir"],
    samples: settings.samples,
  });
  const data = subset ? sliceGlyphData(loaded, subset) : loaded;
  const sizes = [data.train, data.valid, data.test].map((s) => s.labels.length).join("/");
  const loadSeconds = (performance.now() - loadStart) / 1000;
  output.stderr(
    `data: ${data.dir} (${sizes}) in ${loadSeconds.toFixed(2)} s; kernels: ${job.backend}`,
  );
  const result = await trainClassifier(data, { settings });
  const percent = (v: number) => `${(100 * v).toFixed(2)}%`;
  output.stderr(
    `trained in ${result.seconds.toFixed(2)} s; test accuracy ${percent(result.testAccuracy)}`,
  );
  if (atChance(result.validAccuracy, data.classes.length)) {
    output.stderr(
      `warning: validation accuracy ${percent(result.validAccuracy)} is chance level ` +
        `(1 in ${data.classes.length}): the network learned nothing; try another --lr (now ${settings.lr})`,
    );
  }
  let lrStudy: LrStudyRun[] | undefined;
  if (values["lr-study"] && !result.diverged) {
    lrStudy = [];
    for (const lr of [settings.lr / 10, settings.lr, settings.lr * 10]) {
      const run = lr === settings.lr ? result : await trainClassifier(data, {
        settings: { ...settings, lr },
        progress: "none",
      }).catch((error) => {
        if (!(error instanceof DivergenceError)) throw error;
        output.stderr(`warning: learning-rate study at ${lr}: ${error.message}`);
        return null;
      });
      if (run) lrStudy.push({ lr, history: run.history, testAccuracy: run.testAccuracy });
    }
  }
  const report = await writeRunDirectory(out, {
    result,
    dataNote: data.note,
    lrStudy,
  });
  output.stdout(report);
  if (result.diverged) {
    // The run directory holds the best epoch before the divergence; say so and fail.
    throw new InklingError(
      `${result.diverged}; kept the weights of epoch ${result.bestEpoch} (validation ` +
        `${percent(result.validAccuracy)}) in ${out}/model.safetensors; lower the learning ` +
        `rate (now ${settings.lr})`,
    );
  }
}

/** The value of a flag that takes one of `choices` (undefined when absent). */
function oneOf<T extends string>(
  value: string | undefined,
  name: string,
  choices: readonly T[],
): T | undefined {
  if (value === undefined || (choices as readonly string[]).includes(value)) {
    return value as T | undefined;
  }
  throw new UsageError(
    `--${name} must be one of ${choices.join(", ")}, got ${excerpt(value)}`,
  );
}

/**
 * The preset's jitter with `--elastic PX` applied: PX 0 removes the elastic
 * part; on a preset without jitter, elastic distortion comes alone.
 */
function jitterWithElastic(
  jitter: TrainSettings["jitter"],
  value: string | undefined,
): TrainSettings["jitter"] {
  if (value === undefined) return jitter;
  const maxDisplacement = numberFlag(value, "elastic", { fallback: 0, max: 8 });
  const { elastic: _preset, ...affine } = jitter ??
    { maxScale: 0, maxRotation: 0, maxShear: 0 };
  if (maxDisplacement === 0) return jitter && affine;
  return {
    ...affine,
    elastic: { maxDisplacement, sigma: jitter?.elastic?.sigma ?? ELASTIC_SIGMA },
  };
}

/** `--channels 32,64,…`: one count per conv block. */
function channelsFlag(value: string): number[] {
  return value.split(",").map((part) =>
    numberFlag(part.trim(), "channels", { fallback: 0, integer: true, ...COUNT_LIMITS.channels })
  );
}

/** Runs `check`, reporting its complaint about the flags as bad usage (exit 2). */
function asUsage<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof InklingError) throw new UsageError(error.message);
    throw error;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
