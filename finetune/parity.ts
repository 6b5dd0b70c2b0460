/**
 * The engine against onnxruntime on the same SqueezeNet: both run the whole
 * network (softmax output) on a few test images, and the largest difference
 * between their class probabilities is the check that the imported network
 * the full mode fine-tunes is the network onnxruntime runs.
 *
 * @module
 */

import { noGrad, type Tensor } from "../autograd/mod.ts";
import { encodeOnnx, importOnnx, type OnnxModel, OnnxSession } from "../onnx/mod.ts";

/** What the comparison measured. */
export interface Parity {
  /** Largest |p_engine − p_onnxruntime| over every class of every image. */
  maxAbs: number;
  /** Images compared. */
  images: number;
  /** Whether both pick the same top class for every image. */
  sameTop: boolean;
  /** The engine's forward pass, images per second (whole network). */
  engineImagesPerSecond: number;
}

/** Runs `onnx` in the engine and in onnxruntime on `images` (`[N, 3, 224, 224]`) and compares. */
export async function compareWithOnnxRuntime(
  onnx: OnnxModel,
  images: Tensor,
  options: { source?: string } = {},
): Promise<Parity> {
  const session = await OnnxSession.create(encodeOnnx(onnx), { source: options.source });
  let reference: Tensor;
  try {
    reference = await session.runBatched(images);
  } finally {
    await session.release();
  }
  const network = importOnnx(onnx, { source: options.source }).eval();
  const started = performance.now();
  const engine = noGrad(() => network.forward(images));
  const seconds = (performance.now() - started) / 1000;
  const n = images.shape[0];
  const classes = engine.size / n;
  let maxAbs = 0;
  let sameTop = true;
  for (let i = 0; i < n; i++) {
    let [topA, topB] = [0, 0];
    for (let c = 0; c < classes; c++) {
      const a = engine.data[i * classes + c];
      const b = reference.data[i * classes + c];
      maxAbs = Math.max(maxAbs, Math.abs(a - b));
      if (a > engine.data[i * classes + topA]) topA = c;
      if (b > reference.data[i * classes + topB]) topB = c;
    }
    sameTop &&= topA === topB;
  }
  return { maxAbs, images: n, sameTop, engineImagesPerSecond: n / seconds };
}
