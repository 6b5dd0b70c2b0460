/**
 * Post-hoc logit adjustment (Menon et al. 2021, "Long-tail learning via logit
 * adjustment"): a network trained by cross-entropy on unequal classes learns
 * their frequencies as well as their shapes, so a class rare in training is
 * predicted less often than it deserves on a balanced test set or on a page.
 * Subtracting log(frequency) from each class's output bias removes that
 * prior and leaves the evidence, at no cost at inference.
 *
 * @module
 */

import { InklingError } from "../autograd/errors.ts";
import { noGrad } from "../autograd/mod.ts";
import { Linear, type Sequential } from "../layers/mod.ts";

/**
 * Subtracts log(share of class c in `labels`) from the bias of `model`'s
 * output layer (its last Linear, which must have `classes` outputs and a
 * bias). Returns the shares. Classes absent from `labels` are left as they
 * are: there is no frequency to remove.
 */
export function foldOutClassPrior(
  model: Sequential,
  labels: Int32Array,
  classes: number,
): Float64Array {
  const output = model.layers.findLast((layer) => layer instanceof Linear) as Linear | undefined;
  if (!output?.bias || output.bias.size !== classes) {
    throw new InklingError(
      `foldOutClassPrior: the network has no ${classes}-way output with a bias`,
    );
  }
  const shares = new Float64Array(classes);
  for (const label of labels) shares[label]++;
  for (let c = 0; c < classes; c++) shares[c] /= labels.length;
  const bias = output.bias;
  noGrad(() => {
    for (let c = 0; c < classes; c++) if (shares[c] > 0) bias.data[c] -= Math.log(shares[c]);
  });
  return shares;
}
