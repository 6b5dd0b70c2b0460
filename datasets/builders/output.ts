/**
 * Where built data sets go and how they are written: by default a folder of
 * the cache directory (`resolveCacheDir()`, i.e. `$INKLING_CACHE_DIR`, else
 * `$XDG_CACHE_HOME/inkling`, else `~/.cache/inkling`), never a folder inside
 * a git work tree (generated data does not belong in a repository). Every
 * file is written atomically and its SHA-256 recorded in a JSON manifest
 * written last, so a manifest always describes complete files.
 *
 * @module
 */

import { dirname, resolve } from "node:path";
import { InklingError } from "../../autograd/errors.ts";
import { resolveCacheDir } from "../data_dir.ts";
import { writeFileAtomic } from "../../formats/files.ts";

/** One output file. */
export interface OutputFile {
  /** File name inside the output folder. */
  readonly name: string;
  /** Its contents. */
  readonly bytes: Uint8Array;
}

/** What a builder returns. */
export interface BuiltDataset<S extends string> {
  /** The absolute output folder. */
  readonly outDir: string;
  /** Path of the JSON manifest. */
  readonly manifestPath: string;
  /** Every data file written (name → size and SHA-256), as in the manifest. */
  readonly files: Readonly<Record<string, WrittenFile>>;
  /** Samples per split. */
  readonly samples: Readonly<Record<S, number>>;
}

/** Size and digest of a written file. */
export interface WrittenFile {
  /** Size in bytes. */
  readonly bytes: number;
  /** Lower-case hex SHA-256. */
  readonly sha256: string;
}

/**
 * The absolute output folder, created if missing: `outDir`, else
 * `<cache dir>/<name>`. Throws an {@linkcode InklingError} when the folder
 * lies inside a git work tree.
 */
export async function resolveOutputDir(outDir: string | undefined, name: string): Promise<string> {
  const dir = resolve(outDir ?? `${await resolveCacheDir()}/${name}`);
  for (let at = dir;; at = dirname(at)) {
    if (await Deno.stat(`${at}/.git`).catch(() => undefined)) {
      throw new InklingError(
        `${dir} is inside the git work tree ${at}; write built data sets outside the repository ` +
          "(pass another output folder or set INKLING_CACHE_DIR)",
      );
    }
    if (dirname(at) === at) break;
  }
  await Deno.mkdir(dir, { recursive: true }).catch((error) => {
    throw new InklingError(`cannot create output folder ${dir}: ${error.message}`);
  });
  return dir;
}

/**
 * Writes `files` into `dir`, then `manifestName` holding `manifest` plus a
 * `files` entry (name → bytes and SHA-256 of every file). Returns that entry.
 */
export async function writeWithManifest(
  dir: string,
  files: readonly OutputFile[],
  manifest: { readonly name: string; readonly body: Readonly<Record<string, unknown>> },
): Promise<Record<string, WrittenFile>> {
  const written: Record<string, WrittenFile> = {};
  for (const file of files) {
    await writeFileAtomic(`${dir}/${file.name}`, file.bytes);
    written[file.name] = { bytes: file.bytes.length, sha256: await sha256Hex(file.bytes) };
  }
  const text = JSON.stringify({ ...manifest.body, files: written }, null, 2) + "\n";
  await writeFileAtomic(`${dir}/${manifest.name}`, new TextEncoder().encode(text));
  return written;
}

/** Lower-case hex SHA-256 of `bytes`. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}
