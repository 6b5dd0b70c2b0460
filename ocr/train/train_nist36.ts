/**
 * Training the NIST36 network: finds the data (real NIST36 MAT-files, or the
 * UNIPEN-built set, built into the cache on first use), trains with minibatch
 * SGD, keeps the weights of the best validation epoch, and measures test
 * accuracy and the confusion matrix.
 *
 * @module
 */

import { noGrad, Rng, type Tensor } from "../../autograd/mod.ts";
import {
  BestWeights,
  confusionMatrix,
  cosineLR,
  type Dataset,
  evaluate,
  fit,
  type History,
  type ProgressMode,
  type Sequential,
  SGD,
} from "../../layers/mod.ts";
import { buildNist36, NIST36_MANIFEST } from "../../datasets/builders/mod.ts";
import { loadNist36, type Nist36Split } from "../../datasets/nist36.ts";
import { resolveCacheDir, resolveDataDir } from "../../datasets/data_dir.ts";
import { shiftGlyphs } from "../../datasets/augment.ts";
import { createMlp, manualGradients, type MlpArchitecture } from "./nist36_mlp.ts";

/** Settings of one training run; the defaults are the tuned ones. */
export interface TrainSettings {
  /** Hidden units (default 64). */
  hidden: number;
  /** Epochs (default 30). */
  epochs: number;
  /** Minibatch size (default 32). */
  batchSize: number;
  /** Initial learning rate of the cosine schedule (default 0.5). */
  lr: number;
  /** L2 weight decay (default 5e-4). */
  weightDecay: number;
  /** Random shift of training glyphs in pixels, 0 for none (default 2). */
  shift: number;
  /** Seed of initialisation, batch order and augmentation (default 0). */
  seed: number;
  /** Train through the hand-written backward pass instead of the tape. */
  manual: boolean;
}

/** The defaults: 1024-64-36, 30 epochs, batch 32, cosine from 0.5, decay 5e-4, ±2 px shifts. */
export const DEFAULT_SETTINGS: TrainSettings = {
  hidden: 64,
  epochs: 30,
  batchSize: 32,
  lr: 0.5,
  weightDecay: 5e-4,
  shift: 2,
  seed: 0,
  manual: false,
};

/** Where the data comes from. */
export interface DataOptions {
  /** A folder holding nist36_train.mat, nist36_valid.mat and nist36_test.mat. */
  nist36Dir?: string;
  /** Root of the shared data (holding unipen-train_r01_v07) for building the set. */
  dataDir?: string;
  /** Cache for the built set (default: the Inkling cache dir). */
  cacheDir?: string;
}

/** The three splits as data sets, plus where they came from. */
export interface Nist36Data {
  /** Training split. */
  train: Nist36Split;
  /** Validation split. */
  valid: Nist36Split;
  /** Test split. */
  test: Nist36Split;
  /** Folder of the MAT-files. */
  dir: string;
  /** "nist36" for user-supplied files, "unipen" for the built set. */
  origin: "nist36" | "unipen";
}

/** Loads NIST36 from `nist36Dir`, or the UNIPEN-built set (built into the cache if missing). */
export async function loadTrainingData(options: DataOptions = {}): Promise<Nist36Data> {
  if (options.nist36Dir) {
    return { ...(await loadNist36(options.nist36Dir)), dir: options.nist36Dir, origin: "nist36" };
  }
  const dir = `${await resolveCacheDir({ cacheDir: options.cacheDir })}/nist36`;
  const built = await Deno.stat(`${dir}/${NIST36_MANIFEST}`).then(() => true, () => false);
  if (!built) {
    const unipenDir = `${await resolveDataDir({ dataDir: options.dataDir })}/unipen-train_r01_v07`;
    await buildNist36({ unipenDir, outDir: dir, seed: 0 });
  }
  return { ...(await loadNist36(dir)), dir, origin: "unipen" };
}

/** Outcome of {@linkcode trainNist36}. */
export interface TrainResult {
  /** The network with the weights of its best validation epoch. */
  model: Sequential;
  /** Its architecture. */
  architecture: MlpArchitecture;
  /** First-layer weights right after initialisation [1024, hidden]. */
  initialWeights: Tensor;
  /** Per-epoch history. */
  history: History;
  /** Epoch (1-based) whose weights were kept. */
  bestEpoch: number;
  /** Accuracy of the kept weights on the test split. */
  testAccuracy: number;
  /** Test confusion matrix, counts[true][predicted]. */
  confusion: number[][];
  /** Wall time of the training loop, seconds. */
  seconds: number;
}

function asDataset(split: Nist36Split): Dataset {
  return { x: split.x, y: split.labels };
}

/** Trains the network once with `settings` on `data`. */
export async function trainNist36(
  data: Nist36Data,
  options: { settings?: Partial<TrainSettings>; progress?: ProgressMode } = {},
): Promise<TrainResult> {
  const s = { ...DEFAULT_SETTINGS, ...options.settings };
  const rng = new Rng(s.seed);
  const architecture: MlpArchitecture = {
    kind: "mlp",
    inputs: 1024,
    hidden: s.hidden,
    classes: 36,
  };
  const model = createMlp(architecture, { rng });
  const initialWeights = model.parameters()[0].clone();
  const optimizer = new SGD(model.parameters(), { lr: s.lr, weightDecay: s.weightDecay });
  const best = new BestWeights(model);
  const started = performance.now();
  const history = await fit(model, {
    train: asDataset(data.train),
    valid: asDataset(data.valid),
    epochs: s.epochs,
    batchSize: s.batchSize,
    optimizer,
    rng,
    schedule: cosineLR(s.lr, { epochs: s.epochs }),
    augment: s.shift > 0
      ? (batch, r) => ({ ...batch, x: shiftGlyphs(batch.x, r, { size: 32, maxShift: s.shift }) })
      : undefined,
    gradients: s.manual ? manualGradients(model) : undefined,
    progress: options.progress,
    onEpochEnd: best.update,
  });
  const seconds = (performance.now() - started) / 1000;
  best.restore();
  const test = asDataset(data.test);
  const scores = noGrad(() => model.eval().forward(test.x));
  return {
    model,
    architecture,
    initialWeights,
    history,
    bestEpoch: best.epoch,
    testAccuracy: evaluate(model, test).accuracy,
    confusion: confusionMatrix(scores, test.y),
    seconds,
  };
}

/** One sentence saying where the data came from, for reports. */
export function describeData(data: Nist36Data): string {
  return data.origin === "nist36"
    ? `NIST36 MAT-files from ${data.dir}.`
    : `UNIPEN-built NIST36-format set (writer-disjoint splits) from ${data.dir}.`;
}
