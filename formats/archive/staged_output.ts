/**
 * The output side of {@linkcode extractArchive}: members are written into a
 * fresh private folder inside the output folder, and only when the whole
 * archive has been read are they moved into place. A failure at any point
 * therefore leaves the output folder as it was (files the archive would have
 * replaced are put back), and nothing is ever written through a symbolic
 * link: the private folder holds only what was created there, and every
 * component of a final path is checked with `lstat` before the move.
 *
 * @module
 */

import { dirname } from "node:path";
import { FormatError } from "../../autograd/errors.ts";

const STAGING_PREFIX = ".inkling-unpack-";

/** An output file: path relative to the output folder, and the member it comes from (for errors). */
interface Staged {
  readonly relative: string;
  readonly label: string;
}

/** Files staged for one output folder, moved there by {@linkcode StagedOutput.commit}. */
export class StagedOutput {
  readonly #outDir: string;
  readonly #staging: string;
  /** The output folder and those of its parents that were created for it, outermost first. */
  readonly #created: readonly string[];
  readonly #kinds = new Map<string, "file" | "directory">();
  readonly #files: Staged[] = [];
  #committed = false;
  #keepBackups = false;

  private constructor(
    outDir: string,
    parts: { staging: string; created: readonly string[] },
  ) {
    this.#outDir = outDir;
    this.#staging = parts.staging;
    this.#created = parts.created;
  }

  /** Creates `outDir` if needed and a private staging folder inside it. */
  static async open(outDir: string): Promise<StagedOutput> {
    const created: string[] = [];
    try {
      for (let at = outDir; (await lstatOrNull(at)) === null; at = dirname(at)) {
        created.unshift(at);
        if (dirname(at) === at) break;
      }
      for (const folder of created) await Deno.mkdir(folder);
      const staging = await Deno.makeTempDir({ dir: outDir, prefix: STAGING_PREFIX });
      await Deno.mkdir(`${staging}/files`);
      await Deno.mkdir(`${staging}/replaced`);
      return new StagedOutput(outDir, { staging, created });
    } catch (error) {
      await removeEmpty(created);
      throw error;
    }
  }

  /**
   * The staging path to write output `relative` (already checked by
   * `safeMemberPath`) to, with its folders made. `label` names the member in
   * errors. A file where an earlier output made a folder, below an earlier
   * file, or twice, is a {@linkcode FormatError}.
   */
  async create(relative: string, label: string): Promise<string> {
    const parts = relative.split("/");
    if (parts[0] === this.#staging.slice(this.#staging.lastIndexOf("/") + 1)) {
      throw new FormatError(`${label}: output path ${relative} is the unpacking folder's own`);
    }
    for (let i = 1; i < parts.length; i++) {
      const folder = parts.slice(0, i).join("/");
      const kind = this.#kinds.get(folder);
      if (kind === "file") {
        throw new FormatError(`${label}: goes to ${relative}, below the file ${folder}`);
      }
      if (kind === undefined) {
        await Deno.mkdir(`${this.#staging}/files/${folder}`);
        this.#kinds.set(folder, "directory");
      }
    }
    const before = this.#kinds.get(relative);
    if (before !== undefined) {
      throw new FormatError(
        `${label}: goes to ${relative}, which ${
          before === "file" ? "another member also goes to" : "other members need as a folder"
        }`,
      );
    }
    this.#kinds.set(relative, "file");
    this.#files.push({ relative, label });
    return `${this.#staging}/files/${relative}`;
  }

  /**
   * Moves every staged file into the output folder (replacing regular files
   * of the same name). Symbolic links or non-folders on the way, or a
   * folder or link where a file goes, are a {@linkcode FormatError} and
   * nothing is moved; a failure while moving undoes the moves made.
   */
  async commit(): Promise<void> {
    const { folders, replaced } = await this.#plan();
    const undo: (() => Promise<void>)[] = [];
    try {
      for (const folder of folders) {
        await Deno.mkdir(`${this.#outDir}/${folder}`);
        undo.push(() => Deno.remove(`${this.#outDir}/${folder}`));
      }
      for (const [index, { relative }] of this.#files.entries()) {
        const target = `${this.#outDir}/${relative}`;
        if (replaced.has(relative)) {
          const backup = `${this.#staging}/replaced/${index}`;
          await Deno.rename(target, backup);
          undo.push(() =>
            Deno.rename(backup, target).catch((error) => {
              this.#keepBackups = true; // the user's file is still in the backup: do not delete it
              throw error;
            })
          );
        }
        await Deno.rename(`${this.#staging}/files/${relative}`, target);
        undo.push(() => Deno.remove(target));
      }
    } catch (error) {
      for (const step of undo.reverse()) await step().catch(() => {});
      throw error;
    }
    this.#committed = true;
  }

  /** Removes the staging folder and, unless committed, the folders made for the output. */
  async close(): Promise<void> {
    const remove = this.#keepBackups ? `${this.#staging}/files` : this.#staging;
    await Deno.remove(remove, { recursive: true }).catch(() => {});
    if (!this.#committed) await removeEmpty(this.#created);
  }

  /** Checks every final path; returns the folders to make (outermost first) and the files to replace. */
  async #plan(): Promise<{ folders: string[]; replaced: Set<string> }> {
    const known = new Map<string, boolean>(); // folder → whether it has to be made
    const folders: string[] = [];
    const replaced = new Set<string>();
    for (const { relative, label } of this.#files) {
      const parts = relative.split("/");
      let fresh = false; // below a folder still to be made nothing exists yet
      for (let i = 1; i < parts.length; i++) {
        const folder = parts.slice(0, i).join("/");
        const make: boolean = known.get(folder) ??
          (fresh || await this.#check(folder, { label, want: "folder" }));
        if (make && !known.has(folder)) folders.push(folder);
        known.set(folder, make);
        fresh = make;
      }
      if (!fresh && !(await this.#check(relative, { label, want: "file" }))) replaced.add(relative);
    }
    return { folders, replaced };
  }

  /** True if `relative` does not exist in the output folder yet; a link or the wrong kind is an error. */
  async #check(
    relative: string,
    { label, want }: { label: string; want: "folder" | "file" },
  ): Promise<boolean> {
    const path = `${this.#outDir}/${relative}`;
    const info = await lstatOrNull(path);
    if (info === null) return true;
    if (info.isSymlink) {
      throw new FormatError(
        `${label}: ${path} is a symbolic link (nothing is unpacked through links)`,
      );
    }
    if (want === "folder" ? !info.isDirectory : !info.isFile) {
      throw new FormatError(
        `${label}: ${path} exists and is not a ${want === "folder" ? "folder" : "regular file"}`,
      );
    }
    return false;
  }
}

/** `lstat` of `path`, or null if nothing is there. */
async function lstatOrNull(path: string): Promise<Deno.FileInfo | null> {
  try {
    return await Deno.lstat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
}

/** Removes `folders` innermost first, each only if empty (so nothing of anyone else's goes). */
async function removeEmpty(folders: readonly string[]): Promise<void> {
  for (const folder of [...folders].reverse()) await Deno.remove(folder).catch(() => {});
}
