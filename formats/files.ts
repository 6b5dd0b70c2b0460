/**
 * File helpers shared by every reader and writer: atomic writes (a crash or a
 * full disk never leaves a half-written file under the real name) and size
 * checks before reading.
 *
 * @module
 */

import { FormatError, InklingError } from "../autograd/errors.ts";

/** Temp-file names of {@linkcode writeFileAtomic}: `<name>.<pid>.<8 hex>.tmp`. */
const TEMP_NAME = /^\.(\d+)\.[0-9a-f]{8}\.tmp$/;

/** Where /proc cannot tell whether a writer still runs, its temp file counts as stale after this. */
const STALE_TEMP_MS = 60 * 60 * 1000;

/**
 * Writes `data` to `path` atomically: the bytes go to a temporary file in the
 * same directory, which is then renamed over `path`. Readers therefore see
 * either the old file or the complete new one. Temp files of `path` left by
 * an earlier writer that was killed mid-save are removed first.
 */
export async function writeFileAtomic(path: string, data: Uint8Array): Promise<void> {
  await removeStaleTemps(path);
  const tmp = `${path}.${Deno.pid}.${crypto.randomUUID().slice(0, 8)}.tmp`;
  try {
    await Deno.writeFile(tmp, data);
    await Deno.rename(tmp, path);
  } catch (error) {
    await Deno.remove(tmp).catch(() => {});
    throw error;
  }
}

/**
 * Removes `<path>.<pid>.<hex>.tmp` files whose writer is gone: on Linux a
 * pid without a /proc entry, elsewhere a file older than an hour. Best
 * effort: a folder that cannot be listed is left alone.
 */
async function removeStaleTemps(path: string): Promise<void> {
  const slash = path.lastIndexOf("/");
  const dir = slash < 0 ? "." : path.slice(0, slash) || "/";
  const base = path.slice(slash + 1);
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (!entry.isFile || !entry.name.startsWith(base)) continue;
      const pid = TEMP_NAME.exec(entry.name.slice(base.length))?.[1];
      if (pid === undefined || Number(pid) === Deno.pid) continue;
      const temp = `${dir}/${entry.name}`;
      if (await writerRunning(Number(pid), temp)) continue;
      await Deno.remove(temp).catch(() => {});
    }
  } catch {
    // Not listable (permissions, a path under a file): the write itself will say what is wrong.
  }
}

async function writerRunning(pid: number, temp: string): Promise<boolean> {
  if (Deno.build.os === "linux") {
    return await Deno.stat(`/proc/${pid}`).then(() => true, () => false);
  }
  const modified = (await Deno.stat(temp)).mtime?.getTime() ?? Date.now();
  return Date.now() - modified < STALE_TEMP_MS;
}

/**
 * Reads a whole file, refusing (with a {@linkcode FormatError} naming the file)
 * one larger than `maxBytes`, so a wrong path never triggers a huge allocation.
 */
export async function readFileLimited(
  path: string,
  options: { maxBytes?: number; what?: string } = {},
): Promise<Uint8Array> {
  const maxBytes = options.maxBytes ?? 2 ** 31;
  const info = await Deno.stat(path).catch((error) => {
    throw new FormatError(`${path}: cannot read ${options.what ?? "file"} (${osReason(error)})`);
  });
  if (!info.isFile) throw new FormatError(`${path}: not a regular file`);
  if (info.size > maxBytes) {
    throw new FormatError(
      `${path}: ${info.size} bytes is more than the ${maxBytes} allowed for ${
        options.what ?? "this file"
      }`,
    );
  }
  return await Deno.readFile(path);
}

/** What went wrong in an operating-system error, without the path it repeats. */
function osReason(error: unknown): string {
  if (error instanceof Deno.errors.NotFound) return "not found";
  if (error instanceof Deno.errors.PermissionDenied) return "permission denied";
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/: [a-z]+ '.*'$/, "").slice(0, 120);
}

/**
 * Checks that `dir` is, or can be made, a folder this process can write in,
 * without creating anything: the folder itself or its nearest existing
 * ancestor must be a folder that takes a (removed at once) probe file.
 * Commands call it before long work whose results go there, so a wrong
 * `--out` fails at once instead of after training. The error
 * ({@linkcode InklingError}) names `what` (e.g. "--out") and the folder.
 */
export async function checkWritableDir(
  dir: string,
  options: { what?: string } = {},
): Promise<void> {
  const fail = (problem: string) =>
    new InklingError(`${options.what ? `${options.what} ` : ""}${dir}: ${problem}`);
  // Only a missing path is walked up from: any other failure (no permission, …) is the answer.
  const stat = (path: string) =>
    Deno.stat(path).catch((error) => {
      if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory) {
        return null; // missing, or under a file: the walk up finds the file
      }
      throw fail(`cannot use ${path === dir ? "this folder" : path} (${osReason(error)})`);
    });
  let existing = dir.replace(/\/+$/, "") || "/";
  let info = await stat(existing);
  while (!info) {
    const slash = existing.lastIndexOf("/");
    existing = slash < 0 ? "." : existing.slice(0, slash) || "/";
    info = await stat(existing);
  }
  if (!info.isDirectory) {
    throw fail(
      existing === dir ? "is a file, not a folder" : `${existing} is a file, not a folder`,
    );
  }
  const probe = `${existing}/.inkling-write-check.${Deno.pid}.${crypto.randomUUID().slice(0, 8)}`;
  try {
    await Deno.writeFile(probe, new Uint8Array(0), { createNew: true });
  } catch (error) {
    throw fail(
      `cannot write in ${existing === dir ? "this folder" : existing} (${osReason(error)})`,
    );
  }
  await Deno.remove(probe).catch(() => {});
}
