/**
 * Oxford Flowers 17 (Nilsback & Zisserman, 2006): the 1,360 images with their
 * 17 class labels ({@linkcode listFlowers17}), the assignment's train/val/test
 * split ({@linkcode readFlowers17Splits}), and streaming batches of
 * preprocessed images ({@linkcode iterateFlowers17}). The image path — JPEG/PNG
 * decode with `image-js`, antialiased resize of the short side, centre crop,
 * planar CHW floats in RGB or BGR order, raw/unit/ImageNet values
 * ({@linkcode imageToCHW}) — works for any image file, e.g. the input of
 * SqueezeNet ({@linkcode SQUEEZENET_PREPROCESS}). It imports the engine,
 * `formats/` and image-js.
 *
 * @example
 * ```ts
 * import { iterateFlowers17, SQUEEZENET_PREPROCESS } from "./mod.ts";
 * for await (const { x, y } of iterateFlowers17("../shared/data/flowers17", {
 *   split: "val",
 *   batchSize: 16,
 *   ...SQUEEZENET_PREPROCESS,
 * })) {
 *   console.log(x.shape, y); // [16, 3, 224, 224] Int32Array(16)
 * }
 * ```
 *
 * @module
 */

export {
  FLOWERS17_CLASSES,
  FLOWERS17_IMAGE_COUNT,
  FLOWERS17_IMAGES_PER_CLASS,
  type Flowers17Image,
  flowers17Image,
  flowers17ImageName,
  flowers17Label,
  listFlowers17,
  parseFlowers17ImageName,
} from "./catalog.ts";
export {
  FLOWERS17_DATASPLITS_FILE,
  FLOWERS17_SPLIT_FILE,
  FLOWERS17_SPLIT_NAMES,
  type Flowers17SplitName,
  type Flowers17Splits,
  parseFlowers17Split,
  readFlowers17Splits,
} from "./split.ts";
export {
  type ChannelOrder,
  DEFAULT_MAX_IMAGE_BYTES,
  DEFAULT_MAX_PIXELS,
  IMAGENET_MEAN,
  IMAGENET_STD,
  type ImageTensorOptions,
  imageToCHW,
  type ImageToCHWOptions,
  type Normalization,
  readImageCHW,
  SQUEEZENET_PREPROCESS,
} from "./image_tensor.ts";
export {
  type InterleavedPixels,
  type ResizeCropOptions,
  resizeCropPlanar,
  resizedSize,
} from "./resample.ts";
export {
  type Flowers17BatchOptions,
  type ImageBatch,
  type ImageBatchOptions,
  iterateFlowers17,
  iterateImageBatches,
  type LabelledImageFile,
} from "./batches.ts";
