/**
 * The report's figures: curves of every mode, a 17-class confusion matrix,
 * and captioned colour test images (right in green, wrong in red).
 */

import assert from "node:assert/strict";
import { Tensor } from "../../mod.ts";
import { FLOWERS17_CLASSES } from "../../datasets/flowers17/mod.ts";
import { confusionFigure, curvesFigure, predictionGrid } from "../../finetune/figures.ts";
import type { ModeResult } from "../../finetune/mode_result.ts";

const result: ModeResult = {
  mode: "head",
  description: "",
  timings: {},
  history: {
    train_loss: [1, 0.5],
    train_acc: [0.5, 0.8],
    valid_loss: [1, 0.6],
    valid_acc: [0.6, 0.7],
    lr: [1, 1],
  },
  bestEpoch: 2,
  validAcc: 0.7,
  testAcc: 0.5,
  testPredicted: Int32Array.from([0, 3]),
  seconds: 1,
  epochSeconds: [0.5, 0.5],
};

Deno.test("figures: curves name each mode's training and validation series", () => {
  const svg = curvesFigure([result, { ...result, mode: "scratch" }]);
  for (const name of ["head training", "head validation", "scratch validation"]) {
    assert.ok(svg.includes(name));
  }
});

Deno.test("figures: the confusion matrix has the 17 class names", () => {
  const svg = confusionFigure(result, Int32Array.from([0, 1]), FLOWERS17_CLASSES);
  for (const name of ["daffodil", "lily of the valley", "windflower", "pansy"]) {
    assert.ok(svg.includes(name), name);
  }
});

Deno.test("figures: the prediction grid captions each image with predicted and true names", async () => {
  const images = new Tensor(new Float32Array(2 * 3 * 32 * 32).fill(200), [2, 3, 32, 32]);
  const svg = await predictionGrid(images, { predicted: [0, 3], truth: [0, 1] }, {
    classes: FLOWERS17_CLASSES,
    title: "t",
    tile: 32,
  });
  assert.equal(svg.match(/<image /g)?.length, 2);
  assert.ok(
    svg.includes("✓ daffodil") && svg.includes("✗ bluebell") && svg.includes("true: snowdrop"),
  );
});
