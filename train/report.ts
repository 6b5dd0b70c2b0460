/**
 * The run directory of `deno task train`: model (safetensors), history.json,
 * figures (SVG + PNG) and report.md / report.html tying them together.
 *
 * @module
 */

import { type History, saveCheckpoint } from "../layers/mod.ts";
import { type ClassifierArchitecture, classNames, glyphSize } from "../models/mod.ts";
import { writeFileAtomic } from "../formats/files.ts";
import {
  confusionMatrixFigure,
  imageGrid,
  lineChart,
  type NamedFigureSection,
  sideBySide,
  writeReport,
} from "../viz/mod.ts";
import type { TrainSettings } from "./settings.ts";
import { atChance, checkpointArchitecture, type TrainResult } from "./train_classifier.ts";

/** One run of the learning-rate study. */
export interface LrStudyRun {
  /** Learning rate. */
  lr: number;
  /** Its history. */
  history: History;
  /** Test accuracy of its best epoch. */
  testAccuracy: number;
}

/** Everything a report shows. */
export interface ReportInput {
  /** The main run (its settings included). */
  result: TrainResult;
  /** Where the data came from, for the text. */
  dataNote: string;
  /** Optional learning-rate study. */
  lrStudy?: LrStudyRun[];
}

const encoder = new TextEncoder();
const percent = (v: number) => `${(100 * v).toFixed(2)}%`;
const epochs = (h: History) => h.train_acc.map((_, i) => i + 1);

/** The most frequent off-diagonal (true → predicted) pairs of `classes` (one character each). */
export function topConfusions(
  counts: number[][],
  options: { classes: string; limit?: number },
): [string, string, number][] {
  const { classes, limit = 10 } = options;
  const pairs: [string, string, number][] = [];
  counts.forEach((row, t) =>
    row.forEach((n, p) => t !== p && n > 0 && pairs.push([classes[t], classes[p], n]))
  );
  return pairs.sort((a, b) => b[2] - a[2]).slice(0, limit);
}

/** Writes model, history, figures and reports into `dir`; returns the report.md path. */
export async function writeRunDirectory(dir: string, input: ReportInput): Promise<string> {
  await Deno.mkdir(dir, { recursive: true });
  const { result } = input;
  const h = result.history;
  await saveCheckpoint(`${dir}/model.safetensors`, {
    model: result.model,
    epoch: result.bestEpoch,
    history: h,
    architecture: checkpointArchitecture(result),
  });
  const historyJson = {
    ...h,
    test_acc: result.testAccuracy,
    best_epoch: result.bestEpoch,
    seconds: result.seconds,
  };
  await writeFileAtomic(
    `${dir}/history.json`,
    encoder.encode(JSON.stringify(historyJson, null, 2) + "\n"),
  );

  const figures: Record<string, string> = {
    accuracy: lineChart({
      title: "Accuracy per epoch",
      xLabel: "epoch",
      yLabel: "accuracy",
      series: [
        { name: "training", x: epochs(h), y: h.train_acc },
        { name: "validation", x: epochs(h), y: h.valid_acc },
      ],
    }),
    loss: lineChart({
      title: "Cross-entropy loss per epoch (mean over samples)",
      xLabel: "epoch",
      yLabel: "loss",
      series: [
        { name: "training", x: epochs(h), y: h.train_loss },
        { name: "validation", x: epochs(h), y: h.valid_loss },
      ],
    }),
    confusion: confusionMatrixFigure(result.confusion, {
      labels: [...classNames(result.architecture)],
      title: "Test confusion matrix",
    }),
  };
  figures.weights = await weightsFigure(result);
  if (input.lrStudy) {
    figures.lr_study = lineChart({
      title: "Learning-rate study",
      xLabel: "epoch",
      yLabel: "accuracy",
      series: input.lrStudy.flatMap((run) => [
        { name: `lr ${run.lr} training`, x: epochs(run.history), y: run.history.train_acc },
        { name: `lr ${run.lr} validation`, x: epochs(run.history), y: run.history.valid_acc },
      ]),
    });
  }
  return await writeReport(dir, {
    title: `${result.dataName} ${result.settings.model.toUpperCase()} training report`,
    figures,
    sections: reportSections(input),
  });
}

/** Notes for the Results section: a run that diverged, or one that never beat guessing. */
function warnings(result: TrainResult): { text?: string } {
  const notes: string[] = [];
  if (result.diverged) {
    notes.push(
      `**Stopped early**: ${result.diverged}. The weights kept are those of epoch ${result.bestEpoch}.`,
    );
  }
  const classes = classNames(result.architecture).length;
  if (atChance(result.validAccuracy, classes)) {
    notes.push(
      `**At chance level**: validation accuracy ${percent(result.validAccuracy)} is what ` +
        `guessing among ${classes} classes gives; the network learned nothing ` +
        `(learning rate ${result.settings.lr}).`,
    );
  }
  return notes.length > 0 ? { text: notes.join("\n\n") } : {};
}

