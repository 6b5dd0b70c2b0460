/**
 * Where Inkling finds its data sets and keeps its cache. The data directory
 * comes from the caller, else `INKLING_DATA_DIR`, else `../shared/data` next
 * to the working directory (the layout of the project's checkout); the cache
 * directory from the caller, else `INKLING_CACHE_DIR`, else
 * `$XDG_CACHE_HOME/inkling`, else `~/.cache/inkling`, and is created when
 * first asked for.
 *
 * @module
 */

import { optionalEnv } from "../formats/environment.ts";
import { InklingError } from "../autograd/errors.ts";
import { SOURCES } from "./sources.ts";

/** The environment variable naming the data directory. */
export const DATA_DIR_ENV = "INKLING_DATA_DIR";
/** The environment variable naming the cache directory. */
export const CACHE_DIR_ENV = "INKLING_CACHE_DIR";

const HOW_TO_GET_DATA = "The data directory holds one folder per data set: mnist/ with " +
  "train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and " +
  "t10k-labels-idx1-ubyte.gz (MNIST by LeCun, Cortes and Burges, e.g. from torchvision's mirror " +
  "https://ossci-datasets.s3.amazonaws.com/mnist/), emnist-<name>/ with the EMNIST IDX files " +
  "and emnist-<name>-mapping.txt (https://www.nist.gov/itl/products-and-services/emnist-dataset), " +
  "unipen-train_r01_v07/, flowers17/; `npx deno task data get <name>` fetches one " +
  `(${Object.keys(SOURCES).join(", ")}).`;

/** The one-line hint a task gives when the data set `name` is missing. */
export function missingDataHint(name: string): string {
  return `run \`npx deno task data get ${name}\`, or point --data-dir or ${DATA_DIR_ENV} at a ` +
    "data directory that has it";
}

/**
 * The absolute path of the data directory: `options.dataDir`, else
 * `$INKLING_DATA_DIR`, else `../shared/data` relative to the working
 * directory if it exists. Throws an {@linkcode InklingError} saying how to
 * point at the data (and what it should hold) when none applies or the chosen
 * directory does not exist.
 */
export async function resolveDataDir(options: { dataDir?: string } = {}): Promise<string> {
  const chosen = options.dataDir !== undefined
    ? { dir: options.dataDir, from: "the dataDir option" }
    : optionalEnv(DATA_DIR_ENV) !== undefined
    ? { dir: optionalEnv(DATA_DIR_ENV)!, from: `$${DATA_DIR_ENV}` }
    : undefined;
  if (chosen !== undefined) {
    const dir = absolute(chosen.dir);
    if (!(await isDirectory(dir))) {
      throw new InklingError(
        `data directory ${dir} (from ${chosen.from}) does not exist or is not a directory. ${HOW_TO_GET_DATA}`,
      );
    }
    return dir;
  }
  const fallback = absolute("../shared/data");
  if (await isDirectory(fallback)) return fallback;
  throw new InklingError(
    `no data directory: pass { dataDir }, set ${DATA_DIR_ENV}=/path/to/data, or run from a checkout ` +
      `with ../shared/data (looked for ${fallback}). ${HOW_TO_GET_DATA}`,
  );
}

/**
 * The absolute path of the cache directory, created (with parents) if
 * missing: `options.cacheDir`, else `$INKLING_CACHE_DIR`, else
 * `$XDG_CACHE_HOME/inkling`, else `$HOME/.cache/inkling`.
 */
export async function resolveCacheDir(options: { cacheDir?: string } = {}): Promise<string> {
  const xdg = optionalEnv("XDG_CACHE_HOME");
  const home = optionalEnv("HOME") ?? optionalEnv("USERPROFILE");
  const chosen = options.cacheDir ?? optionalEnv(CACHE_DIR_ENV) ??
    (xdg !== undefined
      ? `${xdg}/inkling`
      : home !== undefined
      ? `${home}/.cache/inkling`
      : undefined);
  if (chosen === undefined) {
    throw new InklingError(
      `no cache directory: pass { cacheDir } or set ${CACHE_DIR_ENV} (neither XDG_CACHE_HOME nor HOME is set)`,
    );
  }
  const dir = absolute(chosen);
  await Deno.mkdir(dir, { recursive: true }).catch((error) => {
    throw new InklingError(`cannot create cache directory ${dir}: ${error.message}`);
  });
  return dir;
}

function absolute(path: string): string {
  if (path.startsWith("/") || /^[A-Za-z]:[\\/]/.test(path)) return normalize(path);
  return normalize(`${Deno.cwd()}/${path}`);
}

/** Removes `.` and `..` segments and doubled slashes (no symlink resolution). */
function normalize(path: string): string {
  const [root, ...rest] = path.replaceAll("\\", "/").split("/");
  const parts: string[] = [];
  for (const part of rest) {
    if (part === "" || part === ".") continue;
    if (part === "..") parts.pop();
    else parts.push(part);
  }
  return `${root}/${parts.join("/")}`;
}

async function isDirectory(path: string): Promise<boolean> {
  const info = await Deno.stat(path).catch(() => undefined);
  return info?.isDirectory ?? false;
}
