/**
 * The figures of the fine-tuning report: accuracy per epoch of every mode,
 * the test confusion matrix of one mode, and a grid of colour test images
 * captioned with their predicted and true class names. Pure functions from
 * results to SVG strings.
 *
 * @module
 */

import { InklingError, type Tensor } from "../autograd/mod.ts";
import { encodePng } from "../formats/png.ts";
import { confusionMatrix } from "../layers/mod.ts";
import {
  confusionMatrixFigure,
  dataUri,
  escapeXml,
  lineChart,
  type LineSeries,
} from "../viz/mod.ts";
import { resizeImages } from "./image_augment.ts";
import type { ModeResult } from "./mode_result.ts";

/** Training and validation accuracy per epoch of every mode. */
export function curvesFigure(results: readonly ModeResult[]): string {
  const series: LineSeries[] = results.flatMap((r) => {
    const epochs = r.history.train_acc.map((_, i) => i + 1);
    return [
      { name: `${r.mode} training`, x: epochs, y: r.history.train_acc },
      { name: `${r.mode} validation`, x: epochs, y: r.history.valid_acc },
    ];
  });
  return lineChart({
    title: "Accuracy per epoch (training accuracy is on augmented images, with dropout)",
    xLabel: "epoch",
    yLabel: "accuracy",
    yDomain: [0, 1],
    series,
  });
}

/** The test confusion matrix of `result`. */
export function confusionFigure(
  result: ModeResult,
  truth: Int32Array,
  classes: readonly string[],
): string {
  const counts = confusionMatrix(result.testPredicted, truth, { classes: classes.length });
  return confusionMatrixFigure(counts, {
    labels: classes,
    title: `Test confusion matrix, ${result.mode} mode (rows: true class, columns: predicted)`,
    cellSize: 26,
  });
}

/** Options of {@linkcode predictionGrid}. */
export interface PredictionGridOptions {
  /** Class names by index. */
  classes: readonly string[];
  /** Title above the grid. */
  title: string;
  /** Tiles per row (default 6). */
  columns?: number;
  /** Side of a tile, px (default 112). */
  tile?: number;
}

/**
 * Images `[N, 3, S, S]` (BGR planes, raw 0–255) as captioned tiles: the
 * predicted name (green when right, red when wrong) over the true name.
 */
export async function predictionGrid(
  images: Tensor,
  labels: { predicted: ArrayLike<number>; truth: ArrayLike<number> },
  options: PredictionGridOptions,
): Promise<string> {
  const n = images.shape[0];
  if (n === 0) throw new InklingError("predictionGrid: no images");
  const tile = options.tile ?? 112;
  const columns = Math.min(options.columns ?? 6, n);
  const small = resizeImages(images, tile);
  const caption = 34;
  const gap = 10;
  const top = 30;
  const cellW = tile + gap;
  const cellH = tile + caption + gap;
  const width = columns * cellW + gap;
  const height = top + Math.ceil(n / columns) * cellH + gap;
  const parts: string[] = [
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${gap}" y="20" font-size="15" font-weight="bold">${escapeXml(options.title)}</text>`,
  ];
  for (let i = 0; i < n; i++) {
    const x = gap + (i % columns) * cellW;
    const y = top + Math.floor(i / columns) * cellH;
    const png = await encodePng({
      width: tile,
      height: tile,
      channels: 3,
      pixels: bgrPlanesToRgb(small.data, i, tile),
    });
    const [p, t] = [labels.predicted[i], labels.truth[i]];
    const name = (c: number) => escapeXml(options.classes[c] ?? String(c));
    parts.push(
      `<image x="${x}" y="${y}" width="${tile}" height="${tile}" href="${
        dataUri(png, "image/png")
      }"/>`,
      `<text x="${x}" y="${y + tile + 13}" font-size="11" fill="${
        p === t ? "#1a7f37" : "#cf222e"
      }">` +
        `${p === t ? "✓" : "✗"} ${name(p)}</text>`,
      `<text x="${x}" y="${y + tile + 27}" font-size="11" fill="#555">true: ${name(t)}</text>`,
    );
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
    `viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif">${parts.join("")}</svg>`;
}

/** Image `i` of planar BGR floats (`3 × size × size`) as interleaved RGB bytes. */
function bgrPlanesToRgb(data: ArrayLike<number>, i: number, size: number): Uint8Array {
  const plane = size * size;
  const base = i * 3 * plane;
  const out = new Uint8Array(plane * 3);
  for (let k = 0; k < plane; k++) {
    for (let c = 0; c < 3; c++) {
      const v = data[base + (2 - c) * plane + k];
      out[k * 3 + c] = Math.max(0, Math.min(255, Math.round(v)));
    }
  }
  return out;
}
