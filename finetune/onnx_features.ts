/**
 * SqueezeNet's frozen features from onnxruntime: the model cut at its last
 * fire module runs once per image and augmentation variant, and the
 * `[N, 512, 13, 13]` maps are kept in memory for the new classifier to
 * train on (a 1 × 1 convolution learns in seconds on them, where the
 * trunk itself costs a tenth of a second per image).
 *
 * @module
 */

import { concat, Rng, type Tensor } from "../autograd/mod.ts";
import { cutOnnx, encodeOnnx, type OnnxModel, OnnxSession } from "../onnx/mod.ts";
import { applyCropFlip, type CropFlip, drawCropFlip } from "./image_augment.ts";
import { SQUEEZENET_FEATURES } from "./networks.ts";

/** An onnxruntime session computing SqueezeNet's features, and its throughput. */
export class FeatureExtractor {
  /** The session over the cut model. */
  readonly session: OnnxSession;
  /** Images run so far. */
  images = 0;
  /** Seconds spent in onnxruntime so far. */
  seconds = 0;
  /** Images per run when the model's batch axis is free. */
  readonly batchSize: number;

  private constructor(session: OnnxSession, batchSize: number) {
    this.session = session;
    this.batchSize = batchSize;
  }

  /** Opens a session over `onnx` cut at {@linkcode SQUEEZENET_FEATURES}. */
  static async create(
    onnx: OnnxModel,
    options: { source?: string; threads?: number; batchSize?: number } = {},
  ): Promise<FeatureExtractor> {
    const cut = encodeOnnx(cutOnnx(onnx, SQUEEZENET_FEATURES, { source: options.source }));
    const session = await OnnxSession.create(cut, {
      source: `${options.source ?? "model.onnx"} (cut at ${SQUEEZENET_FEATURES})`,
      threads: options.threads,
    });
    return new FeatureExtractor(session, options.batchSize ?? 16);
  }

  /** Features `[N, 512, 13, 13]` of images `[N, 3, 224, 224]`. */
  async features(images: Tensor): Promise<Tensor> {
    const started = performance.now();
    // SqueezeNet_fp16.onnx fixes its batch at 1; only a free batch axis takes larger batches.
    const fixed = typeof this.session.inputs[0].shape[0] === "number";
    const out = await this.session.runBatched(images, fixed ? {} : { batchSize: this.batchSize });
    this.seconds += (performance.now() - started) / 1000;
    this.images += images.shape[0];
    return out;
  }

  /** Images per second over every run so far. */
  get imagesPerSecond(): number {
    return this.seconds > 0 ? this.images / this.seconds : 0;
  }

  /** Frees the session. */
  async release(): Promise<void> {
    await this.session.release();
  }
}

/**
 * The crops of the training variants: variant 0 is the image itself,
 * variant 1 its mirror, and each further one a random crop (80–100 % of the
 * side) mirrored at random, drawn from `seed`, one per image.
 */
export function variantCrops(count: number, variants: number, seed: number): CropFlip[][] {
  const rng = new Rng(seed);
  const size = 224;
  return Array.from(
    { length: variants },
    (_, v) =>
      Array.from(
        { length: count },
        () =>
          v === 0
            ? { top: 0, left: 0, side: size, flip: false }
            : v === 1
            ? { top: 0, left: 0, side: size, flip: true }
            : drawCropFlip(size, rng),
      ),
  );
}

/**
 * Features of every variant of `images`, variant after variant:
 * `[variants × N, 512, 13, 13]`, the variants of image i at rows
 * i, N + i, 2N + i, ….
 */
export async function variantFeatures(
  extractor: FeatureExtractor,
  images: Tensor,
  options: { variants: number; seed: number },
): Promise<Tensor> {
  const parts: Tensor[] = [];
  for (const crops of variantCrops(images.shape[0], options.variants, options.seed)) {
    parts.push(await extractor.features(applyCropFlip(images, crops)));
  }
  return parts.length === 1 ? parts[0] : concat(parts, { axis: 0 });
}
