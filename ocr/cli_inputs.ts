/**
 * The inputs of `deno task ocr PATH...`: each path is an image file, a
 * folder (its `.png`, `.jpg` and `.jpeg` files, any letter case, sorted by
 * name, not its subfolders) or `-` for an image read from stdin. Relative
 * paths are taken from the caller's directory: `deno task` runs commands in
 * the directory of `deno.json` but passes the caller's in `INIT_CWD`. Every
 * input keeps the name the user gave it (a folder's files are named
 * `FOLDER/FILE`), and errors name that, never the resolved path.
 *
 * @module
 */

import { FormatError, InklingError } from "../autograd/errors.ts";
import { readStreamLimited } from "../formats/byte_source.ts";
import { readFileLimited } from "../formats/files.ts";
import { decodePhoto, type Photo } from "./image_input.ts";
import { isAbsolute, join } from "node:path";

/** File endings read from a folder (compared in lower case). */
export const IMAGE_EXTENSIONS: readonly string[] = [".png", ".jpg", ".jpeg"];

/** Largest image accepted, from a file or stdin (bytes): 100 megapixels of PNG can be this big. */
const MAX_IMAGE_BYTES = 1 << 30;

/** One image to read, or an argument that could not be expanded. */
export interface CliInput {
  /** The name errors and outputs use: the path as given, `FOLDER/FILE`, or "stdin". */
  name: string;
  /** Where the file is (absent for stdin and for failures). */
  path?: string;
  /** Read from stdin. */
  stdin?: boolean;
  /** Listed from a folder argument. */
  fromFolder?: boolean;
  /** Why the argument gave no image (an unreadable or empty folder). */
  error?: string;
}

/**
 * The directory relative paths are taken from: `INIT_CWD` when set (the
 * caller's directory under `deno task`), else the process's own. `deno task`
 * keeps an `INIT_CWD` it inherits; `npx` sets it to the caller's directory
 * too, so `npx deno task ocr` gets the same answer.
 */
export function callerDirectory(env: (name: string) => string | undefined = envVar): string {
  const init = env("INIT_CWD");
  return init !== undefined && init !== "" ? init : Deno.cwd();
}

/** Reads an environment variable, as undefined when the permission is missing. */
function envVar(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}

/**
 * `path` taken from `base`. Left as given when it is absolute or `base` is
 * the process's own directory, so messages show the path the user typed.
 */
export function resolveFrom(base: string, path: string): string {
  return isAbsolute(path) || base === Deno.cwd() ? path : join(base, path);
}

/** Options of {@linkcode expandInputs}. */
export interface ExpandOptions {
  /** The directory relative paths are taken from (default {@linkcode callerDirectory}). */
  cwd?: string;
}

/**
 * The images named by `args`, in order; a folder gives its image files
 * sorted by name (by code point, so the order is the same on any machine).
 * A path that is not a folder is taken as a file (reading it says what is
 * wrong with it); a folder that cannot be listed or holds no image is an
 * input with an `error`.
 */
export async function expandInputs(
  args: readonly string[],
  options: ExpandOptions = {},
): Promise<CliInput[]> {
  const cwd = options.cwd ?? callerDirectory();
  const inputs: CliInput[] = [];
  for (const arg of args) {
    if (arg === "-") {
      inputs.push({ name: "stdin", stdin: true });
      continue;
    }
    const path = resolveFrom(cwd, arg);
    const info = await Deno.stat(path).catch(() => undefined);
    if (!info?.isDirectory) {
      inputs.push({ name: arg, path });
      continue;
    }
    try {
      const files = await folderImages(path);
      if (files.length === 0) {
        const kinds = IMAGE_EXTENSIONS.join(", ");
        inputs.push({ name: arg, error: `${arg}: the folder holds no ${kinds} file` });
      }
      // Keep the user's spelling of the folder: "scans/" gives "scans/a.png", not "scans//a.png".
      const prefix = arg.replace(/\/+$/, "");
      for (const file of files) {
        inputs.push({ name: `${prefix}/${file}`, path: join(path, file), fromFolder: true });
      }
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      inputs.push({ name: arg, error: `${arg}: cannot list the folder (${reason})` });
    }
  }
  return inputs;
}

/** Names of the image files directly in `folder` (symbolic links to files count), sorted. */
async function folderImages(folder: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(folder)) {
    const lower = entry.name.toLowerCase();
    if (!IMAGE_EXTENSIONS.some((ext) => lower.endsWith(ext))) continue;
    const isFile = entry.isFile ||
      (entry.isSymlink &&
        (await Deno.stat(join(folder, entry.name)).catch(() => undefined))?.isFile === true);
    if (isFile) names.push(entry.name);
  }
  return names.sort((a, b) => a < b ? -1 : a > b ? 1 : 0);
}

/** Options of {@linkcode readInputImage}. */
export interface ReadInputOptions {
  /** Where `-` reads from (default the process's stdin). */
  stdin?: ReadableStream<Uint8Array>;
}

/**
 * Reads and decodes one input. Every error names the input as the user gave
 * it (see {@linkcode CliInput.name}).
 */
export async function readInputImage(
  input: CliInput,
  options: ReadInputOptions = {},
): Promise<Photo> {
  if (input.error !== undefined) throw new InklingError(input.error);
  let bytes: Uint8Array;
  if (input.stdin) {
    bytes = await readStreamLimited(options.stdin ?? Deno.stdin.readable, {
      maxBytes: MAX_IMAGE_BYTES,
      name: input.name,
      what: "an image",
    });
  } else {
    const path = input.path ?? input.name;
    bytes = await readFileLimited(path, { maxBytes: MAX_IMAGE_BYTES, what: "an image" })
      .catch((error) => {
        // The reader names the resolved path; the user knows the input by the name given.
        if (error instanceof FormatError && error.message.startsWith(`${path}: `)) {
          throw new FormatError(`${input.name}: ${error.message.slice(path.length + 2)}`);
        }
        throw error;
      });
  }
  return decodePhoto(bytes, { name: input.name });
}
