/**
 * Loading a character classifier from a checkpoint: the network is rebuilt
 * from the checkpoint's `architecture` metadata (the CNN of the
 * `ocr-default` preset, or the MLP of `deno task train`) and the weights are
 * copied in. Without a path the model committed with Inkling,
 * `ocr/default_model.safetensors`, is loaded.
 *
 * The metadata is checked against the tensors the file really holds (names,
 * shapes, total size, class names against the output layer) before the
 * network is built: building first would let a few hundred bytes of JSON
 * claiming a huge network allocate gigabytes before any mismatch showed.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { FormatError, InklingError, Rng, type Tensor } from "../../autograd/mod.ts";
import { loadCheckpoint, type Module } from "../../layers/mod.ts";
import type { CropLettersOptions } from "../crops.ts";
import {
  classCount,
  type ClassifierArchitecture,
  classifierTensorShapes,
  classNames,
  createClassifier,
  defaultCrop,
  glyphSize,
  parseArchitecture,
  shapeSize,
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
  /**
   * How OCR's crops must look to match the training glyphs: side, margin and
   * pen width (the checkpoint's `crop` metadata; NIST36's 32, 4 and 2.56 by default).
   */
  crop: Required<Pick<CropLettersOptions, "size" | "margin" | "penWidth">>;
}

/** The committed default model. */
export const DEFAULT_MODEL_PATH: string = fileURLToPath(
  new URL("../default_model.safetensors", import.meta.url),
);

/**
 * Loads the classifier at `path` (default {@linkcode DEFAULT_MODEL_PATH}).
 * A file that is not an Inkling checkpoint, lacks a buildable architecture,
 * or whose tensors do not fit it gives a {@linkcode FormatError} naming it,
 * before the network is built.
 */
export async function loadOcrModel(path: string = DEFAULT_MODEL_PATH): Promise<OcrModel> {
  const checkpoint = await loadCheckpoint(path);
  const architecture = parseArchitecture(checkpoint.architecture, path);
  const crop = cropOf(architecture, checkpoint.architecture, path);
  const classes = named(() => classNames(architecture), path);
  checkTensors(architecture, checkpoint.model, path);
  const network = createClassifier(architecture, { rng: new Rng(0) });
  try {
    network.loadStateDict(checkpoint.model);
  } catch (error) {
    if (!(error instanceof InklingError)) throw error;
    throw new FormatError(
      `${path}: weights do not fit the ${architecture.kind} architecture (${error.message})`,
    );
  }
  return { network: network.eval(), architecture, classes, source: path, crop };
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

/** Runs `body`, putting `path` in front of the message of a FormatError it throws. */
function named<T>(body: () => T, path: string): T {
  try {
    return body();
  } catch (error) {
    if (!(error instanceof FormatError)) throw error;
    throw new FormatError(`${path}: ${error.message}`);
  }
}

/** At most this many names are listed in an error, so it stays one readable line. */
const LISTED = 4;

/**
 * Compares the tensors `architecture` needs (computed, not built) with those
 * `model` holds; any difference is a FormatError naming `path`.
 */
function checkTensors(
  architecture: ClassifierArchitecture,
  model: Record<string, Tensor>,
  path: string,
): void {
  const expected = classifierTensorShapes(architecture);
  const fail = (what: string) =>
    new FormatError(`${path}: weights do not fit the ${architecture.kind} architecture (${what})`);
  // The class names must match the output layer the file holds, whatever else is wrong.
  const outputBias = [...expected.keys()].at(-1)!;
  const units = model[outputBias]?.shape;
  if (units?.length === 1 && units[0] !== classCount(architecture)) {
    throw fail(
      `"classes" gives ${classCount(architecture)} classes but the output layer ` +
        `"${outputBias}" has ${units[0]} units`,
    );
  }
  const needed = [...expected.values()].reduce((n, shape) => n + shapeSize(shape), 0);
  const held = Object.values(model).reduce((n, t) => n + t.size, 0);
  const missing = [...expected.keys()].filter((name) => !(name in model));
  const extra = Object.keys(model).filter((name) => !expected.has(name));
  const problems: string[] = [];
  if (missing.length > 0) problems.push(`missing ${list(missing)}`);
  if (extra.length > 0) problems.push(`unexpected ${list(extra)}`);
  for (const [name, shape] of expected) {
    const found = model[name]?.shape;
    if (found && !sameShape(found, shape)) {
      problems.push(
        `"${name}" is [${found.join(", ")}], the architecture needs [${shape.join(", ")}]`,
      );
    }
  }
  if (problems.length > 0) {
    throw fail(
      `it needs ${expected.size} tensors of ${values(needed)} in all, the file has ` +
        `${Object.keys(model).length} of ${values(held)}; ${problems.slice(0, LISTED).join("; ")}`,
    );
  }
}

/** A count of float32 values, with their size when it is large enough to matter. */
function values(n: number): string {
  const bytes = 4 * n;
  if (bytes < 1e6) return `${n} values`;
  return `${n} values (${
    bytes >= 1e9 ? `${(bytes / 1e9).toFixed(1)} GB` : `${(bytes / 1e6).toFixed(1)} MB`
  })`;
}

function list(names: string[]): string {
  const shown = names.slice(0, LISTED).join(", ");
  return names.length > LISTED ? `[${shown}, … ${names.length - LISTED} more]` : `[${shown}]`;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
