/**
 * Command-line plumbing shared by the tasks (train, ocr, ocr:eval,
 * compress, …): flag parsing with `--help`, number flags with clear errors,
 * and one rule for failures — a single `error: …` line on stderr, exit code
 * 2 for bad usage and 1 for anything else, never a stack trace.
 *
 * @module
 */

import { parseArgs, type ParseArgsConfig } from "node:util";
import { InklingError } from "../autograd/errors.ts";

/** Where a command writes (the console by default; tests capture it). */
export interface CommandOutput {
  /** Receives stdout lines. */
  stdout: (line: string) => void;
  /** Receives stderr lines. */
  stderr: (line: string) => void;
}

/** Writes to the console. */
export const CONSOLE_OUTPUT: CommandOutput = {
  stdout: (line) => console.log(line),
  stderr: (line) => console.error(line),
};

/** Bad usage (wrong positionals, contradictory flags): exit code 2 and a pointer to --help. */
export class UsageError extends InklingError {}

/** The flags a command accepts, as `node:util` parseArgs describes them. */
export type FlagSpec = NonNullable<ParseArgsConfig["options"]>;

type Parsed<F extends FlagSpec> = ReturnType<
  typeof parseArgs<{ options: F; allowPositionals: true }>
>;

/** What {@linkcode runCommand} needs to know about a command. */
export interface CommandSpec<F extends FlagSpec> {
  /** Text printed by `--help`. */
  usage: string;
  /** Accepted flags (`--help`/`-h` is added). */
  flags: F;
  /** Where to write (default the console). */
  output?: CommandOutput;
}

/**
 * Parses `args`, answers `--help`, runs `body` and turns any failure into one
 * stderr line and an exit code. `body` returns the exit code (default 0).
 */
export async function runCommand<F extends FlagSpec>(
  args: string[],
  spec: CommandSpec<F>,
  body: (parsed: Parsed<F>, output: CommandOutput) => Promise<number | void>,
): Promise<number> {
  const output = spec.output ?? CONSOLE_OUTPUT;
  let parsed: Parsed<F>;
  try {
    const options = { ...spec.flags, help: { type: "boolean", short: "h" } } as F;
    parsed = parseArgs({ args, options, allowPositionals: true }) as Parsed<F>;
  } catch (error) {
    output.stderr(`error: ${(error as Error).message} (see --help)`);
    return 2;
  }
  if ((parsed.values as { help?: boolean }).help) {
    output.stdout(spec.usage);
    return 0;
  }
  try {
    return (await body(parsed, output)) ?? 0;
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).split("\n")[0];
    if (error instanceof UsageError) {
      output.stderr(`error: ${message} (see --help)`);
      return 2;
    }
    const note = error instanceof InklingError
      ? ""
      : " (unexpected; please report it with the command you ran)";
    output.stderr(`error: ${message}${note}`);
    return 1;
  }
}

/** Reads a non-negative number flag (`fallback` when absent); `integer` demands a whole number. */
export function numberFlag(
  value: unknown,
  name: string,
  options: { fallback: number; integer?: boolean },
): number {
  if (value === undefined) return options.fallback;
  const n = Number(value);
  if (
    typeof value !== "string" || !Number.isFinite(n) || n < 0 ||
    (options.integer && !Number.isInteger(n))
  ) {
    const kind = options.integer ? "a non-negative integer" : "a non-negative number";
    throw new InklingError(`--${name} needs ${kind}, got "${value}"`);
  }
  return n;
}
