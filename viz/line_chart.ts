/**
 * Line charts of training curves (accuracy or loss per epoch, learning-rate
 * studies): one coloured line per series, a legend naming them, labelled axes.
 *
 * @module
 */

import * as Plot from "@observablehq/plot";
import { InklingError, ShapeError } from "../autograd/errors.ts";
import { renderPlot } from "./render_plot.ts";
import { stackSvg, swatchLegend, textSvg } from "./svg_layout.ts";

/** One line: `y[i]` at `x[i]`. Non-finite y values leave a gap. */
export interface LineSeries {
  /** Name shown in the legend; unique within a chart. */
  name: string;
  /** Horizontal positions. */
  x: ArrayLike<number>;
  /** Values, as many as `x`. */
  y: ArrayLike<number>;
}

/** Everything {@linkcode lineChart} draws. */
export interface LineChartOptions {
  /** The lines, drawn and listed in this order. */
  series: readonly LineSeries[];
  /** Label of the horizontal axis, e.g. "epoch". */
  xLabel: string;
  /** Label of the vertical axis, e.g. "accuracy". */
  yLabel: string;
  /** Title above the chart. */
  title?: string;
  /** Width of the plot area including axes, px. Default 640. */
  width?: number;
  /** Height of the plot area including axes, px. Default 360. */
  height?: number;
  /** Scale of x; "log" for learning rates. Default "linear". */
  xType?: "linear" | "log";
  /** Scale of y; "log" for losses spanning decades. Default "linear". */
  yType?: "linear" | "log";
  /** Fixed y range, e.g. [0, 1] for accuracy; default fits the data. */
  yDomain?: readonly [number, number];
  /** Dots on the data points; default when every series has at most 40 points. */
  markers?: boolean;
}

/** Line colours (Observable 10), used in series order and repeated after ten. */
export const SERIES_COLORS: readonly string[] = [
  "#4269d0",
  "#efb118",
  "#ff725c",
  "#6cc5b0",
  "#3ca951",
  "#ff8ab7",
  "#a463f2",
  "#97bbf5",
  "#9c6b4e",
  "#9498a0",
];

interface Point {
  series: string;
  x: number;
  y: number;
}

function points(series: readonly LineSeries[]): Point[] {
  if (series.length === 0) throw new InklingError("lineChart: no series to draw");
  const seen = new Set<string>();
  const rows: Point[] = [];
  for (const { name, x, y } of series) {
    if (seen.has(name)) throw new InklingError(`lineChart: two series are named "${name}"`);
    seen.add(name);
    if (x.length !== y.length) {
      throw new ShapeError(
        `lineChart: series "${name}" has ${x.length} x but ${y.length} y values`,
      );
    }
    for (let i = 0; i < x.length; i++) {
      rows.push({ series: name, x: x[i], y: Number.isFinite(y[i]) ? y[i] : NaN });
    }
  }
  return rows;
}

/** Scale type; log axes get plain numbers (0.3, 1, 2) instead of Plot's SI "300m". */
function axis(type: "linear" | "log" = "linear") {
  return type === "log" ? { type, tickFormat: "~g" } : { type };
}

/** Draws training curves as an SVG string: title, legend, then the chart. */
export function lineChart(options: LineChartOptions): string {
  const rows = points(options.series);
  const names = options.series.map((s) => s.name);
  const colors = names.map((_, i) => SERIES_COLORS[i % SERIES_COLORS.length]);
  const width = options.width ?? 640;
  const markers = options.markers ?? options.series.every((s) => s.x.length <= 40);
  const channels = { x: "x", y: "y", z: "series", stroke: "series" } as const;
  const chart = renderPlot({
    width,
    height: options.height ?? 360,
    marginLeft: 60,
    marginBottom: 45,
    marginRight: 20,
    grid: true,
    x: { ...axis(options.xType), label: options.xLabel, labelAnchor: "center" },
    y: {
      ...axis(options.yType),
      label: options.yLabel,
      labelAnchor: "center",
      domain: options.yDomain ? [...options.yDomain] : undefined,
    },
    color: { type: "ordinal", domain: names, range: colors },
    marks: [
      Plot.line(rows, { ...channels, strokeWidth: 2 }),
      ...(markers ? [Plot.dot(rows, { ...channels, fill: "series", r: 2.5 })] : []),
    ],
  });
  const legend = swatchLegend(names.map((label, i) => ({ label, color: colors[i] })), {
    maxWidth: width - 60,
  });
  const title = options.title ? [textSvg(options.title, { fontSize: 15, bold: true })] : [];
  return stackSvg([...title, legend, chart], { padding: 10, gap: 6 });
}
