/**
 * Loading a character classifier from a checkpoint: the network is rebuilt
 * from the checkpoint's `architecture` metadata (the CNN of the
 * `ocr-default` preset, or the MLP of `deno task train`) and the weights are
 * copied in. Without a path the model committed with Inkling,
 * `ocr/default_model.safetensors`, is loaded.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { FormatError, InklingError } from "../../autograd/errors.ts";
import { Rng } from "../../autograd/mod.ts";
import { loadCheckpoint, type Module } from "../../layers/mod.ts";
import { CROP_SIZE } from "../crops.ts";
import {
  type ClassifierArchitecture,
  classNames,
  createClassifier,
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
  /** The file it came from. */
  source: string;
}

/** The committed default model. */
export const DEFAULT_MODEL_PATH: string = fileURLToPath(
  new URL("../default_model.safetensors", import.meta.url),
);

/**
 * Loads the classifier at `path` (default {@linkcode DEFAULT_MODEL_PATH}).
 * A file that is not an Inkling checkpoint, lacks a buildable architecture,
 * or whose tensors do not fit it gives a {@linkcode FormatError} naming it.
 */
export async function loadOcrModel(path: string = DEFAULT_MODEL_PATH): Promise<OcrModel> {
  const checkpoint = await loadCheckpoint(path);
  const architecture = parseArchitecture(checkpoint.architecture, path);
  if (glyphSize(architecture) !== CROP_SIZE) {
    throw new FormatError(
      `${path}: the network reads ${
        glyphSize(architecture)
      }-pixel glyphs; OCR crops are ${CROP_SIZE} × ${CROP_SIZE}`,
    );
  }
  const network = createClassifier(architecture, { rng: new Rng(0) });
  try {
    network.loadStateDict(checkpoint.model);
  } catch (error) {
    if (!(error instanceof InklingError)) throw error;
    throw new FormatError(
      `${path}: weights do not fit the ${architecture.kind} architecture (${error.message})`,
    );
  }
  return { network: network.eval(), architecture, classes: classNames(architecture), source: path };
}
