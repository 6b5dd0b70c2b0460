/** The hand-written layer-by-layer backward agrees with the tape on a 2-layer network. */

import assert from "node:assert/strict";
import {
  add,
  crossEntropy,
  ManualDense,
  matmul,
  oneHot,
  randn,
  Rng,
  sigmoid,
  softmaxCrossEntropyDelta,
  type Tensor,
  zeros,
} from "../../mod.ts";

function maxAbsDiff(a: Tensor, b: Tensor): number {
  let worst = 0;
  for (let i = 0; i < a.size; i++) worst = Math.max(worst, Math.abs(a.data[i] - b.data[i]));
  return worst;
}

Deno.test("manual and automatic gradients agree to 1e-10 (float64, sigmoid + softmax/CE)", () => {
  const rng = new Rng(42);
  const opts = { dtype: "float64" as const, rng };
  const x = randn([33, 20], opts);
  const labels = Array.from({ length: 33 }, (_, i) => (i * 5) % 7);
  const y = oneHot(labels, 7, { dtype: "float64" });
  const w1 = randn([20, 13], { ...opts, std: 0.5, requiresGrad: true });
  const b1 = randn([13], { ...opts, std: 0.1, requiresGrad: true });
  const w2 = randn([13, 7], { ...opts, std: 0.5, requiresGrad: true });
  const b2 = zeros([7], { dtype: "float64", requiresGrad: true });

  // Automatic: the tape.
  const hidden = sigmoid(add(matmul(x, w1), b1));
  crossEntropy(add(matmul(hidden, w2), b2), y).backward();

  // Manual: forward caches, backward by hand.
  const layer1 = new ManualDense(w1, b1, { activation: "sigmoid" });
  const layer2 = new ManualDense(w2, b2, { activation: "softmax" });
  const probs = layer2.forward(layer1.forward(x));
  const g2 = layer2.backward(softmaxCrossEntropyDelta(probs, y), { preActivation: true });
  const g1 = layer1.backward(g2.input);

  for (
    const [name, manual, auto] of [
      ["W1", g1.weight, w1.grad!],
      ["b1", g1.bias, b1.grad!],
      ["W2", g2.weight, w2.grad!],
      ["b2", g2.bias, b2.grad!],
    ] as const
  ) {
    const diff = maxAbsDiff(manual, auto);
    assert.ok(diff <= 1e-10, `${name}: manual and tape differ by ${diff}`);
  }
});

Deno.test("manual softmax Jacobian path equals the fused shortcut", () => {
  const rng = new Rng(3);
  const x = randn([5, 4], { dtype: "float64", rng });
  const w = randn([4, 6], { dtype: "float64", rng });
  const layer = new ManualDense(w, zeros([6], { dtype: "float64" }), { activation: "softmax" });
  const probs = layer.forward(x);
  const y = oneHot([0, 1, 2, 3, 4], 6, { dtype: "float64" });
  // dL/dprobs of mean CE is −y/(N·p); through the softmax Jacobian it must equal (p − y)/N.
  const dProbs = probs.clone();
  for (let i = 0; i < dProbs.size; i++) dProbs.data[i] = -y.data[i] / (5 * probs.data[i]);
  const viaJacobian = layer.backward(dProbs);
  const viaShortcut = layer.backward(softmaxCrossEntropyDelta(probs, y), { preActivation: true });
  assert.ok(maxAbsDiff(viaJacobian.weight, viaShortcut.weight) < 1e-12);
});
