/**
 * The NIST36 data set of the "Neural Networks for Recognition" assignment:
 * three MAT-files `nist36_train.mat`, `nist36_valid.mat`, `nist36_test.mat`
 * holding `<split>_data` (N×1024 grey values in [0, 1], black ink ≈ 0 on
 * white ≈ 1) and `<split>_labels` (N×36 one-hot, classes A–Z then 0–9).
 * Each 1024-value row is a 32×32 glyph stored transposed: `reshape(32, 32)`
 * (row-major) and then a transpose gives the upright image. Files built by
 * Inkling also carry `<split>_writers` (N×1 writer index), read when present.
 *
 * @module
 */

import { FormatError } from "../autograd/errors.ts";
import { Tensor } from "../autograd/tensor.ts";
import { readMat } from "../formats/mat/reader.ts";
import type { MatVariable } from "../formats/mat/types.ts";

/** The 36 NIST36 classes in label order: label `i` is `NIST36_CLASSES[i]`. */
export const NIST36_CLASSES = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/** Side of a NIST36 glyph in pixels (each row holds `NIST36_SIZE²` values). */
export const NIST36_SIZE = 32;

/** The three NIST36 splits, in file order. */
export const NIST36_SPLITS = ["train", "valid", "test"] as const;

/** One of `"train"`, `"valid"`, `"test"`. */
export type Nist36SplitName = typeof NIST36_SPLITS[number];

/** One NIST36 split as tensors. */
export interface Nist36Split {
  /** Glyphs `[N, 1024]` float32 in [0, 1], each row in the file's transposed storage. */
  readonly x: Tensor;
  /** One-hot labels `[N, 36]` float32. */
  readonly y: Tensor;
  /** Class index per sample (the position of the 1 in each row of `y`). */
  readonly labels: Int32Array;
  /** Writer index per sample, when the file has `<split>_writers` (Inkling-built files do). */
  readonly writers?: Int32Array;
}

/** Options of {@linkcode loadNist36}. */
export interface LoadNist36Options<S extends Nist36SplitName> {
  /** Splits to read (default all three). */
  splits?: readonly S[];
}

const FEATURES = NIST36_SIZE * NIST36_SIZE;
const CLASSES = NIST36_CLASSES.length;

/**
 * Reads the NIST36 MAT-files of the chosen splits from `dir`. Doubles and
 * singles are both accepted and come back as float32. Throws a
 * {@linkcode FormatError} naming the file for a missing file, missing
 * variables, wrong shapes, values outside [0, 1] or labels that are not one-hot.
 */
export async function loadNist36<S extends Nist36SplitName = Nist36SplitName>(
  dir: string,
  options: LoadNist36Options<S> = {},
): Promise<Record<S, Nist36Split>> {
  const splits = options.splits ?? (NIST36_SPLITS as readonly Nist36SplitName[] as readonly S[]);
  const result = {} as Record<S, Nist36Split>;
  for (const split of splits) {
    if (!(NIST36_SPLITS as readonly string[]).includes(split)) {
      throw new FormatError(`NIST36: unknown split "${split}" (use train, valid or test)`);
    }
    result[split] = await loadSplit(`${dir.replace(/\/+$/, "")}/nist36_${split}.mat`, split);
  }
  return result;
}

