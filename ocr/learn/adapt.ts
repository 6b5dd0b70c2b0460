/**
 * Fine-tuning a character classifier on one writer's glyphs without losing
 * what it knew. A few dozen characters are far too few to train on alone:
 * the network would fit them in a handful of steps and drift away from
 * every other writer's letters. Three things hold it in place:
 *
 * - **L2-SP** (Li, Grandvalet & Davoine 2018): the loss gains
 *   `anchor · ‖w − w₀‖²`, a pull toward the original weights `w₀` rather
 *   than toward zero, so weights move only as far as the new glyphs ask;
 * - **replay**: every batch mixes in generic glyphs from the base model's own
 *   training distribution (when given), so the classes the writer did not
 *   write keep being seen;
 * - **augmentation**: each presentation of a glyph is jittered (datasets'
 *   `jitterGlyphs`, the base model's recipe), so ten copies of one "A"
 *   teach the writer's shape of A, not those ten pixels.
 *
 * Batch normalisation layers, if any, keep their running statistics.
 *
 * An epoch shows every own glyph at least once and at least
 * `glyphsPerEpoch` times in all (repeated, each time jittered anew), plus
 * `replayRatio` generic glyphs per own one; the learning rate falls along
 * a cosine over all steps.
 *
 * @module
 */

import {
  argmax,
  crossEntropy,
  InklingError,
  Rng,
  ShapeError,
  Tensor,
  tidy,
} from "../../autograd/mod.ts";
import { jitterGlyphs, type JitterOptions } from "../../datasets/augment.ts";
import { Adam, BatchNorm, type Module } from "../../layers/mod.ts";

/** Glyph rows `[N, size²]` (as OCR crops them) and their class indices. */
export interface Glyphs {
  /** The glyphs, one per row, in the model's storage. */
  x: Tensor;
  /** The class index of each row. */
  labels: Int32Array;
}

/** The jitter of {@linkcode adaptNetwork}: everything of `JitterOptions` but the size. */
export type GlyphJitter = Omit<JitterOptions, "size" | "fill">;

/** The `ocr-default` recipe's jitter: ±2 px, ±12 % scale, ±10° rotation, ±0.2 shear. */
export const ADAPT_JITTER: Readonly<GlyphJitter> = Object.freeze({
  maxShift: 2,
  maxScale: 0.12,
  maxRotation: 10 * Math.PI / 180,
  maxShear: 0.2,
});

/**
 * Defaults of {@linkcode AdaptOptions}, chosen on 24 writers of the
 * validation split (`writer_study.ts --split valid --writers 24`: adapt on
 * half of each writer's characters, score the other half; 9.2 % error
 * before). Replay is what makes adaptation work: without it 16 writers went
 * from 10.0 % to 10.0 %. With it, an anchor λ of 0.1 to 3 brought the
 * writer's error to 7.7–7.9 %, while a sample of the other writers went
 * from 8.8 % to 10.0 % (λ 0.1), 9.7 % (1) and 9.5 % (3); λ 10 held the
 * weights so close that the writer's error only fell to 8.8 %. Three
 * replayed glyphs per own one reached 9.4 % on the others at twice the time,
 * and teaching replayed glyphs the base model's probabilities instead of
 * their labels (distillation) did no better (9.7–9.8 %). A rate of 1e-3
 * fitted the writer no better than 3e-4; 1e-4 learned too little (8.2 %).
 */
export const ADAPT_DEFAULTS: Readonly<{
  epochs: number;
  lr: number;
  anchor: number;
  replayRatio: number;
  glyphsPerEpoch: number;
  batchSize: number;
}> = Object.freeze({
  epochs: 6,
  lr: 3e-4,
  anchor: 3,
  replayRatio: 1,
  glyphsPerEpoch: 256,
  batchSize: 32,
});

/** Options of {@linkcode adaptNetwork}. */
export interface AdaptOptions {
  /** Side of the square glyphs (rows hold size² values). */
  size: number;
  /** Epochs (default 6). */
  epochs?: number;
  /** Seed of the batch order, the jitter and the replay draw (default 0). */
  seed?: number;
  /** Adam's initial learning rate (default 3e-4). */
  lr?: number;
  /** Strength of the pull toward the original weights, `λ` of `λ‖w − w₀‖²` (default 3). */
  anchor?: number;
  /** Generic glyphs to mix into every epoch (none by default). */
  replay?: Glyphs;
  /** Generic glyphs per own glyph in an epoch (default 1). */
  replayRatio?: number;
  /** Own glyphs shown per epoch at least, repeating them (default 256). */
  glyphsPerEpoch?: number;
  /** Glyphs per step (default 32). */
  batchSize?: number;
  /** Augmentation (default {@linkcode ADAPT_JITTER}). */
  jitter?: GlyphJitter;
  /** Called after every epoch, e.g. to show progress. */
  onEpoch?: (epoch: AdaptEpoch) => void;
}

/** One finished epoch. */
export interface AdaptEpoch {
  /** Epochs done (1-based). */
  epoch: number;
  /** Epochs in all. */
  epochs: number;
  /** Mean cross-entropy over the epoch's glyphs, own and replayed. */
  loss: number;
  /** Fraction of the own (jittered) glyphs the network classified right while training. */
  accuracy: number;
}

/** What {@linkcode adaptNetwork} did. */
export interface AdaptResult {
  /** Every epoch. */
  epochs: AdaptEpoch[];
  /** Optimizer steps taken. */
  steps: number;
  /** Generic glyphs shown in all. */
  replayed: number;
  /** Wall time, seconds. */
  seconds: number;
}

