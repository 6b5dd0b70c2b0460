/**
 * The run directory of `deno task train`: model (safetensors), history.json,
 * figures (SVG + PNG) and report.md / report.html tying them together.
 *
 * @module
 */

import { type History, saveCheckpoint } from "../../layers/mod.ts";
import { NIST36_CLASSES } from "../../datasets/nist36.ts";
import { writeFileAtomic } from "../../datasets/files.ts";
import {
  confusionMatrixFigure,
  imageGrid,
  lineChart,
  type NamedFigureSection,
  sideBySide,
  writeReport,
} from "../../viz/mod.ts";
import type { TrainResult, TrainSettings } from "./train_nist36.ts";

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
  /** The main run. */
  result: TrainResult;
  /** Its settings. */
  settings: TrainSettings;
  /** Where the data came from, for the text. */
  dataNote: string;
  /** Optional learning-rate study. */
  lrStudy?: LrStudyRun[];
}

const encoder = new TextEncoder();
const percent = (v: number) => `${(100 * v).toFixed(2)}%`;
const epochs = (h: History) => h.train_acc.map((_, i) => i + 1);

/** The most frequent off-diagonal (true → predicted) pairs. */
export function topConfusions(counts: number[][], limit = 10): [string, string, number][] {
  const pairs: [string, string, number][] = [];
  counts.forEach((row, t) =>
    row.forEach((n, p) => t !== p && n > 0 && pairs.push([NIST36_CLASSES[t], NIST36_CLASSES[p], n]))
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
    architecture: { ...result.architecture, storage: "nist36-transposed", classes: NIST36_CLASSES },
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
      labels: [...NIST36_CLASSES],
      title: "Test confusion matrix",
    }),
  };
  // Rows of the first-layer weight are input pixels in NIST36's transposed storage.
  const grid = (weights: { data: ArrayLike<number>; shape: readonly number[] }) =>
    imageGrid(weights, {
      width: 32,
      height: 32,
      layout: "columns",
      transpose: true,
      columns: 8,
      scale: 3,
    });
  figures.weights = sideBySide([
    { title: "after initialisation", image: await grid(result.initialWeights) },
    { title: "after training", image: await grid(result.model.parameters()[0]) },
  ], { title: `First-layer weights (${result.architecture.hidden} units, 32×32 each)` });
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
    title: "NIST36 MLP training report",
    figures,
    sections: reportSections(input),
  });
}

function reportSections(input: ReportInput): NamedFigureSection[] {
  const { result, settings } = input;
  const h = result.history;
  const last = h.train_acc.length - 1;
  const sections: NamedFigureSection[] = [
    {
      heading: "Setup",
      text:
        `${input.dataNote}\n\nNetwork 1024-${settings.hidden}(sigmoid)-36(softmax), Xavier-uniform ` +
        `initialisation, minibatch SGD (batch ${settings.batchSize}, reshuffled every epoch), ` +
        `cosine learning rate from ${settings.lr}, weight decay ${settings.weightDecay}, ` +
        `${settings.shift ? `random shifts of ±${settings.shift} px` : "no augmentation"}, ` +
        `${settings.epochs} epochs, seed ${settings.seed}, gradients by ${
          settings.manual ? "the hand-written backward pass" : "the tape"
        }.`,
    },
    {
      heading: "Results",
      table: {
        header: ["measure", "value"],
        rows: [
          ["test accuracy (best validation epoch)", percent(result.testAccuracy)],
          ["best validation epoch", result.bestEpoch],
          ["validation accuracy, best epoch", percent(h.valid_acc[result.bestEpoch - 1])],
          ["final training accuracy", percent(h.train_acc[last])],
          ["final validation accuracy", percent(h.valid_acc[last])],
          ["training time", `${result.seconds.toFixed(2)} s`],
        ],
      },
    },
    {
      heading: "Accuracy",
      text:
        "Training accuracy and loss are measured during each epoch on the shifted (augmented) " +
        "batches, which is why they sit near or below the validation curve.",
      figure: "accuracy",
    },
    { heading: "Loss", figure: "loss" },
    {
      heading: "First-layer weights",
      text:
        "Each tile is one hidden unit's 1024 input weights shown as a 32×32 image, each tile scaled to its own range.",
      figure: "weights",
    },
    {
      heading: "Confusion matrix",
      text: "Rows are true classes, columns predictions. The most frequent confusions:",
      figure: "confusion",
      table: { header: ["true", "predicted", "count"], rows: topConfusions(result.confusion) },
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
