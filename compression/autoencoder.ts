/**
 * The assignment's autoencoder: 1024 → 32 → 32 → 32 → 1024 with ReLU on the
 * three hidden layers and a sigmoid output, trained to reproduce its input
 * under the total (summed) squared error with SGD and momentum
 * (M ← 0.9·M − α·∂J/∂W, W ← W + M).
 *
 * @module
 */

import {
  concat,
  gatherRows,
  noGrad,
  Rng,
  squaredError,
  type Tensor,
  tidy,
} from "../autograd/mod.ts";
import {
  BatchBuffer,
  DivergenceError,
  Linear,
  randomBatches,
  ReLU,
  Sequential,
  SGD,
  Sigmoid,
} from "../layers/mod.ts";

/** Settings of one training run. */
export interface AutoencoderSettings {
  /** Width of the three hidden layers, the middle one being the code (default 32). */
  hidden: number;
  /** Epochs (default 100). */
  epochs: number;
  /** Minibatch size (default 36). */
  batchSize: number;
  /** Learning rate α for the summed loss (default 3e-5, the assignment's). */
  lr: number;
  /** Momentum μ (default 0.9). */
  momentum: number;
  /** Seed of initialisation and batch order (default 0). */
  seed: number;
}

/** The assignment's settings. */
export const AUTOENCODER_DEFAULTS: AutoencoderSettings = {
  hidden: 32,
  epochs: 100,
  batchSize: 36,
  lr: 3e-5,
  momentum: 0.9,
  seed: 0,
};

/** The network for `inputs`-pixel images, Xavier-uniform weights (as the assignment's init). */
export function createAutoencoder(
  inputs: number,
  options: { hidden?: number; rng?: Rng } = {},
): Sequential {
  const hidden = options.hidden ?? AUTOENCODER_DEFAULTS.hidden;
  const rng = options.rng ?? new Rng(0);
  return new Sequential(
    new Linear(inputs, hidden, { rng }),
    new ReLU(),
    new Linear(hidden, hidden, { rng }),
    new ReLU(),
    new Linear(hidden, hidden, { rng }),
    new ReLU(),
    new Linear(hidden, inputs, { rng }),
    new Sigmoid(),
  );
}

/** Per-epoch losses: squared error summed over the pixels of an image, averaged over images. */
export interface AutoencoderHistory {
  /** Mean over the epoch's batches, measured before each update. */
  train_loss: number[];
  /** On the validation images after the epoch (empty without them). */
  valid_loss: number[];
}

/** Outcome of {@linkcode trainAutoencoder}. */
export interface AutoencoderResult {
  /** The trained network. */
  model: Sequential;
  /** Per-epoch losses. */
  history: AutoencoderHistory;
  /** Settings used. */
  settings: AutoencoderSettings;
  /** Wall time of the training loop (validation passes included), seconds. */
  seconds: number;
}

/** Options of {@linkcode trainAutoencoder}. */
export interface TrainAutoencoderOptions {
  /** Overrides of {@linkcode AUTOENCODER_DEFAULTS}. */
  settings?: Partial<AutoencoderSettings>;
  /** Called after every epoch (0-based) with the history so far, e.g. to print progress. */
  onEpochEnd?: (epoch: number, history: AutoencoderHistory) => void;
}

/**
 * Trains the autoencoder on the rows of `train` (targets = inputs); with
 * `valid`, the validation loss is recorded after every epoch. The loop is
 * written out rather than `fit`'s, which scores class accuracy by arg-maxing
 * every output (a tenth of the time here, and meaningless for images).
 */
export function trainAutoencoder(
  data: { train: Tensor; valid?: Tensor },
  options: TrainAutoencoderOptions = {},
): AutoencoderResult {
  const settings = { ...AUTOENCODER_DEFAULTS, ...options.settings };
  const rng = new Rng(settings.seed);
  const model = createAutoencoder(data.train.shape[1], { hidden: settings.hidden, rng });
  const optimizer = new SGD(model.parameters(), {
    lr: settings.lr,
    momentum: settings.momentum,
  });
  const history: AutoencoderHistory = { train_loss: [], valid_loss: [] };
  const count = data.train.shape[0];
  const started = performance.now();
  // Each step gathers its batch into the same storage (done with it after backward).
  const batchBuffer = new BatchBuffer();
  for (let epoch = 0; epoch < settings.epochs; epoch++) {
    model.train();
    let total = 0;
    const batches = randomBatches(count, { batchSize: settings.batchSize, rng });
    for (const [step, rows] of batches.entries()) {
      // A tidy scope per step: the next step reuses this one's arrays.
      const value = tidy(() => {
        const x = batchBuffer.gather(data.train, rows);
        // The gradient is that of the batch total, which α = 3e-5 is tuned for.
        const loss = squaredError(model.forward(x), x);
        const value = loss.item();
        if (!Number.isFinite(value)) return value;
        model.zeroGrad({ reuse: true });
        loss.backward();
        optimizer.step();
        return value;
      });
      if (!Number.isFinite(value)) {
        throw new DivergenceError(`autoencoder loss is ${value}`, {
          epoch: epoch + 1,
          step: step + 1,
          lr: settings.lr,
        });
      }
      total += value;
    }
    history.train_loss.push(total / count);
    if (data.valid) history.valid_loss.push(reconstructionLoss(model, data.valid));
    options.onEpochEnd?.(epoch, history);
  }
  return { model, history, settings, seconds: (performance.now() - started) / 1000 };
}

/** Rows reconstructed per forward pass outside training. */
const EVAL_ROWS = 1024;

/** The network's reconstructions of x [N, D] (evaluation mode, no tape). */
export function autoencoderReconstruct(model: Sequential, x: Tensor): Tensor {
  const n = x.shape[0];
  return noGrad(() => {
    model.eval();
    const parts: Tensor[] = [];
    for (let start = 0; start < n; start += EVAL_ROWS) {
      const rows = Int32Array.from({ length: Math.min(EVAL_ROWS, n - start) }, (_, i) => start + i);
      parts.push(model.forward(gatherRows(x, rows)));
    }
    return parts.length === 1 ? parts[0] : concat(parts);
  });
}

/** Squared error summed over pixels, averaged over the images of x. */
export function reconstructionLoss(model: Sequential, x: Tensor): number {
  return noGrad(() => squaredError(autoencoderReconstruct(model, x), x).item()) / x.shape[0];
}
