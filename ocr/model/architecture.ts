/**
 * The character classifiers OCR can load, described by the JSON a checkpoint
 * stores in its `architecture` metadata so a loader can rebuild the network
 * before copying the weights in:
 *
 * - `{kind: "cnn", size, channels, hidden, classes}`: a small convolutional
 *   network. Each conv block is 3 × 3 convolution (padded) → ReLU → 2 × 2 max
 *   pooling; then a hidden ReLU layer with dropout, then the class scores. The
 *   first layer reshapes the `[N, size²]` glyph rows to `[N, 1, size, size]`,
 *   so the network eats crops exactly as {@linkcode cropLetters} and NIST36
 *   store them.
 * - `{kind: "mlp", inputs, hidden, classes}`: the assignment's
 *   1024-hidden(sigmoid)-36 network that `deno task train` writes.
 *
 * `classes` is either the class count or the class names in output order
 * (`deno task train` writes the names, "ABC…Z0…9").
 *
 * @module
 */

import { FormatError } from "../../autograd/errors.ts";
import { reshape, type Rng, type Tensor } from "../../autograd/mod.ts";
import {
  Conv2d,
  Dropout,
  Flatten,
  Linear,
  MaxPool2d,
  Module,
  ReLU,
  Sequential,
} from "../../layers/mod.ts";
import { NIST36_CLASSES } from "../../datasets/nist36.ts";
import { createMlp } from "../train/nist36_mlp.ts";

/** A small CNN over square glyphs (see the module doc). */
export interface CnnArchitecture {
  /** Always "cnn". */
  kind: "cnn";
  /** Side of the square glyph (32 for NIST36). */
  size: number;
  /** Output channels of each conv block; each block halves the side. */
  channels: number[];
  /** Units of the hidden fully connected layer. */
  hidden: number;
  /** Dropout probability before the output layer while training (0 for none). */
  dropout: number;
  /** Class names in output order (or their count). */
  classes: string | number;
}

/** The assignment's MLP as `deno task train` describes it. */
export interface MlpCheckpointArchitecture {
  /** Always "mlp". */
  kind: "mlp";
  /** Input features (1024). */
  inputs: number;
  /** Hidden sigmoid units. */
  hidden: number;
  /** Class names in output order (or their count). */
  classes: string | number;
}

/** Any architecture {@linkcode createOcrNetwork} builds. */
export type OcrArchitecture = CnnArchitecture | MlpCheckpointArchitecture;

/** Reshapes glyph rows `[N, size²]` to single-channel images `[N, 1, size, size]`. */
export class GlyphImages extends Module {
  /** Side of the square glyph. */
  readonly size: number;

  /** Creates the layer for `size × size` glyphs. */
  constructor(size: number) {
    super();
    this.size = size;
  }

  /** `[N, size²]` → `[N, 1, size, size]`. */
  forward(x: Tensor): Tensor {
    return reshape(x, [x.shape[0], 1, this.size, this.size]);
  }
}

/** The class names of an architecture: its own, or A–Z 0–9 when it gives only the count 36. */
export function classNames(architecture: OcrArchitecture): string {
  const { classes } = architecture;
  if (typeof classes === "string") return classes;
  if (classes === NIST36_CLASSES.length) return NIST36_CLASSES;
  throw new FormatError(
    `architecture has ${classes} unnamed classes; only 36 (A–Z, 0–9) are known by default`,
  );
}

/** Builds the untrained network of `architecture` (weights drawn from `options.rng`). */
export function createOcrNetwork(architecture: OcrArchitecture, options: { rng: Rng }): Sequential {
  const classes = classNames(architecture).length;
  const { rng } = options;
  if (architecture.kind === "mlp") {
    const { inputs, hidden } = architecture;
    return createMlp({ kind: "mlp", inputs, hidden, classes }, { rng });
  }
  const { size, channels, hidden, dropout } = architecture;
  const layers: Module[] = [new GlyphImages(size)];
  let from = 1;
  for (const to of channels) {
    layers.push(
      new Conv2d({ in: from, out: to }, 3, { padding: 1, rng }),
      new ReLU(),
      new MaxPool2d(2),
    );
    from = to;
  }
  const side = size >> channels.length;
  layers.push(
    new Flatten(),
    new Linear(from * side * side, hidden, { rng }),
    new ReLU(),
    new Dropout(dropout, { rng }),
    new Linear(hidden, classes, { rng }),
  );
  return new Sequential(...layers);
}

/** Side length the network expects its glyphs to have. */
export function glyphSize(architecture: OcrArchitecture): number {
  return architecture.kind === "cnn"
    ? architecture.size
    : Math.round(Math.sqrt(architecture.inputs));
}

/**
 * Checks that `value` (parsed checkpoint metadata) describes an architecture
 * this module can build; the error names `source` and the offending field.
 */
export function parseArchitecture(value: unknown, source: string): OcrArchitecture {
  const fail = (what: string) =>
    new FormatError(`${source}: ${what} (the checkpoint's "architecture" metadata)`);
  if (typeof value !== "object" || value === null) {
    throw fail("no architecture description; cannot tell which network to build");
  }
  const record = value as Record<string, unknown>;
  const count = (key: string, min = 1, max = 1 << 16): number => {
    const n = record[key];
    if (typeof n !== "number" || !Number.isInteger(n) || n < min || n > max) {
      throw fail(`"${key}" is ${JSON.stringify(n)}, not an integer in ${min}..${max}`);
    }
    return n;
  };
  const classes = record.classes;
  const classesOk = typeof classes === "string"
    ? classes.length >= 2 && new Set(classes).size === classes.length
    : typeof classes === "number" && Number.isInteger(classes) && classes >= 2;
  if (!classesOk) throw fail(`"classes" is ${JSON.stringify(classes)}`);
  const named = classes as string | number;
  if (record.kind === "mlp") {
    return { kind: "mlp", inputs: count("inputs"), hidden: count("hidden"), classes: named };
  }
  if (record.kind === "cnn") {
    const size = count("size", 4, 256);
    const channels = record.channels;
    const okChannels = Array.isArray(channels) && channels.length >= 1 &&
      channels.every((c) => Number.isInteger(c) && c >= 1 && c <= 1024) &&
      size % (1 << channels.length) === 0;
    if (!okChannels) {
      throw fail(
        `"channels" is ${JSON.stringify(channels)}; need 1+ counts, each block halving ${size}`,
      );
    }
    const dropout = record.dropout ?? 0;
    if (typeof dropout !== "number" || !(dropout >= 0 && dropout < 1)) {
      throw fail(`"dropout" is ${JSON.stringify(dropout)}, not a probability below 1`);
    }
    return {
      kind: "cnn",
      size,
      channels: channels as number[],
      hidden: count("hidden"),
      dropout,
      classes: named,
    };
  }
  throw fail(`unknown kind ${JSON.stringify(record.kind)} (known: "cnn", "mlp")`);
}
