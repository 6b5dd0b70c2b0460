/**
 * The assignment's from-scratch network, inputs → hidden (sigmoid) → classes
 * (softmax; 1024-64-36 on NIST36), and its hand-written backward pass for
 * `--manual` training: the same parameters, gradients computed layer by
 * layer instead of by the tape.
 *
 * @module
 */

import {
  clamp,
  crossEntropy,
  InklingError,
  log,
  ManualDense,
  noGrad,
  oneHot,
  type Rng,
  softmaxCrossEntropyDelta,
  Tensor,
} from "../autograd/mod.ts";
import { type GradientFn, Linear, Sequential, Sigmoid } from "../layers/mod.ts";

/** The MLP as a checkpoint's `architecture` metadata describes it. */
export interface MlpArchitecture {
  /** Always "mlp". */
  kind: "mlp";
  /** Input features (1024 for 32×32 glyphs). */
  inputs: number;
  /** Hidden sigmoid units (64 in the assignment). */
  hidden: number;
  /** Class names in output order, or their count. */
  classes: string | number;
}

/** Builds the network (Xavier-uniform weights, zero biases). */
export function createMlp(architecture: MlpArchitecture, options: { rng: Rng }): Sequential {
  const { inputs, hidden, classes } = architecture;
  const outputs = typeof classes === "number" ? classes : classes.length;
  return new Sequential(
    new Linear(inputs, hidden, { rng: options.rng }),
    new Sigmoid(),
    new Linear(hidden, outputs, { rng: options.rng }),
  );
}

/**
 * Gradients of mean cross-entropy by the manual path: forward through two
 * {@linkcode ManualDense} layers sharing the model's parameters, then
 * δ₂ = (softmax − y)/N, δ₁ = δ₂·W₂ᵀ ⊙ σ'(z₁), written into each parameter's
 * `grad` for the optimizer.
 */
export function manualGradients(model: Sequential): GradientFn {
  const [first, activation, second] = model.layers;
  const isMlp = model.layers.length === 3 && first instanceof Linear && first.bias !== null &&
    activation instanceof Sigmoid && second instanceof Linear && second.bias !== null;
  if (!isMlp) {
    throw new InklingError(
      "manualGradients: the hand-written backward pass is the MLP's (Linear with bias, " +
        "Sigmoid, Linear with bias); this network is something else",
    );
  }
  const hidden = new ManualDense(first.weight, first.bias!, { activation: "sigmoid" });
  const output = new ManualDense(second.weight, second.bias!, { activation: "softmax" });
  const classes = second.weight.shape[1];
  return (batch) =>
    noGrad(() => {
      const probs = output.forward(hidden.forward(batch.x));
      const targets = batch.y instanceof Tensor ? batch.y : oneHot(batch.y, classes);
      const g2 = output.backward(softmaxCrossEntropyDelta(probs, targets), { preActivation: true });
      const g1 = hidden.backward(g2.input);
      [first.weight.grad, first.bias!.grad] = [g1.weight, g1.bias];
      [second.weight.grad, second.bias!.grad] = [g2.weight, g2.bias];
      // log(probs) are logits of the same softmax (their log-sum-exp is 0), so this is the
      // cross-entropy the tape reports; the clamp keeps a saturated softmax finite.
      const loss = crossEntropy(log(clamp(probs, { min: 1e-30 })), targets).item();
      return { output: probs, loss };
    });
}
