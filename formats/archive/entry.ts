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
 * `path` made relative and checked: no absolute paths, drive letters or `..`
 * segments (a member must not land outside the extraction folder).
 */
export function safeMemberPath(path: string, what: string): string {
  const parts = path.replaceAll("\\", "/").split("/").filter((part) => part !== "" && part !== ".");
  if (path.startsWith("/") || /^[A-Za-z]:/.test(path) || parts.includes("..")) {
    throw new FormatError(`${what}: member path "${path}" points outside the archive folder`);
  }
  return parts.join("/");
}
