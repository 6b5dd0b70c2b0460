/**
 * Heatmaps of a matrix with named rows and columns, and the confusion matrix
 * built on them (true class down, predicted class across). Cells are coloured
 * by value with a colour bar underneath; values are written in the cells when
 * they fit.
 *
 * @module
 */

import * as Plot from "@observablehq/plot";
import { InklingError, ShapeError } from "../autograd/errors.ts";
import { renderPlot } from "./render_plot.ts";
import { estimateTextWidth, stackSvg, textSvg } from "./svg_layout.ts";

/** Options of {@linkcode heatmap}. */
export interface HeatmapOptions {
  /** Names of the columns, left to right. */
  xLabels: readonly string[];
  /** Names of the rows, top to bottom. */
  yLabels: readonly string[];
  /** Axis label under the columns. */
  xLabel?: string;
  /** Axis label beside the rows. */
  yLabel?: string;
  /** Title above the figure. */
  title?: string;
  /** Smaller line under the title. */
  subtitle?: string;
  /** Label of the colour bar. Default "value". */
  colorLabel?: string;
  /** Plot colour scheme name ("blues", "viridis", "rdbu", …). Default "blues". */
  scheme?: string;
  /** "sqrt" keeps small values visible next to large ones (needs values ≥ 0). Default "linear". */
  colorType?: "linear" | "sqrt";
  /**
   * Side of a cell, px. Default for up to 40 rows and columns: 20, or wider
   * when a formatted value needs it; 14 for larger matrices.
   */
  cellSize?: number;
  /** Write values in the cells. Default when cells are at least 16 px. */
  showValues?: boolean;
  /** Leave cells holding 0 blank (keeps sparse matrices readable). Default false. */
  hideZeros?: boolean;
  /** How values are written. Default: integers as is, others with two decimals. */
  format?: (value: number) => string;
}

/** Options of {@linkcode confusionMatrixFigure}. */
export interface ConfusionMatrixOptions {
  /** Class names, in class-index order. */
  labels: readonly string[];
  /** Title above the figure. */
  title?: string;
  /** Side of a cell, px (see {@linkcode HeatmapOptions.cellSize}). */
  cellSize?: number;
  /** Write counts in non-empty cells. Default when cells are at least 16 px. */
  showCounts?: boolean;
}

interface Cell {
  x: string;
  y: string;
  value: number;
}