async function loadSplit(path: string, split: Nist36SplitName): Promise<Nist36Split> {
  const info = await Deno.stat(path).catch(() => undefined);
  if (!info?.isFile) {
    throw new FormatError(
      `${path}: file not found (NIST36 needs nist36_train.mat, nist36_valid.mat and nist36_test.mat; ` +
        "build them with `deno task data build nist36`)",
    );
  }
  const vars = await readMat(path);
  const dataName = `${split}_data`;
  const labelsName = `${split}_labels`;
  const writersName = `${split}_writers`;
  const missing = [dataName, labelsName].filter((name) => !vars.has(name));
  if (missing.length > 0) {
    throw new FormatError(
      `${path}: no variable ${missing.map((n) => `'${n}'`).join(" or ")} (the file holds ${
        [...vars.keys()].map((n) => `'${n}'`).join(", ") || "no variables"
      })`,
    );
  }
  const x = toFloat32(path, vars.get(dataName)!);
  const y = toFloat32(path, vars.get(labelsName)!);
  const n = x.shape[0];
  checkShape(path, dataName, x.shape, [n, FEATURES]);
  checkShape(path, labelsName, y.shape, [n, CLASSES]);
  checkUnitRange(path, dataName, x.data);
  const labels = oneHotLabels(path, labelsName, y.data, n);
  const writersVar = vars.get(writersName);
  const writers = writersVar === undefined ? undefined : writerIndices(path, writersVar, n);
  return {
    x: new Tensor(x.data, [n, FEATURES]),
    y: new Tensor(y.data, [n, CLASSES]),
    labels,
    ...(writers === undefined ? {} : { writers }),
  };
}

/** A real numeric variable's values as float32 (doubles, singles, integers alike). */
function toFloat32(
  path: string,
  variable: MatVariable,
): { shape: readonly number[]; data: Float32Array } {
  const { data } = variable;
  if (
    typeof data === "string" || !ArrayBuffer.isView(data) || data instanceof BigInt64Array ||
    data instanceof BigUint64Array || "imag" in variable && variable.imag !== undefined
  ) {
    throw new FormatError(
      `${path}: variable '${variable.name}' is a ${variable.class} array, expected real numbers`,
    );
  }
  return {
    shape: variable.shape,
    data: data instanceof Float32Array ? data : Float32Array.from(data as ArrayLike<number>),
  };
}

function checkShape(
  path: string,
  name: string,
  shape: readonly number[],
  expected: readonly number[],
): void {
  if (shape.length !== expected.length || shape.some((d, i) => d !== expected[i])) {
    throw new FormatError(
      `${path}: variable '${name}' has shape ${shape.join("×")}, expected ${expected.join("×")}`,
    );
  }
}

function checkUnitRange(path: string, name: string, data: Float32Array): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!(v >= 0 && v <= 1)) {
      throw new FormatError(
        `${path}: variable '${name}' holds ${v} at row ${Math.floor(i / FEATURES) + 1}, ` +
          `column ${(i % FEATURES) + 1}; pixel values must lie in [0, 1]`,
      );
    }
  }
}

/** The class index of each one-hot row; any other row is a FormatError. */
function oneHotLabels(path: string, name: string, data: Float32Array, n: number): Int32Array {
  const labels = new Int32Array(n);
  for (let row = 0; row < n; row++) {
    let hot = -1;
    let ones = 0;
    for (let c = 0; c < CLASSES; c++) {
      const v = data[row * CLASSES + c];
      if (v === 1) {
        hot = c;
        ones++;
      } else if (v !== 0) {
        ones = -1;
        break;
      }
    }
    if (ones !== 1) {
      throw new FormatError(
        `${path}: variable '${name}' row ${row + 1} is not one-hot (it needs a single 1 among 0s)`,
      );
    }
    labels[row] = hot;
  }
  return labels;
}

function writerIndices(path: string, variable: MatVariable, n: number): Int32Array {
  const { shape, data } = toFloat32(path, variable);
  if (shape.length !== 2 || shape[0] * shape[1] !== n || Math.min(shape[0], shape[1]) !== 1) {
    throw new FormatError(
      `${path}: variable '${variable.name}' has shape ${shape.join("×")}, expected ${n}×1`,
    );
  }
  const writers = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    if (!(Number.isInteger(data[i]) && data[i] >= 0)) {
      throw new FormatError(
        `${path}: variable '${variable.name}' holds ${data[i]} at row ${
          i + 1
        }; writer indices are integers >= 0`,
      );
    }
    writers[i] = data[i];
  }
  return writers;
}
