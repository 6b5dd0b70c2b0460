/**
 * `deno task data`: builds data sets from UNIPEN and fetches published ones.
 * This file only parses the command line and calls the library; any
 * expected failure (bad usage, a bad file, a failed download) ends in one
 * `error:` line and a non-zero exit code, never a stack trace.
 *
 * @module
 */

import { InklingError } from "../autograd/errors.ts";
import { resolveDataDir } from "./data_dir.ts";
import { download } from "./download.ts";
import { buildEmnistBalanced, buildNist36, resolveUnipenDir } from "./builders/mod.ts";
import type { BuiltDataset } from "./builders/mod.ts";

const USAGE = `Usage: deno task data <command> [options]

Commands:
  build nist36            Render NIST36 (nist36_{train,valid,test}.mat) from UNIPEN
  build emnist-balanced   Render EMNIST Balanced IDX files from UNIPEN
  get <name>              Download a data set into the data directory and verify it

Options of build:
  --out DIR    Output folder (default: <cache dir>/<name>; the cache dir is
               $INKLING_CACHE_DIR, else $XDG_CACHE_HOME/inkling, else ~/.cache/inkling)
  --seed N     Seed of the writer split, sampling and pen widths (default 0)
  --all        Use every usable sample instead of a balanced subset
  --data DIR   Data directory holding unipen-train_r01_v07/ (default $INKLING_DATA_DIR,
               else ../shared/data)

Options of get:
  --from DIR   Local mirror folder or base URL to fetch from instead of the official URLs
  --data DIR   Data directory to fill (default $INKLING_DATA_DIR, else ../shared/data)
  --force      Download again even if the files are there

  -h, --help   Show this help`;

/** Bad command line: reported with a hint to `--help`, exit code 2. */
class UsageError extends Error {}

/** Where {@linkcode main} writes. */
export interface CliOutput {
  /** Normal output (default `console.log`). */
  log?: (line: string) => void;
  /** Error output (default `console.error`). */
  error?: (line: string) => void;
}

/**
 * Runs the command line `args` and returns the exit code: 0 on success, 1
 * when the command fails, 2 on bad usage.
 */
export async function main(args: readonly string[], output: CliOutput = {}): Promise<number> {
  const log = output.log ?? console.log;
  const error = output.error ?? console.error;
  try {
    const { positionals, flags } = parseFlags(args);
    if (flags.help || positionals.length === 0) {
      log(USAGE);
      return positionals.length === 0 && !flags.help ? 2 : 0;
    }
    const [command, name, ...extra] = positionals;
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    if (command === "build") await build(name, flags, log);
    else if (command === "get") await get(name, flags, log);
    else throw new UsageError(`unknown command "${command}"`);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      error(`error: ${e.message} (see --help)`);
      return 2;
    }
    if (e instanceof InklingError || isSystemError(e)) {
      error(`error: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

/** An operating-system failure (permission denied, disk full, …): its message says it all. */
function isSystemError(e: unknown): e is Error {
  return Object.values(Deno.errors).some((kind) => e instanceof kind);
}

interface Flags {
  out?: string;
  seed?: string;
  data?: string;
  from?: string;
  all?: boolean;
  force?: boolean;
  help?: boolean;
}

const VALUE_FLAGS = new Set(["out", "seed", "data", "from"]);
const SWITCHES = new Set(["all", "force", "help"]);

/** `--name value`, `--name=value` and switches; everything else is positional. */
function parseFlags(args: readonly string[]): { positionals: string[]; flags: Flags } {
  const positionals: string[] = [];
  const flags: Record<string, string | boolean> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] === "-h" ? "--help" : args[i];
    if (!arg.startsWith("--")) {
      positionals.push(arg);
      continue;
    }
    const [key, inline] = arg.slice(2).split(/=(.*)/s, 2);
    if (SWITCHES.has(key) && inline === undefined) {
      flags[key] = true;
    } else if (VALUE_FLAGS.has(key)) {
      const value = inline ?? args[++i];
      if (value === undefined || value === "") throw new UsageError(`--${key} needs a value`);
      flags[key] = value;
    } else {
      throw new UsageError(`unknown option "${arg}"`);
    }
  }
  return { positionals, flags: flags as Flags };
}

function allowOnly(flags: Flags, allowed: readonly (keyof Flags)[], command: string): void {
  for (const key of Object.keys(flags) as (keyof Flags)[]) {
    if (!allowed.includes(key)) throw new UsageError(`${command} does not take --${key}`);
  }
}

async function build(name: string | undefined, flags: Flags, log: (line: string) => void) {
  allowOnly(flags, ["out", "seed", "all", "data"], "build");
  const seed = flags.seed === undefined ? 0 : Number(flags.seed);
  if (!/^\d+$/.test(flags.seed ?? "0") || seed >= 2 ** 32) {
    throw new UsageError(`--seed must be an integer in [0, 2^32), got "${flags.seed}"`);
  }
  const builders = { "nist36": buildNist36, "emnist-balanced": buildEmnistBalanced };
  if (name === undefined || !Object.hasOwn(builders, name)) {
    throw new UsageError(
      `build needs a data set: ${Object.keys(builders).join(" or ")}${
        name === undefined ? "" : ` (got "${name}")`
      }`,
    );
  }
  const started = performance.now();
  const built: BuiltDataset<string> = await builders[name as keyof typeof builders]({
    unipenDir: await resolveUnipenDir({ dataDir: flags.data }),
    outDir: flags.out,
    seed,
    ...(flags.all ? { perClass: "all" } : {}),
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const counts = Object.entries(built.samples).map(([s, n]) => `${s} ${n}`).join(", ");
  log(`${name}: built ${counts} glyphs in ${seconds} s into ${built.outDir}`);
  for (const [file, info] of Object.entries(built.files)) {
    log(`  ${file}  ${info.bytes} bytes  sha256 ${info.sha256}`);
  }
  log(`  manifest: ${built.manifestPath}`);
}

async function get(name: string | undefined, flags: Flags, log: (line: string) => void) {
  allowOnly(flags, ["from", "data", "force"], "get");
  if (name === undefined) throw new UsageError("get needs a data set name");
  const dataDir = flags.data ?? await resolveDataDir();
  const result = await download(name, { dataDir, from: flags.from, force: flags.force });
  log(
    result.skipped
      ? `${result.name}: already present in ${result.dir} (use --force to fetch again)`
      : `${result.name}: wrote ${result.files.length} files into ${result.dir}`,
  );
}

if (import.meta.main) Deno.exit(await main(Deno.args));
