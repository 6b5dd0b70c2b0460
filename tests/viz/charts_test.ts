import assert from "node:assert/strict";
import { InklingError, ShapeError } from "../../autograd/errors.ts";
import {
  confusionMatrixFigure,
  heatmap,
  lineChart,
  SERIES_COLORS,
  svgSize,
  svgToPng,
} from "../../viz/mod.ts";
import { colourCount, darkPixels, decodeChecked } from "./png_helpers.ts";

const epochs = [1, 2, 3, 4, 5];

function texts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) =>
    m[1].replace(/&#(\d+);/g, (_, code) => String.fromCharCode(Number(code)))
      .replace(/&amp;/g, "&").replace(/&lt;/g, "<").replace(/&gt;/g, ">")
  );
}

Deno.test("lineChart: title, axis labels and a legend entry per series, in series colours", () => {
  const svg = lineChart({
    title: "Accuracy & loss",
    xLabel: "epoch",
    yLabel: "accuracy",
    series: [
      { name: "training", x: epochs, y: [0.2, 0.5, 0.7, 0.8, 0.85] },
      { name: "validation", x: epochs, y: [0.15, 0.4, 0.6, 0.65, NaN] },
    ],
  });
  const labels = texts(svg);
  for (const expected of ["Accuracy & loss", "training", "validation"]) {
    assert.ok(labels.includes(expected), `missing text ${expected}`);
  }
  assert.ok(labels.some((t) => t.startsWith("epoch")), "x label");
  assert.ok(labels.some((t) => t.includes("accuracy")), "y label");
  // Legend swatches and line strokes use the same colour per series.
  for (const color of SERIES_COLORS.slice(0, 2)) {
    assert.ok(svg.split(`stroke="${color}"`).length >= 3, `${color} in legend and line`);
  }
  assert.ok(svg.includes("<circle"), "short series get markers");
});

Deno.test("lineChart: rasterises to a PNG of the SVG's size with visible content", async () => {
  const svg = lineChart({
    xLabel: "learning rate",
    yLabel: "final loss",
    xType: "log",
    series: [{ name: "loss", x: [1e-4, 1e-3, 1e-2, 1e-1], y: [2.1, 1.2, 0.6, 3.5] }],
  });
  const { width, height } = svgSize(svg);
  const image = decodeChecked(await svgToPng(svg, { scale: 1 }), width, height);
  assert.ok(colourCount(image) > 10);
  assert.ok(darkPixels(image) > 500, "axes and labels are drawn");
});

Deno.test("lineChart: inconsistent input is refused with the series named", () => {
  assert.throws(
    () => lineChart({ xLabel: "x", yLabel: "y", series: [{ name: "a", x: [1, 2], y: [1] }] }),
    (e: Error) => e instanceof ShapeError && /"a" has 2 x but 1 y/.test(e.message),
  );
  const twice = { name: "same", x: [1], y: [1] };
  assert.throws(
    () => lineChart({ xLabel: "x", yLabel: "y", series: [twice, twice] }),
    /two series are named "same"/,
  );
  assert.throws(() => lineChart({ xLabel: "x", yLabel: "y", series: [] }), InklingError);
});

const LABELS = [..."ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"];

function diagonalCounts(n: number): number[][] {
  return Array.from(
    { length: n },
    (_, i) =>
      Array.from(
        { length: n },
        (_, j) => (i === j ? 40 + (i % 7) : (i * 7 + j) % 23 === 0 ? 3 : 0),
      ),
  );
}

Deno.test("confusionMatrixFigure: 36 class labels on both axes, axis titles, accuracy, counts", () => {
  const counts = diagonalCounts(36);
  const svg = confusionMatrixFigure(counts, { labels: LABELS, title: "NIST36 test" });
  assert.ok(texts(svg).includes("41"), "diagonal counts are written in 20 px cells");
  const labels = texts(svg);
  for (const label of LABELS) {
    // Once as a column tick, once as a row tick (the colour bar has its own numbers).
    assert.ok(labels.filter((t) => t === label).length >= 2, `label ${label} on both axes`);
  }
  assert.ok(labels.some((t) => t.includes("predicted class")));
  assert.ok(labels.some((t) => t.includes("true class")));
  assert.ok(labels.includes("NIST36 test"));
  const total = counts.flat().reduce((a, b) => a + b, 0);
  const correct = counts.reduce((a, row, i) => a + row[i], 0);
  assert.ok(
    labels.includes(`${total} samples, accuracy ${(100 * correct / total).toFixed(1)}%`),
    "subtitle",
  );
  assert.ok(labels.some((t) => t.startsWith("count")), "colour bar label");
  // Counts are written in non-empty cells only: 36 diagonal + the off-diagonal 3s.
  const offDiagonal = counts.flat().filter((c) => c === 3).length;
  assert.equal(labels.filter((t) => t === "3").length >= offDiagonal, true);
  assert.equal(svg.match(/<rect/g)!.length >= 36 * 36, true, "one rect per cell");
});

Deno.test("confusionMatrixFigure: 47 classes switch to small cells without counts", () => {
  const labels = Array.from({ length: 47 }, (_, i) => `c${i}`);
  const svg = confusionMatrixFigure(diagonalCounts(47), { labels });
  assert.ok(!texts(svg).includes("41"), "no counts in 14 px cells");
  assert.ok(texts(svg).includes("c46"));
});

Deno.test("heatmap / confusionMatrixFigure: bad shapes and labels are refused", () => {
  assert.throws(
    () => confusionMatrixFigure([[1, 2], [3, 4]], { labels: ["a", "b", "c"] }),
    /must be 3×3 for 3 labels/,
  );
  assert.throws(
    () => confusionMatrixFigure([[1, -2], [3, 4]], { labels: ["a", "b"] }),
    /\[0\]\[1\] is -2/,
  );
  assert.throws(
    () => heatmap([[1, 2]], { xLabels: ["a", "a"], yLabels: ["r"] }),
    /not unique/,
  );
  assert.throws(() => heatmap([[1, NaN]], { xLabels: ["a", "b"], yLabels: ["r"] }), /NaN/);
  assert.throws(
    () => heatmap([[-1, 2]], { xLabels: ["a", "b"], yLabels: ["r"], colorType: "sqrt" }),
    /sqrt needs values ≥ 0/,
  );
});

Deno.test("heatmap: long column labels are rotated, values formatted", () => {
  const svg = heatmap([[0.125, 1], [2, 3.5]], {
    xLabels: ["first column", "second column"],
    yLabels: ["r1", "r2"],
    format: (v) => v.toFixed(1),
  });
  assert.ok(svg.includes("rotate(-90)"));
  assert.ok(texts(svg).includes("0.1") && texts(svg).includes("3.5"));
});
