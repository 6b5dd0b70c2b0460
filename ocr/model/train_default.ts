/**
 * Trains the default OCR character classifier and writes it as a checkpoint:
 *
 * ```sh
 * deno run -A ocr/model/train_default.ts --out ocr/default_model.safetensors
 * ```
 *
 * The data is every usable UNIPEN sample rendered as NIST36 (`perClass:
 * "all"`, writer-disjoint splits, random pen widths for training), built into
 * the cache on first use. The network is the small CNN of
 * {@linkcode createOcrNetwork}, trained with Adam on a cosine schedule and
 * random affine jitter; the weights of the best validation epoch are kept.
 * Everything is seeded, so the same flags give the same file. Progress goes
 * to stderr, the summary (validation and test accuracy) to stdout.
 *
 * @module
 */

import { Rng, type Tensor } from "../../autograd/mod.ts";
import { Adam, BestWeights, cosineLR, evaluate, fit, saveCheckpoint } from "../../layers/mod.ts";
import { numberFlag, runCommand } from "../../datasets/command_line.ts";
import { buildNist36, NIST36_MANIFEST } from "../../datasets/builders/mod.ts";
import { resolveCacheDir, resolveDataDir } from "../../datasets/data_dir.ts";
import { loadNist36, NIST36_CLASSES } from "../../datasets/nist36.ts";
import { type CnnArchitecture, createOcrNetwork } from "./architecture.ts";
import { jitterGlyphs, type JitterOptions } from "./jitter.ts";

/** Settings of the default model's training run. */
export interface DefaultTrainSettings {
  /** Conv channels per block. */
  channels: number[];
  /** Hidden units. */
  hidden: number;
  /** Dropout before the output layer. */
  dropout: number;
  /** Epochs. */
  epochs: number;
  /** Minibatch size. */
  batchSize: number;
  /** Initial Adam learning rate (cosine down to 0). */
  lr: number;
  /** L2 weight decay. */
  weightDecay: number;
  /** Seed of the data split, initialisation, batch order, jitter and dropout. */
  seed: number;
}

/** The settings the committed model was trained with. */
export const DEFAULT_TRAIN_SETTINGS: DefaultTrainSettings = {
  channels: [32, 64, 64],
  hidden: 128,
  dropout: 0.3,
  epochs: 12,
  batchSize: 64,
  lr: 2e-3,
  weightDecay: 1e-5,
  seed: 0,
};

/** The augmentation: ±2 px, ±12 % size, ±10° rotation, ±0.2 shear. */
const JITTER: JitterOptions = {
  size: 32,
  maxShift: 2,
  maxScale: 0.12,
  maxRotation: 10 * Math.PI / 180,
  maxShear: 0.2,
};

const USAGE = `usage: deno run -A ocr/model/train_default.ts [--out FILE] [--epochs N] [--seed N]
  --out FILE    checkpoint to write (default ocr/default_model.safetensors)
  --epochs N    epochs (default ${DEFAULT_TRAIN_SETTINGS.epochs})
  --seed N      seed (default ${DEFAULT_TRAIN_SETTINGS.seed})
  --data-dir D  shared data root holding unipen-train_r01_v07 (or INKLING_DATA_DIR)`;

/** The full UNIPEN-built NIST36 set (every usable sample), built into the cache if missing. */
async function loadAllGlyphs(options: { seed: number; dataDir?: string }) {
  const dir = `${await resolveCacheDir()}/nist36_all_seed${options.seed}`;
  const built = await Deno.stat(`${dir}/${NIST36_MANIFEST}`).then(() => true, () => false);
  if (!built) {
    const unipenDir = `${await resolveDataDir({ dataDir: options.dataDir })}/unipen-train_r01_v07`;
    await buildNist36({ unipenDir, outDir: dir, seed: options.seed, perClass: "all" });
  }
  return { dir, ...(await loadNist36(dir)) };
}

/** Trains the default CNN; returns the checkpoint path written and the accuracies. */
export async function trainDefaultModel(
  out: string,
  options: { settings?: Partial<DefaultTrainSettings>; dataDir?: string } = {},
): Promise<{ validAccuracy: number; testAccuracy: number; seconds: number; epoch: number }> {
  const s = { ...DEFAULT_TRAIN_SETTINGS, ...options.settings };
  const data = await loadAllGlyphs({ seed: s.seed, dataDir: options.dataDir });
  console.error(
    `data: ${data.dir} (${data.train.labels.length}/${data.valid.labels.length}/${data.test.labels.length})`,
  );
  const architecture: CnnArchitecture = {
    kind: "cnn",
    size: 32,
    channels: s.channels,
    hidden: s.hidden,
    dropout: s.dropout,
    classes: NIST36_CLASSES,
  };
  const rng = new Rng(s.seed);
  const model = createOcrNetwork(architecture, { rng });
  const optimizer = new Adam(model.parameters(), { lr: s.lr, weightDecay: s.weightDecay });
  const best = new BestWeights(model);
  const started = performance.now();
  const history = await fit(model, {
    train: { x: data.train.x, y: data.train.labels },
    valid: { x: data.valid.x, y: data.valid.labels },
    epochs: s.epochs,
    batchSize: s.batchSize,
    optimizer,
    rng,
    schedule: cosineLR(s.lr, { epochs: s.epochs }),
    augment: (batch, r) => ({ ...batch, x: jitterGlyphs(batch.x as Tensor, r, JITTER) }),
    progress: "lines",
    onEpochEnd: best.update,
  });
  const seconds = (performance.now() - started) / 1000;
  best.restore();
  const testAccuracy = evaluate(model, { x: data.test.x, y: data.test.labels }).accuracy;
  await saveCheckpoint(out, {
    model,
    epoch: best.epoch,
    history,
    architecture: { ...architecture, storage: "nist36-transposed", settings: s, jitter: JITTER },
  });
  return { validAccuracy: best.accuracy, testAccuracy, seconds, epoch: best.epoch };
}

/** Runs the script; returns the exit code. */
export function main(args: string[]): Promise<number> {
  const flags = {
    out: { type: "string" },
    epochs: { type: "string" },
    seed: { type: "string" },
    "data-dir": { type: "string" },
  } as const;
  return runCommand(args, { usage: USAGE, flags }, async ({ values }, output) => {
    const out = values.out ?? "ocr/default_model.safetensors";
    const d = DEFAULT_TRAIN_SETTINGS;
    const result = await trainDefaultModel(out, {
      settings: {
        epochs: numberFlag(values.epochs, "epochs", { fallback: d.epochs, integer: true }),
        seed: numberFlag(values.seed, "seed", { fallback: d.seed, integer: true }),
      },
      dataDir: values["data-dir"],
    });
    const size = (await Deno.stat(out)).size;
    output.stdout(
      `${out}: ${(size / 1024).toFixed(0)} KiB, best epoch ${result.epoch}, ` +
        `validation accuracy ${(100 * result.validAccuracy).toFixed(2)}%, ` +
        `test accuracy ${(100 * result.testAccuracy).toFixed(2)}%, ` +
        `trained in ${result.seconds.toFixed(0)} s`,
    );
  });
}

if (import.meta.main) Deno.exit(await main(Deno.args));
