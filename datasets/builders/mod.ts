/**
 * Data-set builders that turn UNIPEN on-line handwriting into the two image
 * formats the assignment uses: {@linkcode buildNist36} (three NIST36 MAT-files,
 * 32×32, black ink on white) and {@linkcode buildEmnistBalanced} (EMNIST
 * Balanced IDX files, 28×28, white ink on black). Both split by writer (no
 * writer in two splits), balance the classes, record everything in a JSON
 * manifest with each file's SHA-256, write into the cache directory by default
 * (never into a git work tree), and give the same bytes for the same seed. They
 * import the engine, `formats/` and the rest of `datasets/`.
 *
 * @example
 * ```ts
 * import { buildNist36 } from "./mod.ts";
 * import { loadNist36 } from "../nist36.ts";
 * const built = await buildNist36({ seed: 1 });
 * const { train } = await loadNist36(built.outDir, { splits: ["train"] });
 * console.log(train.x.shape); // [10800, 1024]
 * ```
 *
 * @module
 */

export {
  buildNist36,
  type BuildNist36Options,
  NIST36_MANIFEST,
  NIST36_PER_CLASS,
} from "./nist36_builder.ts";
export {
  buildEmnistBalanced,
  type BuildEmnistBalancedOptions,
  EMNIST_BALANCED_CLASSES,
  EMNIST_BALANCED_MANIFEST,
  EMNIST_BALANCED_PER_CLASS,
  emnistBalancedMappingText,
} from "./emnist_balanced_builder.ts";
export type { PenWidth } from "./glyph_set.ts";
export type { BuiltDataset, WrittenFile } from "./output.ts";
export { DEFAULT_MAX_ASPECT, resolveUnipenDir, UNIPEN_FOLDER } from "./unipen_pool.ts";
export {
  type PerClass,
  splitByWriter,
  type SplittableSample,
  type WriterSplit,
  type WriterSplitOptions,
} from "./writer_split.ts";
