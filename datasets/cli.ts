/**
 * `deno task data`: builds data sets from UNIPEN and fetches published ones.
 * This file only parses the command line (through the shared helper, so bad
 * usage, a bad file or a failed download ends in one `error:` line and exit
 * code 2 or 1, never a stack trace) and calls the library.
 *
 * @module
 */

import { excerpt } from "../autograd/errors.ts";
import { checkWritableDir } from "../formats/files.ts";
import { type CommandOutput, numberFlag, runCommand, UsageError } from "../tools/command_line.ts";
import { resolveDataDir } from "./data_dir.ts";
import { download } from "./download.ts";
import { SOURCES } from "./sources.ts";
import { buildEmnistBalanced, buildNist36, resolveUnipenDir } from "./builders/mod.ts";
import type { BuiltDataset } from "./builders/mod.ts";

const BUILDERS = { "nist36": buildNist36, "emnist-balanced": buildEmnistBalanced };

const USAGE = `usage: deno task data <command> [options]

Commands:
  build nist36            Render NIST36 (nist36_{train,valid,test}.mat) from UNIPEN
  build emnist-balanced   Render EMNIST Balanced IDX files from UNIPEN
  get <name>              Download a data set into the data directory and verify it;
                          <name> is one of: ${Object.keys(SOURCES).join(", ")}

Options of build:
  --out DIR        Output folder (default: <cache dir>/<name>; the cache dir is
                   $INKLING_CACHE_DIR, else $XDG_CACHE_HOME/inkling, else ~/.cache/inkling)
  --seed N         Seed of the writer split, sampling and pen widths (default 0)
  --all            Use every usable sample instead of a balanced subset
  --data-dir DIR   Data directory holding unipen-train_r01_v07/ (default $INKLING_DATA_DIR,
                   else ../shared/data); --data is the same

Options of get:
  --from DIR       Local mirror folder or base URL to fetch from instead of the official URLs
  --data-dir DIR   Data directory to fill (default $INKLING_DATA_DIR, else ../shared/data)
  --force          Download again even if the files are there

  -h, --help       Show this help`;

const FLAGS = {
  out: { type: "string" },
  seed: { type: "string" },
  all: { type: "boolean" },
  "data-dir": { type: "string" },
  data: { type: "string" },
  from: { type: "string" },
  force: { type: "boolean" },
} as const;

type Flags = {
  [K in keyof typeof FLAGS]?: (typeof FLAGS)[K]["type"] extends "string" ? string : boolean;
};

/**
 * Runs the command line `args` and returns the exit code: 0 on success, 1
 * when the command fails, 2 on bad usage.
 */
export function main(args: string[], output?: CommandOutput): Promise<number> {
  return runCommand(args, { usage: USAGE, flags: FLAGS, output }, async (parsed, out) => {
    const [command, name, ...extra] = parsed.positionals;
    const flags: Flags = parsed.values;
    if (command === undefined) throw new UsageError("give a command: build or get");
    if (extra.length > 0) throw new UsageError(`unexpected argument ${excerpt(extra[0])}`);
    if (command === "build") await build(name, flags, out);
    else if (command === "get") await get(name, flags, out);
    else throw new UsageError(`unknown command ${excerpt(command)}`);
  });
}

function allowOnly(flags: Flags, allowed: readonly (keyof Flags)[], command: string): void {
  for (const key of Object.keys(flags) as (keyof Flags)[]) {
    if (flags[key] !== undefined && !allowed.includes(key)) {
      throw new UsageError(`${command} does not take --${key}`);
    }
  }
}

async function build(name: string | undefined, flags: Flags, out: CommandOutput) {
  allowOnly(flags, ["out", "seed", "all", "data-dir", "data"], "build");
  const seed = numberFlag(flags.seed, "seed", { fallback: 0, integer: true, max: 2 ** 32 - 1 });
  if (name === undefined || !Object.hasOwn(BUILDERS, name)) {
    throw new UsageError(
      `build needs a data set: ${Object.keys(BUILDERS).join(" or ")}${
        name === undefined ? "" : ` (got ${excerpt(name)})`
      }`,
    );
  }
  if (flags.out !== undefined) await checkWritableDir(flags.out, { what: "--out" });
  const started = performance.now();
  const built: BuiltDataset<string> = await BUILDERS[name as keyof typeof BUILDERS]({
    unipenDir: await resolveUnipenDir({ dataDir: flags["data-dir"] ?? flags.data }),
    outDir: flags.out,
    seed,
    ...(flags.all ? { perClass: "all" } : {}),
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const counts = Object.entries(built.samples).map(([s, n]) => `${s} ${n}`).join(", ");
  out.stdout(`${name}: built ${counts} glyphs in ${seconds} s into ${built.outDir}`);
  for (const [file, info] of Object.entries(built.files)) {
    out.stdout(`  ${file}  ${info.bytes} bytes  sha256 ${info.sha256}`);
  }
  out.stdout(`  manifest: ${built.manifestPath}`);
}

async function get(name: string | undefined, flags: Flags, out: CommandOutput) {
  allowOnly(flags, ["from", "data-dir", "data", "force"], "get");
  if (name === undefined) {
    throw new UsageError(`get needs a data set name: ${Object.keys(SOURCES).join(", ")}`);
  }
  const dataDir = flags["data-dir"] ?? flags.data ?? await resolveDataDir();
  const result = await download(name, { dataDir, from: flags.from, force: flags.force });
  out.stdout(
    result.skipped
      ? `${result.name}: already present in ${result.dir} (use --force to fetch again)`
      : `${result.name}: wrote ${result.files.length} files into ${result.dir}`,
  );
}

if (import.meta.main) Deno.exit(await main(Deno.args));
