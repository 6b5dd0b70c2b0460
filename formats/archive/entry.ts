/**
 * What the archive readers yield: one member at a time, its body as a stream
 * of byte pieces, and the path checks that keep a member inside the folder it
 * is unpacked into.
 *
 * @module
 */

import { FormatError } from "../../autograd/errors.ts";

/** One member of a tar or zip archive. */
export interface ArchiveEntry {
  /** Path inside the archive, `/`-separated, without `./` or a trailing `/`. */
  readonly path: string;
  /** Regular file, directory, or anything else (links, devices: never extracted). */
  readonly type: "file" | "directory" | "other";
  /** Size of the (uncompressed) body in bytes. */
  readonly size: number;
  /**
   * The body in pieces. Read it before asking for the next entry or leave it
   * unread (it is then skipped); each piece is valid until the next one.
   */
  readonly body: () => AsyncIterable<Uint8Array>;
}

/**
 * The segments of member path `path` (empty for the folder itself, e.g. `.`
 * or `./`), with `.` and empty segments dropped. Absolute paths, drive
 * letters and `..` segments (a member must not land outside the extraction
 * folder) and NUL bytes (the file system would cut the name there) are a
 * {@linkcode FormatError} naming `what`.
 */
export function memberSegments(path: string, what: string): string[] {
  if (path.includes("\0")) {
    throw new FormatError(`${what}: member path ${JSON.stringify(path)} contains a NUL byte`);
  }
  const parts = path.replaceAll("\\", "/").split("/").filter((part) => part !== "" && part !== ".");
  if (path.startsWith("/") || /^[A-Za-z]:/.test(path) || parts.includes("..")) {
    throw new FormatError(`${what}: member path "${path}" points outside the archive folder`);
  }
  return parts;
}

/**
 * `path` made relative and checked as in {@linkcode memberSegments}; a path
 * naming the folder itself (`.`, `./`, ``) is refused too, since no file can
 * be written there.
 */
export function safeMemberPath(path: string, what: string): string {
  const parts = memberSegments(path, what);
  if (parts.length === 0) {
    // Readers strip "./", so a member "./" arrives as "".
    throw new FormatError(
      `${what}: member path "${path || "./"}" names the archive folder itself`,
    );
  }
  return parts.join("/");
}

/**
 * The kinds of the members seen so far, to refuse an archive that contradicts
 * itself: a member below a file or a link (`a` then `a/b`; a symlink `link`
 * then `link/x`, the classic way to write through a link), a file where a
 * folder was (or implied), or the same member twice.
 */
export class MemberTree {
  #kinds = new Map<string, ArchiveEntry["type"]>();
  #what: string;

  /** `what` names the archive in error messages. */
  constructor(what: string) {
    this.#what = what;
  }

  /**
   * Records `entry` and returns its checked path, or `undefined` for a
   * directory entry naming the folder itself (the `./` that `tar -C dir .`
   * writes first). Throws a {@linkcode FormatError} as described above.
   */
  add(entry: ArchiveEntry): string | undefined {
    const parts = memberSegments(entry.path, this.#what);
    if (parts.length === 0 && entry.type === "directory") return undefined;
    const path = safeMemberPath(entry.path, this.#what);
    for (let i = 1; i < parts.length; i++) {
      const folder = parts.slice(0, i).join("/");
      const kind = this.#kinds.get(folder);
      if (kind === undefined) this.#kinds.set(folder, "directory");
      else if (kind !== "directory") {
        throw new FormatError(
          `${this.#what}: member ${path} lies below ${folder}, which is ${
            kind === "file" ? "a file" : "a link or special file"
          } in the archive`,
        );
      }
    }
    const before = this.#kinds.get(path);
    if (before === undefined) this.#kinds.set(path, entry.type);
    else if (before === "directory" && entry.type !== "directory") {
      throw new FormatError(`${this.#what}: member ${path} is also a folder in the archive`);
    } else if (before !== "directory") {
      throw new FormatError(`${this.#what}: member ${path} appears twice in the archive`);
    }
    return path;
  }
}
