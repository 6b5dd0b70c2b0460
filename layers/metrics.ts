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

/** counts[t][p]: how many samples of true class t were predicted as p. */
export function confusionMatrix(
  scores: Tensor,
  y: Tensor | Int32Array,
  options: { classes?: number } = {},
): number[][] {
  const classes = options.classes ?? scores.shape[1];
  const predicted = argmax(scores, { axis: 1 });
  const truth = targetClasses(y);
  const counts = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < predicted.length; i++) counts[truth[i]][predicted[i]]++;
  return counts;
}
