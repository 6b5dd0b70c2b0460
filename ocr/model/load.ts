/**
 * Loading a character classifier from a checkpoint: the network is rebuilt
 * from the checkpoint's `architecture` metadata (the CNN of the
 * `ocr-default` preset, or the MLP of `deno task train`) and the weights are
 * copied in. Without a source the model committed with Inkling,
 * `ocr/default_model.safetensors`, is loaded from beside this module: from
 * the file system when Inkling runs from files, with `fetch` when it was
 * imported from JSR or another web address.
 *
 * The metadata is checked against the tensors the file really holds before
 * the network is built (`classifierFromCheckpoint` in `models/`).
 *
 * @module
 */

import { FormatError } from "../../autograd/mod.ts";
import { type ByteSource, readByteSource, sourceName } from "../../formats/byte_source.ts";
import { decodeCheckpoint, type Module } from "../../layers/mod.ts";
import type { CropLettersOptions } from "../crops.ts";
import {
  type ClassifierArchitecture,
  classifierFromCheckpoint,
  defaultCrop,
  glyphSize,
  parseArchitecture,
} from "../../models/mod.ts";

/** A loaded classifier, ready for {@linkcode classify}. */
export interface OcrModel {
  /** The network in evaluation mode: glyph rows `[N, 1024]` → class scores (logits). */
  network: Module;
  /** How it was built. */
  architecture: ClassifierArchitecture;
  /** Class names in output order (A–Z then 0–9 for NIST36). */
  classes: string;
  /** Where it came from: the path or URL ("bytes" for a model given as bytes). */
  source: string;
  /**
   * How OCR's crops must look to match the training glyphs: side, margin and
   * pen width (the checkpoint's `crop` metadata; NIST36's 32, 4 and 2.56 by default).
   */
  crop: Required<Pick<CropLettersOptions, "size" | "margin" | "penWidth">>;
}

/**
 * The committed default model, beside this module: a `file:` URL in a
 * checkout, an `https:` one when Inkling is imported from JSR.
 */
export const DEFAULT_MODEL_URL: URL = new URL("../default_model.safetensors", import.meta.url);

/** Largest checkpoint OCR loads: a classifier of glyphs is a few MB (the default 1.2). */
const MAX_MODEL_BYTES = 256 * 1024 * 1024;

/**
 * Loads the classifier in `source`: a checkpoint's path, `file:` or
 * `http(s):` URL, bytes or Blob (default {@linkcode DEFAULT_MODEL_URL}).
 * A file that is not an Inkling checkpoint, lacks a buildable architecture,
 * or whose tensors do not fit it gives a {@linkcode FormatError} naming it,
 * before the network is built.
 */
export async function loadOcrModel(source: ByteSource = DEFAULT_MODEL_URL): Promise<OcrModel> {
  const path = sourceName(source, "bytes");
  const bytes = await readByteSource(source, { maxBytes: MAX_MODEL_BYTES, what: "checkpoint" });
  const checkpoint = decodeCheckpoint(bytes, { source: path });
  // The crop is checked first: a network OCR could not feed is not worth building.
  const crop = cropOf(
    parseArchitecture(checkpoint.architecture, path),
    checkpoint.architecture,
    path,
  );
  const { network, architecture, classes } = classifierFromCheckpoint(checkpoint, path);
  return { network, architecture, classes, source: path, crop };
}

/**
 * The crops the network reads: square glyphs of 8 to 256 pixels a side
 * (an MLP's inputs must be a square number), with the margin and pen of
 * the checkpoint's `crop` metadata when it has one (models trained on
 * EMNIST-style glyphs do), else NIST36's: size / 8 and 0.08 × size.
 */
function cropOf(
  architecture: ClassifierArchitecture,
  metadata: unknown,
  path: string,
): OcrModel["crop"] {
  const size = glyphSize(architecture);
  const pixels = architecture.kind === "mlp" ? architecture.inputs : size * size;
  if (size < 8 || size > 256 || pixels !== size * size) {
    const reads = architecture.kind === "mlp" ? `${pixels}-value` : `${size}-pixel`;
    throw new FormatError(
      `${path}: the network reads ${reads} glyphs; OCR crops are squares of 8 to 256 pixels`,
    );
  }
  const crop = (metadata as { crop?: unknown }).crop;
  if (crop === undefined) return { size, ...defaultCrop(size) };
  const { margin, penWidth } = (crop ?? {}) as Record<string, unknown>;
  if (
    typeof margin !== "number" || !(margin >= 0 && margin < size / 2) ||
    typeof penWidth !== "number" || !(penWidth > 0 && penWidth <= size / 4)
  ) {
    throw new FormatError(
      `${path}: "crop" metadata ${JSON.stringify(crop).slice(0, 80)} needs a margin below ` +
        `${size / 2} and a pen width up to ${size / 4} pixels`,
    );
  }
  return { size, margin, penWidth };
}
