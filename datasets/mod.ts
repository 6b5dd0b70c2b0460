/**
 * Data formats and data sets: MAT v5 and IDX readers/writers, the UNIPEN
 * online-handwriting reader and glyph renderer, synthetic toy sets, and where
 * data and caches live. Every reader validates sizes before allocating and
 * reports defects as a `FormatError` naming the file.
 *
 * @module
 */

export * from "./mat/mod.ts";
export * from "./idx/mod.ts";
export * from "./unipen/mod.ts";
export * from "./data_dir.ts";
export * from "./files.ts";
export * from "./synthetic.ts";
export * from "./nist36.ts";
export * from "./builders/mod.ts";
export * from "./augment.ts";
export * from "./flowers17/mod.ts";
export * from "./archive/mod.ts";
export * from "./download.ts";
export * from "./sources.ts";
