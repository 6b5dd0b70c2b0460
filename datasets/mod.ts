/**
 * Data sets and where they live: NIST36 (the assignment's MAT-files, or the
 * same format built from UNIPEN handwriting and cached), MNIST and EMNIST
 * (IDX), the UNIPEN on-line handwriting reader and glyph renderer, the builders
 * that turn UNIPEN into NIST36 and EMNIST Balanced files, Oxford Flowers 17,
 * glyph augmentation (shifts, affine jitter, elastic distortion), synthetic toy sets, downloads
 * with checksums, and the data and cache directories. `deno task data`
 * (`cli.ts`) builds and fetches them. Imports: the engine, `formats/` (every
 * file is read through a size-checking reader that reports a `FormatError`
 * naming the file) and, for `cli.ts`, the command-line helper of `tools/`.
 * Never layers, figures or applications.
 *
 * @module
 */

export * from "./data_dir.ts";
export * from "./nist36.ts";
export * from "./nist36_source.ts";
export * from "./glyph_data.ts";
export { type ImageLabelSet, readMnist, type Split } from "./mnist.ts";
export {
  type EmnistClass,
  type EmnistMapping,
  type EmnistSet,
  parseEmnistMapping,
  readEmnist,
  readEmnistMapping,
  type ReadEmnistOptions,
} from "./emnist.ts";
export * from "./unipen/mod.ts";
export * from "./builders/mod.ts";
export * from "./augment.ts";
export * from "./elastic.ts";
export * from "./synthetic.ts";
export * from "./synthetic_pages/mod.ts";
export * from "./flowers17/mod.ts";
export * from "./download.ts";
export * from "./sources.ts";

// The file helpers and codecs below moved to formats/ in 0.2 (see CHANGELOG.md);
// they are re-exported so that imports from `@inkling/inkling/datasets` keep working.
export * from "../formats/files.ts";
export * from "../formats/crc32.ts";
export * from "../formats/image_header.ts";
export * from "../formats/mat/mod.ts";
export * from "../formats/idx/mod.ts";
export * from "../formats/archive/mod.ts";
