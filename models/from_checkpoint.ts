/**
 * A character classifier rebuilt from the contents of a checkpoint (its
 * `architecture` metadata and its tensors), for every reader of trained
 * models — the OCR reader and the ONNX exporter. The metadata is checked
 * against the tensors the checkpoint really holds (names, shapes, total
 * size, class names against the output layer) before the network is built:
 * building first would let a few hundred bytes of JSON claiming a huge
 * network allocate gigabytes before any mismatch showed. Reading the file is
 * the caller's (`loadCheckpoint` in `layers/`): nothing here touches files.
 *
 * @module
 */

import { FormatError, InklingError, Rng, type Tensor } from "../autograd/mod.ts";
import type { Sequential } from "../layers/mod.ts";
import { classCount, classifierTensorShapes, shapeSize } from "./architecture_shapes.ts";
import {
  type ClassifierArchitecture,
  classNames,
  createClassifier,
  parseArchitecture,
} from "./classifier.ts";

/** A classifier rebuilt by {@linkcode classifierFromCheckpoint}. */
export interface CheckpointClassifier {
  /** The network with the checkpoint's weights, in evaluation mode. */
  network: Sequential;
  /** How it was built. */
  architecture: ClassifierArchitecture;
  /** Class names in output order. */
  classes: string;
}

/**
 * Builds the network a checkpoint's `architecture` metadata describes and
 * loads its `model` tensors into it. Metadata that describes no buildable
 * network, or tensors that do not fit it, give a {@linkcode FormatError}
 * naming `source`, before anything the size of the network is allocated.
 */
export function classifierFromCheckpoint(
  checkpoint: { architecture: unknown; model: Record<string, Tensor> },
  source: string,
): CheckpointClassifier {
  const architecture = parseArchitecture(checkpoint.architecture, source);
  const classes = named(() => classNames(architecture), source);
  checkTensors(architecture, checkpoint.model, source);
  const network = createClassifier(architecture, { rng: new Rng(0) });
  try {
    network.loadStateDict(checkpoint.model);
  } catch (error) {
    if (!(error instanceof InklingError)) throw error;
    throw new FormatError(
      `${source}: weights do not fit the ${architecture.kind} architecture (${error.message})`,
    );
  }
  return { network: network.eval(), architecture, classes };
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