/**
 * Fine-tunes `network` in place on `glyphs` (see the module doc) and leaves
 * it in evaluation mode. Throws an {@linkcode InklingError} for no glyphs,
 * glyphs or replay of the wrong width, or a loss that stops being finite.
 */
export function adaptNetwork(network: Module, glyphs: Glyphs, options: AdaptOptions): AdaptResult {
  const settings = { ...ADAPT_DEFAULTS, ...withoutUndefined(options) };
  const { size } = options;
  const { epochs, batchSize, anchor } = settings;
  const area = size * size;
  checkGlyphs(glyphs, area, "glyphs");
  if (options.replay) checkGlyphs(options.replay, area, "replay");
  const count = glyphs.labels.length;
  if (count === 0) throw new InklingError("adaptNetwork: no glyphs to learn from");
  const replay = options.replay && options.replay.labels.length > 0 ? options.replay : undefined;
  const own = count * Math.max(1, Math.ceil(settings.glyphsPerEpoch / count));
  const generic = replay ? Math.round(own * settings.replayRatio) : 0;
  const stepsPerEpoch = Math.ceil((own + generic) / batchSize);
  const params = network.parameters();
  const origin = params.map((p) => Float32Array.from(p.data));
  const optimizer = new Adam(params, { lr: settings.lr });
  const rng = new Rng(settings.seed);
  const jitter = { size, ...(options.jitter ?? ADAPT_JITTER) };
  const started = performance.now();
  const history: AdaptEpoch[] = [];
  let step = 0;
  network.train();
  freezeBatchNorm(network);
  for (let epoch = 0; epoch < epochs; epoch++) {
    const order = rng.permutation(own + generic);
    const drawn = Int32Array.from({ length: generic }, () => rng.int(replay!.labels.length));
    let [lossSum, ownSeen, ownRight] = [0, 0, 0];
    for (let start = 0; start < order.length; start += batchSize) {
      const rows = order.subarray(start, Math.min(order.length, start + batchSize));
      const batch = new Float32Array(rows.length * area);
      const labels = new Int32Array(rows.length);
      rows.forEach((entry, b) => {
        const [source, row] = entry < own ? [glyphs, entry % count] : [replay!, drawn[entry - own]];
        batch.set(source.x.data.subarray(row * area, (row + 1) * area), b * area);
        labels[b] = source.labels[row];
      });
      optimizer.lr = settings.lr * 0.5 * (1 + Math.cos(Math.PI * step / (epochs * stepsPerEpoch)));
      // A tidy scope per step: the next step reuses this one's arrays.
      const { value, guesses } = tidy(() => {
        const x = jitterGlyphs(new Tensor(batch, [rows.length, area]), rng, jitter);
        const logits = network.forward(x);
        const loss = crossEntropy(logits, labels);
        network.zeroGrad({ reuse: true });
        const value = loss.item();
        if (!Number.isFinite(value)) {
          network.eval();
          throw new InklingError(
            `adaptation diverged: the loss is ${value} at epoch ${epoch + 1}, step ${step + 1}; ` +
              `lower the learning rate (now ${optimizer.lr})`,
          );
        }
        loss.backward();
        pullToOrigin(params, origin, anchor);
        optimizer.step();
        return { value, guesses: argmax(logits, { axis: 1 }) };
      });
      step++;
      lossSum += value * rows.length;
      rows.forEach((entry, b) => {
        if (entry >= own) return;
        ownSeen++;
        if (guesses[b] === labels[b]) ownRight++;
      });
    }
    const done = {
      epoch: epoch + 1,
      epochs,
      loss: lossSum / order.length,
      accuracy: ownRight / ownSeen,
    };
    history.push(done);
    options.onEpoch?.(done);
  }
  network.eval();
  const seconds = (performance.now() - started) / 1000;
  return { epochs: history, steps: step, replayed: generic * epochs, seconds };
}

/**
 * Puts every BatchNorm layer of `module` back in evaluation mode: batches of
 * one writer's few dozen glyphs would drag the running statistics, which
 * every writer's glyphs are normalised by, toward that writer. Their scale
 * and shift still learn (as when fine-tuning on little data in PyTorch).
 */
function freezeBatchNorm(module: Module): void {
  if (module instanceof BatchNorm) module.eval();
  for (const [, child] of module.children()) freezeBatchNorm(child);
}

/** Adds the gradient of `anchor · ‖w − w₀‖²`, `2 · anchor · (w − w₀)`, to every parameter's. */
function pullToOrigin(params: readonly Tensor[], origin: readonly Float32Array[], anchor: number) {
  if (anchor === 0) return;
  params.forEach((p, i) => {
    const grad = p.grad?.data;
    if (!grad) return;
    const w = p.data;
    const w0 = origin[i];
    for (let j = 0; j < w.length; j++) grad[j] += 2 * anchor * (w[j] - w0[j]);
  });
}

function checkGlyphs(glyphs: Glyphs, area: number, what: string): void {
  const { x, labels } = glyphs;
  if (x.ndim !== 2 || x.shape[1] !== area || x.shape[0] !== labels.length) {
    throw new ShapeError(
      `adaptNetwork: ${what} are [${x.shape.join(", ")}] with ${labels.length} labels; ` +
        `expected [N, ${area}] with N labels`,
    );
  }
}

/** `options` without its undefined fields, so they do not hide the defaults. */
function withoutUndefined<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<
    T
  >;
}