function defaultFormat(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

function checkLabels(labels: readonly string[], count: number, what: string): void {
  if (labels.length !== count) {
    throw new ShapeError(`heatmap: ${labels.length} ${what} labels for ${count} ${what}s`);
  }
  if (new Set(labels).size !== labels.length) {
    throw new InklingError(`heatmap: ${what} labels are not unique (cells would merge)`);
  }
}

function cells(values: readonly (readonly number[])[], options: HeatmapOptions): Cell[] {
  checkLabels(options.yLabels, values.length, "row");
  const out: Cell[] = [];
  values.forEach((row, i) => {
    checkLabels(options.xLabels, row.length, "column");
    row.forEach((value, j) => {
      if (!Number.isFinite(value)) {
        throw new InklingError(`heatmap: value at row ${i}, column ${j} is ${value}`);
      }
      out.push({ x: options.xLabels[j], y: options.yLabels[i], value });
    });
  });
  return out;
}

/**
 * A horizontal colour bar: stripes evenly spaced in pixels (not in value), so
 * a sqrt scale shows a smooth ramp, on an axis with the scale's ticks.
 */
function colorBar(
  color: { type: "linear" | "sqrt"; scheme: Plot.ColorScheme; domain: [number, number] },
  options: { width: number; label: string },
): string {
  const [lo, hi] = color.domain;
  const stripes = 96;
  const at = (f: number) => color.type === "sqrt" ? hi * f * f : lo + (hi - lo) * f;
  const rows = Array.from({ length: stripes }, (_, k) => ({
    x1: at(k / stripes),
    x2: at((k + 1) / stripes),
    value: at((k + 0.5) / stripes),
  }));
  return renderPlot({
    width: options.width,
    height: 52,
    marginTop: 4,
    marginLeft: 12,
    marginRight: 24,
    marginBottom: 34,
    x: { type: color.type, domain: color.domain, label: options.label, labelAnchor: "center" },
    y: { axis: null, domain: [0, 1] },
    color: { ...color },
    // crispEdges: anti-aliased stripe borders would show as faint lines across the ramp.
    marks: [
      Plot.rect(rows, {
        x1: "x1",
        x2: "x2",
        y1: 0,
        y2: 1,
        fill: "value",
        shapeRendering: "crispEdges",
      }),
    ],
  });
}

/** Draws a labelled matrix as an SVG string: title, the cells, and a colour bar. */
export function heatmap(values: readonly (readonly number[])[], options: HeatmapOptions): string {
  if (values.length === 0) throw new ShapeError("heatmap: the matrix has no rows");
  const data = cells(values, options);
  const colorType = options.colorType ?? "linear";
  const lo = data.reduce((m, c) => Math.min(m, c.value), 0);
  let hi = data.reduce((m, c) => Math.max(m, c.value), -Infinity);
  if (colorType === "sqrt" && lo < 0) {
    throw new InklingError("heatmap: colorType sqrt needs values ≥ 0");
  }
  if (hi <= lo) hi = lo + 1;
  const scheme = (options.scheme ?? "blues") as Plot.ColorScheme;
  const color = { type: colorType, scheme, domain: [lo, hi] as [number, number] };
  const rows = options.yLabels.length;
  const columns = options.xLabels.length;
  const format = options.format ?? defaultFormat;
  const valueFont = 9;
  // Up to 40×40 cells are made wide enough for the widest value written in them.
  const widest = data.reduce(
    (m, c) => Math.max(m, estimateTextWidth(format(c.value), valueFont)),
    0,
  );
  const cellSize = options.cellSize ??
    (Math.max(rows, columns) <= 40 ? Math.max(20, widest + 4) : 14);
  const showValues = options.showValues ?? cellSize >= 16;
  const fontSize = 10;
  const longest = (labels: readonly string[]) =>
    Math.max(...labels.map((l) => estimateTextWidth(l, fontSize)));
  // Column labels wider than a cell are turned upright so they do not collide.
  const rotate = longest(options.xLabels) > cellSize - 2;
  const marginLeft = 34 + longest(options.yLabels);
  const marginBottom = rotate ? 28 + longest(options.xLabels) : 34 + fontSize;
  const width = marginLeft + columns * cellSize + 10;
  // Where the colour scale is past the middle, black text would vanish; use white.
  const position = (v: number) => colorType === "sqrt" ? Math.sqrt(v / hi) : (v - lo) / (hi - lo);
  const labelled = showValues ? data.filter((c) => !(options.hideZeros && c.value === 0)) : [];
  const text = (fill: string, keep: (c: Cell) => boolean) =>
    Plot.text(labelled.filter(keep), {
      x: "x",
      y: "y",
      text: (c: Cell) => format(c.value),
      fill,
      fontSize: Math.min(valueFont, cellSize * 0.45),
    });
  const matrix = renderPlot({
    width,
    height: 10 + rows * cellSize + marginBottom,
    marginTop: 10,
    marginRight: 10,
    marginLeft,
    marginBottom,
    x: {
      domain: [...options.xLabels],
      label: options.xLabel ?? null,
      labelAnchor: "center",
      tickRotate: rotate ? -90 : 0,
      padding: 0,
    },
    y: {
      domain: [...options.yLabels],
      label: options.yLabel ?? null,
      labelAnchor: "center",
      padding: 0,
    },
    color,
    marks: [
      Plot.cell(data, { x: "x", y: "y", fill: "value", inset: 0.5 }),
      text("white", (c) => position(c.value) > 0.55),
      text("black", (c) => position(c.value) <= 0.55),
      Plot.frame({ stroke: "#888" }),
    ],
  });
  const heading = [
    ...(options.title ? [textSvg(options.title, { fontSize: 15, bold: true })] : []),
    ...(options.subtitle ? [textSvg(options.subtitle, { fontSize: 12, color: "#444" })] : []),
  ];
  const bar = colorBar(color, {
    width: Math.min(360, width),
    label: options.colorLabel ?? "value",
  });
  return stackSvg([...heading, matrix, bar], { padding: 10, gap: 6 });
}

/**
 * Draws a confusion matrix (`counts[true][predicted]`) as an SVG string, with
 * the class names on both axes, accuracy in the subtitle, and a square-root
 * colour scale so that rare confusions stay visible next to the diagonal.
 */
export function confusionMatrixFigure(
  counts: readonly (readonly number[])[],
  options: ConfusionMatrixOptions,
): string {
  const n = options.labels.length;
  if (counts.length !== n || counts.some((row) => row.length !== n)) {
    throw new ShapeError(`confusionMatrixFigure: counts must be ${n}×${n} for ${n} labels`);
  }
  let total = 0;
  let correct = 0;
  counts.forEach((row, i) =>
    row.forEach((count, j) => {
      if (!(count >= 0)) {
        throw new InklingError(`confusionMatrixFigure: count at [${i}][${j}] is ${count}`);
      }
      total += count;
      if (i === j) correct += count;
    })
  );
  const accuracy = total > 0 ? `accuracy ${(100 * correct / total).toFixed(1)}%` : "no samples";
  return heatmap(counts, {
    xLabels: options.labels,
    yLabels: options.labels,
    xLabel: "predicted class",
    yLabel: "true class",
    title: options.title,
    subtitle: `${total} samples, ${accuracy}`,
    colorLabel: "count (square-root scale)",
    colorType: "sqrt",
    cellSize: options.cellSize,
    showValues: options.showCounts,
    hideZeros: true,
  });
}
