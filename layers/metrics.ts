/**
 * Classification metrics computed from scores (logits or probabilities).
 *
 * @module
 */

import { argmax, type Tensor } from "../autograd/mod.ts";

/** Class indices of targets given as one-hot rows or as indices. */
export function targetClasses(y: Tensor | Int32Array): Int32Array {
  return y instanceof Int32Array ? y : argmax(y, { axis: 1 });
}

/** Number of rows whose highest score is at the target class. */
export function countCorrect(scores: Tensor, y: Tensor | Int32Array): number {
  const predicted = argmax(scores, { axis: 1 });
  const truth = targetClasses(y);
  let correct = 0;
  for (let i = 0; i < predicted.length; i++) if (predicted[i] === truth[i]) correct++;
  return correct;
}

/** Fraction of rows classified correctly. */
export function accuracy(scores: Tensor, y: Tensor | Int32Array): number {
  return scores.shape[0] === 0 ? 0 : countCorrect(scores, y) / scores.shape[0];
}

/**
 * counts[t][p]: how many samples of true class t were predicted as p, from
 * `scores` `[N, C]` or the predicted class of each sample (as
 * {@linkcode evaluate} returns them; then `options.classes` gives C, default
 * one more than the largest class seen).
 */
export function confusionMatrix(
  scores: Tensor | Int32Array,
  y: Tensor | Int32Array,
  options: { classes?: number } = {},
): number[][] {
  const predicted = scores instanceof Int32Array ? scores : argmax(scores, { axis: 1 });
  const truth = targetClasses(y);
  const classes = options.classes ??
    (scores instanceof Int32Array
      ? [predicted, truth].reduce((n, labels) => labels.reduce((m, c) => Math.max(m, c + 1), n), 0)
      : scores.shape[1]);
  const counts = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < predicted.length; i++) counts[truth[i]][predicted[i]]++;
  return counts;
}
