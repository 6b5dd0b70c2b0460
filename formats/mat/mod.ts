/**
 * MATLAB MAT-files, level 5 (what MATLAB `save -v7`/`-v6` and
 * `scipy.io.savemat` write): {@linkcode readMat}/{@linkcode parseMat} return
 * the variables of a file as row-major typed arrays (numeric of every class,
 * complex, logical, char, cell, struct; little- or big-endian; compressed or
 * not), and {@linkcode writeMat}/{@linkcode encodeMat} write numeric, logical
 * and char arrays, optionally compressed. MAT v7.3 (HDF5) and v4 files are
 * refused with a `FormatError` that says how to re-save them. It imports only
 * the engine's error types and the rest of `formats/`.
 *
 * @example
 * ```ts
 * import { readMat, writeMat } from "./mod.ts";
 * await writeMat("weights.mat", { W: { shape: [2, 3], data: new Float64Array(6) } }, { compress: true });
 * const vars = await readMat("weights.mat", { variables: ["W"] });
 * const W = vars.get("W")!; // { name: "W", class: "double", shape: [2, 3], data: Float64Array }
 * ```
 *
 * @module
 */

export {
  DEFAULT_MAX_VARIABLE_BYTES,
  parseMat,
  type ParseMatOptions,
  readMat,
  type ReadMatOptions,
} from "./reader.ts";
export { encodeMat, type EncodeMatOptions, type MatWritable, writeMat } from "./writer.ts";
export type {
  MatArray,
  MatCellArray,
  MatCharArray,
  MatClass,
  MatLogicalArray,
  MatNumericArray,
  MatNumericClass,
  MatNumericData,
  MatStructArray,
  MatTypedArray,
  MatVariable,
} from "./types.ts";