function reportSections(input: ReportInput): NamedFigureSection[] {
  const { result } = input;
  const s = result.settings;
  const h = result.history;
  const last = h.train_acc.length - 1;
  const sections: NamedFigureSection[] = [
    {
      heading: "Setup",
      text: `${input.dataNote}\n\n${describeSetup(result.settings, result.architecture)}`,
    },
    {
      heading: "Results",
      table: {
        header: ["measure", "value"],
        rows: [
          ["test accuracy (best validation epoch)", percent(result.testAccuracy)],
          [
            `best validation epoch (${
              s.monitor === "valid_loss" ? "lowest loss" : "highest accuracy"
            })`,
            result.bestEpoch,
          ],
          ["validation accuracy, best epoch", percent(h.valid_acc[result.bestEpoch - 1])],
          ["final training accuracy", percent(h.train_acc[last])],
          ["final validation accuracy", percent(h.valid_acc[last])],
          ["training time", `${result.seconds.toFixed(2)} s`],
        ],
      },
      ...warnings(result),
    },
    {
      heading: "Accuracy",
      text: `Training accuracy and loss are measured during each epoch on the ${
        s.jitter ? "jittered" : "shifted (augmented)"
      } batches${s.model === "cnn" && s.dropout > 0 ? " with dropout on" : ""}${
        s.batchNorm ? " (and batch normalisation using each batch's own statistics)" : ""
      }, which is why they sit near or below the validation curve.`,
      figure: "accuracy",
    },
    {
      heading: "Loss",
      ...(s.labelSmoothing > 0
        ? {
          text: `The training loss is label-smoothed cross-entropy (ε ${s.labelSmoothing}), ` +
            "which stays above the entropy of the smoothed targets even for a perfect " +
            "network; the validation loss is plain cross-entropy, comparable with other runs.",
        }
        : {}),
      figure: "loss",
    },
    {
      heading: "First-layer weights",
      text: result.settings.model === "mlp"
        ? "Each tile is one hidden unit's 1024 input weights shown as a 32×32 image, each tile scaled to its own range."
        : "Each tile is one 3×3 filter of the first convolution, each tile scaled to its own range.",
      figure: "weights",
    },
    {
      heading: "Confusion matrix",
      text: "Rows are true classes, columns predictions. The most frequent confusions:",
      figure: "confusion",
      table: {
        header: ["true", "predicted", "count"],
        rows: topConfusions(result.confusion, { classes: classNames(result.architecture) }),
      },
    },
  ];
  if (input.lrStudy) {
    sections.push({
      heading: "Learning-rate study",
      figure: "lr_study",
      table: {
        header: [
          "learning rate",
          "final training acc.",
          "final validation acc.",
          "test acc. (best epoch)",
        ],
        rows: input.lrStudy.map((r) => [
          r.lr,
          percent(r.history.train_acc.at(-1)!),
          percent(r.history.valid_acc.at(-1)!),
          percent(r.testAccuracy),
        ]),
      },
    });
  }
  return sections;
}

/** One paragraph saying what was trained (`architecture`) and how (`s`). */
export function describeSetup(s: TrainSettings, architecture: ClassifierArchitecture): string {
  const classes = classNames(architecture).length;
  const size = glyphSize(architecture);
  const network = s.model === "mlp"
    ? `${size ** 2}-${s.hidden}(sigmoid)-${classes}(softmax), Xavier-uniform initialisation`
    : `${size}×${size} → conv blocks of ${s.channels.join(", ")} channels ` +
      `(3×3 convolution, ${
        s.batchNorm ? "batch normalisation (the convolutions without bias), " : ""
      }ReLU, 2×2 max pooling) → ${s.hidden}(ReLU, dropout ${s.dropout}) → ` +
      `${classes}(softmax), He-uniform convolutions and Xavier-uniform linear layers`;
  const loss = s.labelSmoothing > 0
    ? `, trained on label-smoothed cross-entropy (ε ${s.labelSmoothing}; validation and ` +
      "test losses are plain cross-entropy)"
    : "";
  const augmentation = s.jitter
    ? `affine jitter (±${s.shift} px, ±${Math.round(100 * s.jitter.maxScale)}% size, ±${
      Math.round(s.jitter.maxRotation * 180 / Math.PI)
    }° rotation, ±${s.jitter.maxShear} shear${
      s.jitter.elastic
        ? `, elastic distortion up to ${s.jitter.elastic.maxDisplacement} px with σ ${s.jitter.elastic.sigma} px`
        : ""
    })`
    : s.shift
    ? `random shifts of ±${s.shift} px`
    : "no augmentation";
  return `Network ${network}, ${s.optimizer === "adam" ? "Adam" : "minibatch SGD"} ` +
    `(batch ${s.batchSize}, reshuffled every epoch), cosine learning rate from ${s.lr}, ` +
    `weight decay ${s.weightDecay}${loss}, ${augmentation}, ${s.epochs} epochs, seed ${s.seed}, ` +
    `gradients by ${s.manual ? "the hand-written backward pass" : "the tape"}.` +
    (s.balance
      ? " After training, the training set's class frequencies were folded out of the " +
        "output layer's bias (post-hoc logit adjustment), so the test split and OCR see " +
        "every class as equally likely; the validation curves are from before that step."
      : "");
}

/** First-layer weights after initialisation and after training, side by side. */
async function weightsFigure(result: TrainResult): Promise<string> {
  const mlp = result.settings.model === "mlp";
  const size = glyphSize(result.architecture);
  // An MLP's first weight is [size², hidden]: one glyph-sized tile per column, in the
  // glyphs' transposed storage. A CNN's is [filters, 1, 3, 3]: one 3×3 tile per filter.
  const grid = (weights: { data: ArrayLike<number>; shape: readonly number[] }) =>
    imageGrid(
      weights,
      mlp
        ? { width: size, height: size, layout: "columns", transpose: true, columns: 8, scale: 3 }
        : { width: 3, height: 3, layout: "rows", columns: 8, scale: 12 },
    );
  const [first] = result.model.parameters();
  const units = mlp ? first.shape[1] : first.shape[0];
  return sideBySide([
    { title: "after initialisation", image: await grid(result.initialWeights) },
    { title: "after training", image: await grid(first) },
  ], {
    title: mlp
      ? `First-layer weights (${units} units, ${size}×${size} each)`
      : `First-layer filters (${units} filters, 3×3 each)`,
  });
}
