/**
 * Which NIST36 a task trains on, in one place: the assignment's MAT-files
 * when the user has them (`nist36Dir`), else the same format built from the
 * UNIPEN handwriting of the data directory and kept in the cache, built on
 * first use. Two built sets exist: `"balanced"` (the assignment's
 * 10,800/3,600/1,800 glyphs, 300/100/50 per class) and `"all"` (every usable
 * sample, for the default OCR model). Both use writer split seed 0, so runs
 * with different training seeds are compared on the same split.
 *
 * @module
 */

import { resolveCacheDir } from "./data_dir.ts";
import { buildNist36, NIST36_MANIFEST, resolveUnipenDir } from "./builders/mod.ts";
import { loadNist36, type Nist36Split } from "./nist36.ts";

/** Which UNIPEN-built NIST36 set: the assignment's balanced sizes, or every usable sample. */
export type Nist36Samples = "balanced" | "all";

/** Options of {@linkcode ensureNist36} and {@linkcode loadNist36Source}. */
export interface Nist36SourceOptions {
  /** A folder holding the real nist36_{train,valid,test}.mat; when set, nothing is built. */
  nist36Dir?: string;
  /** Data directory holding unipen-train_r01_v07 (default: `resolveDataDir`). */
  dataDir?: string;
  /** Cache directory for the built set (default: `resolveCacheDir`). */
  cacheDir?: string;
  /** Which built set (default "balanced"). */
  samples?: Nist36Samples;
}

/** Where a NIST36 set is and what it is. */
export interface Nist36Location {
  /** Folder of the three MAT-files. */
  dir: string;
  /** "nist36" for user-supplied files, "unipen" for a built set. */
  origin: "nist36" | "unipen";
}

/** The three splits as tensors, plus where they came from. */
export interface Nist36Data extends Nist36Location {
  /** Training split. */
  train: Nist36Split;
  /** Validation split. */
  valid: Nist36Split;
  /** Test split. */
  test: Nist36Split;
}

/** Cache folder of each built set (names kept from 0.1 so existing caches are reused). */
const CACHE_FOLDERS: Record<Nist36Samples, string> = {
  balanced: "nist36",
  all: "nist36_all_seed0",
};

/**
 * The folder of the NIST36 files to use: `options.nist36Dir` as given, or the
 * built set in the cache, built from UNIPEN first if its manifest is missing.
 */
export async function ensureNist36(options: Nist36SourceOptions = {}): Promise<Nist36Location> {
  if (options.nist36Dir) return { dir: options.nist36Dir, origin: "nist36" };
  const samples = options.samples ?? "balanced";
  const cache = await resolveCacheDir({ cacheDir: options.cacheDir });
  const dir = `${cache}/${CACHE_FOLDERS[samples]}`;
  const built = await Deno.stat(`${dir}/${NIST36_MANIFEST}`).then(() => true, () => false);
  if (!built) {
    const unipenDir = await resolveUnipenDir({ dataDir: options.dataDir });
    await buildNist36({
      unipenDir,
      outDir: dir,
      seed: 0,
      ...(samples === "all" ? { perClass: "all" } : {}),
    });
  }
  return { dir, origin: "unipen" };
}

/** {@linkcode ensureNist36}, then all three splits read with `loadNist36`. */
export async function loadNist36Source(options: Nist36SourceOptions = {}): Promise<Nist36Data> {
  const location = await ensureNist36(options);
  return { ...(await loadNist36(location.dir)), ...location };
}

/** One sentence saying where the data came from, for reports. */
export function describeNist36Source(data: Nist36Location): string {
  return data.origin === "nist36"
    ? `NIST36 MAT-files from ${data.dir}.`
    : `UNIPEN-built NIST36-format set (writer-disjoint splits) from ${data.dir}.`;
}
