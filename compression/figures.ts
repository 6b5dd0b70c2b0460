/**
 * The figures of the compression report: the autoencoder's loss curve,
 * validation images beside their two reconstructions, the principal
 * components as images, and the eigenvalue spectrum that shows the training
 * matrix's rank. Pure functions from results to SVG strings.
 *
 * @module
 */

import { gatherRows, InklingError, type Tensor } from "../autograd/mod.ts";
import { NIST36_CLASSES, NIST36_SIZE } from "../datasets/nist36.ts";
import { imageGrid, lineChart, sideBySide } from "../viz/mod.ts";
import { autoencoderReconstruct } from "./autoencoder.ts";
import type { CompressionComparison } from "./compare.ts";
import { pcaReconstruct } from "./pca.ts";

/** Index of the first `perClass` samples of each class in `classes`, class by class. */
export function pickExamples(
  labels: Int32Array,
  classes: readonly number[],
  perClass: number,
): Int32Array {
  const picked: number[] = [];
  for (const c of classes) {
    const found: number[] = [];
    for (let i = 0; i < labels.length && found.length < perClass; i++) {
      if (labels[i] === c) found.push(i);
    }
    if (found.length < perClass) {
      throw new InklingError(
        `only ${found.length} validation images of class ${
          NIST36_CLASSES[c] ?? c
        }, need ${perClass}`,
      );
    }
    picked.push(...found);
  }
  return Int32Array.from(picked);
}

/** Training and validation loss of the autoencoder per epoch. */
export function lossFigure(result: CompressionComparison): string {
  const h = result.autoencoder.history;
  const epochs = h.train_loss.map((_, i) => i + 1);
  return lineChart({
    title: "Autoencoder loss per epoch (squared error summed over 1024 pixels, mean per image)",
    xLabel: "epoch",
    yLabel: "loss",
    series: [
      { name: "training", x: epochs, y: h.train_loss },
      ...(h.valid_loss.length ? [{ name: "validation", x: epochs, y: h.valid_loss }] : []),
    ],
  });
}

/** Grid of NIST36 glyphs (transposed storage), `columns` per row, values 0…1 shown as they are. */
function glyphGrid(images: Tensor, columns: number): Promise<Uint8Array> {
  return imageGrid(images, {
    width: NIST36_SIZE,
    height: NIST36_SIZE,
    columns,
    normalize: "none",
    transpose: true,
    scale: 3,
  });
}

/**
 * Validation images (rows: classes, `perClass` per row) beside the
 * autoencoder's and PCA's reconstructions of them.
 */
export async function reconstructionFigure(
  result: CompressionComparison,
  valid: { x: Tensor; labels: Int32Array },
  options: { classes: readonly number[]; perClass: number },
): Promise<string> {
  const rows = pickExamples(valid.labels, options.classes, options.perClass);
  const originals = gatherRows(valid.x, rows);
  const pcaName = result.pca.pca.mean ? "PCA, centred" : "PCA, uncentred";
  const panels = [
    { title: "original", images: originals },
    { title: "autoencoder", images: autoencoderReconstruct(result.autoencoder.model, originals) },
    {
      title: `${pcaName} (${result.settings.components})`,
      images: pcaReconstruct(result.pca.pca, originals),
    },
  ];
  const names = options.classes.map((c) => NIST36_CLASSES[c]).join(", ");
  return sideBySide(
    await Promise.all(panels.map(async (p) => ({
      title: p.title,
      image: await glyphGrid(p.images, options.perClass),
    }))),
    { title: `Validation images and reconstructions (rows: ${names})` },
  );
}

/** The mean image (when centred) and the principal components, each tile scaled to its range. */
export async function componentsFigure(result: CompressionComparison): Promise<string> {
  const { pca } = result.pca;
  const grid = (
    images: Tensor | readonly ArrayLike<number>[],
    layout: "rows" | "columns",
    columns: number,
  ) =>
    imageGrid(images, {
      width: NIST36_SIZE,
      height: NIST36_SIZE,
      layout,
      columns,
      transpose: true,
      scale: 3,
    });
  const panels = [];
  if (pca.mean) {
    panels.push({
      title: "training mean",
      image: await grid([pca.mean.data], "rows", 1),
    });
  }
  panels.push({
    title: `${pca.components.shape[1]} principal components`,
    image: await grid(pca.components, "columns", 8),
  });
  return sideBySide(panels, { title: "PCA basis (each tile scaled to its own range)" });
}

/**
 * Eigenvalues of both Gram matrices on a log scale, up to each one's
 * numerical rank: the rest are zero up to rounding noise and would only
 * stretch the axis.
 */
export function spectrumFigure(result: CompressionComparison): string {
  const series = [result.pca, result.otherPca].map(({ pca }) => ({
    name: `${pca.mean ? "centred" : "uncentred"} (rank ${pca.rank})`,
    x: Array.from(pca.eigenvalues.subarray(0, pca.rank), (_, i) => i + 1),
    y: pca.eigenvalues.subarray(0, pca.rank),
  }));
  return lineChart({
    title: "Eigenvalues of XᵀX (squared singular values of the training matrix)",
    xLabel: "index",
    yLabel: "eigenvalue",
    yType: "log",
    markers: false,
    series,
  });
}
