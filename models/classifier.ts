/**
 * The character classifiers a checkpoint can describe, and the one place that
 * turns the JSON of its `architecture` metadata back into a network:
 *
 * - `{kind: "mlp", inputs, hidden, classes}`: the assignment's
 *   1024-hidden(sigmoid)-36 network (`mlp.ts`);
 * - `{kind: "cnn", size, channels, hidden, dropout, classes, batchNorm?}`:
 *   the small convolutional network of the default OCR model
 *   (`glyph_cnn.ts`), optionally with batch normalisation after each
 *   convolution (absent means without, as in checkpoints older than it).
 *
 * `classes` is either the class names in output order ("ABC…Z0…9" for
 * NIST36) or their count. Trainers write these descriptions; loaders check
 * them with {@linkcode parseArchitecture} and build the network with
 * {@linkcode createClassifier}.
 *
 * @module
 */

import { FormatError } from "../autograd/errors.ts";
import type { Rng } from "../autograd/mod.ts";
import type { Sequential } from "../layers/mod.ts";
import { NIST36_CLASSES } from "../datasets/nist36.ts";
import { type CnnArchitecture, createCnn } from "./glyph_cnn.ts";
import { createMlp, type MlpArchitecture } from "./mlp.ts";

/** Largest count (inputs, hidden units, classes) a description may give. */
const MAX_COUNT = 1 << 16;

/** Any architecture {@linkcode createClassifier} builds. */
export type ClassifierArchitecture = CnnArchitecture | MlpArchitecture;

/** The class names of an architecture: its own, or A–Z 0–9 when it gives only the count 36. */
export function classNames(architecture: ClassifierArchitecture): string {
  const { classes } = architecture;
  if (typeof classes === "string") return classes;
  if (classes === NIST36_CLASSES.length) return NIST36_CLASSES;
  throw new FormatError(
    `architecture has ${classes} unnamed classes; only 36 (A–Z, 0–9) are known by default`,
  );
}

/** Builds the untrained network of `architecture` (weights drawn from `options.rng`). */
export function createClassifier(
  architecture: ClassifierArchitecture,
  options: { rng: Rng },
): Sequential {
  const classes = classNames(architecture).length;
  return architecture.kind === "mlp"
    ? createMlp({ ...architecture, classes }, options)
    : createCnn({ ...architecture, classes }, options);
}

/**
 * Margin and pen width of NIST36-style glyphs of `size` pixels (size / 8 and
 * 0.08 × size: 4 and 2.56 at 32): what OCR crops to when a checkpoint
 * records no `crop` of its own.
 */
export function defaultCrop(size: number): { margin: number; penWidth: number } {
  return { margin: size / 8, penWidth: 0.08 * size };
}

/** Side length the network expects its glyphs to have. */
export function glyphSize(architecture: ClassifierArchitecture): number {
  return architecture.kind === "cnn"
    ? architecture.size
    : Math.round(Math.sqrt(architecture.inputs));
}

/**
 * Checks that `value` (parsed checkpoint metadata) describes an architecture
 * this module can build; the error names `source` and the offending field.
 */
export function parseArchitecture(value: unknown, source: string): ClassifierArchitecture {
  const fail = (what: string) =>
    new FormatError(`${source}: ${what} (the checkpoint's "architecture" metadata)`);
  if (typeof value !== "object" || value === null) {
    throw fail("no architecture description; cannot tell which network to build");
  }
  const record = value as Record<string, unknown>;
  const count = (key: string, min = 1, max = MAX_COUNT): number => {
    const n = record[key];
    if (typeof n !== "number" || !Number.isInteger(n) || n < min || n > max) {
      throw fail(`"${key}" is ${JSON.stringify(n)}, not an integer in ${min}..${max}`);
    }
    return n;
  };
  const classes = record.classes;
  // Capped like the other counts, and checked before the Set, whose cost grows with the string.
  const classesOk = typeof classes === "string"
    ? classes.length >= 2 && classes.length <= MAX_COUNT &&
      new Set(classes).size === classes.length
    : typeof classes === "number" && Number.isInteger(classes) && classes >= 2 &&
      classes <= MAX_COUNT;
  if (!classesOk) {
    const shown = typeof classes === "string" && classes.length > 40
      ? `a string of ${classes.length} characters`
      : JSON.stringify(classes);
    throw fail(`"classes" is ${shown}; need 2..${MAX_COUNT} distinct class names or a count`);
  }
  const named = classes as string | number;
  if (record.kind === "mlp") {
    return { kind: "mlp", inputs: count("inputs"), hidden: count("hidden"), classes: named };
  }
  if (record.kind === "cnn") {
    const size = count("size", 4, 256);
    const channels = record.channels;
    const okChannels = Array.isArray(channels) && channels.length >= 1 &&
      channels.every((c) => Number.isInteger(c) && c >= 1 && c <= 1024) &&
      size >> channels.length >= 1;
    if (!okChannels) {
      throw fail(
        `"channels" is ${
          JSON.stringify(channels)
        }; need 1+ counts, each block halving ${size} (rounding down) to at least 1`,
      );
    }
    const dropout = record.dropout ?? 0;
    if (typeof dropout !== "number" || !(dropout >= 0 && dropout < 1)) {
      throw fail(`"dropout" is ${JSON.stringify(dropout)}, not a probability below 1`);
    }
    const batchNorm = record.batchNorm ?? false;
    if (typeof batchNorm !== "boolean") {
      throw fail(`"batchNorm" is ${JSON.stringify(batchNorm)}, not true or false`);
    }
    return {
      kind: "cnn",
      size,
      channels: channels as number[],
      hidden: count("hidden"),
      dropout,
      classes: named,
      // Only when on: a description without it stays as older checkpoints wrote it.
      ...(batchNorm ? { batchNorm } : {}),
    };
  }
  throw fail(`unknown kind ${JSON.stringify(record.kind)} (known: "cnn", "mlp")`);
}
