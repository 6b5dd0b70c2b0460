/**
 * What a classifier architecture costs, worked out from its description
 * alone, without building it: the names and shapes of its tensors
 * ({@linkcode classifierTensorShapes}) and the floats a forward pass
 * allocates per glyph ({@linkcode forwardFloatsPerGlyph}). A loader compares
 * the first with the tensors a checkpoint actually holds before allocating
 * anything, so a few hundred bytes of metadata claiming a network of
 * gigabytes fail with a named error instead of an allocation that size; a
 * reader sizes its batches with the second.
 *
 * @module
 */

import type { ClassifierArchitecture } from "./classifier.ts";

/** The number of outputs of `architecture`: its class count or the length of its class names. */
export function classCount(architecture: ClassifierArchitecture): number {
  const { classes } = architecture;
  return typeof classes === "number" ? classes : classes.length;
}

/**
 * The tensors the network of `architecture` has, by state-dict name, with
 * their shapes: exactly what `createClassifier(architecture).stateDict()`
 * holds (a test keeps the two in step), in the same order.
 */
export function classifierTensorShapes(
  architecture: ClassifierArchitecture,
): Map<string, readonly number[]> {
  const shapes = new Map<string, readonly number[]>();
  // Sequential names its children by index; parameter-free layers take an index too.
  const layer = (index: number, weight: readonly number[], units: number) => {
    shapes.set(`layers.${index}.weight`, weight);
    shapes.set(`layers.${index}.bias`, [units]);
  };
  const outputs = classCount(architecture);
  if (architecture.kind === "mlp") {
    const { inputs, hidden } = architecture;
    layer(0, [inputs, hidden], hidden); // Linear, then Sigmoid (1)
    layer(2, [hidden, outputs], outputs);
    return shapes;
  }
  const { size, channels, hidden } = architecture;
  const batchNorm = architecture.batchNorm ?? false;
  let index = 1; // 0 is the reshape to images
  let from = 1;
  for (const to of channels) {
    if (batchNorm) {
      // Conv2d without bias, then BatchNorm: scale and shift, then its running statistics
      // (buffers, saved like the weights); then ReLU, MaxPool2d.
      shapes.set(`layers.${index}.weight`, [to, from, 3, 3]);
      for (const name of ["weight", "bias", "runningMean", "runningVar"]) {
        shapes.set(`layers.${index + 1}.${name}`, [to]);
      }
      index += 4;
    } else {
      layer(index, [to, from, 3, 3], to); // Conv2d, ReLU, MaxPool2d
      index += 3;
    }
    from = to;
  }
  const side = size >> channels.length;
  layer(index + 1, [from * side * side, hidden], hidden); // after Flatten; then ReLU, Dropout
  layer(index + 4, [hidden, outputs], outputs);
  return shapes;
}

/** The number of values in a tensor of `shape`. */
export function shapeSize(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}

/**
 * An upper estimate of the floats one glyph's forward pass (evaluation mode)
 * allocates at once: for each convolution its unfolded input (`in × 9` per
 * output pixel) and a few copies of its output (convolution, channel
 * reorder, bias, ReLU) — three more with batch normalisation (centred,
 * scaled, shifted) — then the pooled map and the dense layers. Readers
 * divide a memory budget by it to choose how many glyphs to classify at once.
 */
export function forwardFloatsPerGlyph(architecture: ClassifierArchitecture): number {
  const outputs = classCount(architecture);
  if (architecture.kind === "mlp") {
    return architecture.inputs + 3 * architecture.hidden + 3 * outputs;
  }
  const { size, channels, hidden } = architecture;
  const copies = architecture.batchNorm ? 7 : 4;
  let floats = size * size;
  let side = size;
  let from = 1;
  for (const to of channels) {
    floats += from * 9 * side * side + copies * to * side * side;
    side >>= 1;
    floats += to * side * side;
    from = to;
  }
  return floats + 3 * hidden + 3 * outputs;
}
