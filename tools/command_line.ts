/**
 * The command-line helper every task entry point uses (train, ocr,
 * ocr:eval, compress, data): flag parsing through `node:util`'s parseArgs
 * with `--help`, number flags with clear errors, and one rule for failures —
 * a single `error: …` line on stderr, exit code 2 for bad usage (unknown
 * flags, missing or extra arguments, flag values out of range:
 * {@linkcode UsageError}) and 1 for anything else (bad data, failed work),
 * never a stack trace. Flags are checked before any work starts.
 * Library errors (`InklingError`) and operating-system errors (permission
 * denied, disk full, …) say what is wrong in their message; anything else is
 * flagged as unexpected.
 *
 * @module
 */

import { parseArgs, type ParseArgsConfig } from "node:util";
import { excerpt, InklingError } from "../autograd/errors.ts";

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
  /** Most positional arguments accepted (default: any number); more is a usage error. */
  maxPositionals?: number;
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
    output.stderr(`error: ${oneLine(flagProblem(error as Error))} (see --help)`);
    return 2;
  }
  if ((parsed.values as { help?: boolean }).help) {
    output.stdout(spec.usage);
    return 0;
  }
  const extra = parsed.positionals[spec.maxPositionals ?? Infinity];
  if (extra !== undefined) {
    output.stderr(`error: unexpected argument ${excerpt(extra)} (see --help)`);
    return 2;
  }
  try {
    return (await body(parsed, output)) ?? 0;
  } catch (error) {
    const message = oneLine(error instanceof Error ? error.message : String(error));
    if (error instanceof UsageError) {
      output.stderr(`error: ${message} (see --help)`);
      return 2;
    }
    const expected = error instanceof InklingError || isSystemError(error);
    const note = expected ? "" : " (unexpected; please report it with the command you ran)";
    output.stderr(`error: ${message}${note}`);
    return 1;
  }
}

/** Longest error line printed; a longer message (a path of thousands of characters, …) is cut. */
const MAX_ERROR_CHARS = 500;

/** The first line of `message`, at most 500 characters (a longer one is cut with "…"). */
export function oneLine(message: string): string {
  const first = message.split("\n")[0];
  return first.length > MAX_ERROR_CHARS ? `${first.slice(0, MAX_ERROR_CHARS)}…` : first;
}

/** parseArgs's complaint in a few words: `unknown option "--x"`, `--out needs a value`. */
function flagProblem(error: Error): string {
  const option = /'(-[^' ]+)/.exec(error.message)?.[1];
  const code = (error as { code?: string }).code;
  if (option && code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    return `unknown option ${excerpt(option)}`;
  }
  if (option && / argument missing$/.test(error.message)) return `${option} needs a value`;
  if (option && / argument is ambiguous/.test(error.message)) {
    return `${option} needs a value (write ${option}=-1 for one that starts with a dash)`;
  }
  return error.message;
}

/** An operating-system failure (not found, permission denied, disk full, …): its message says it all. */
export function isSystemError(error: unknown): boolean {
  return typeof Deno === "object" &&
    Object.values(Deno.errors).some((kind) => error instanceof kind);
}

/** Limits of a number flag read by {@linkcode numberFlag}. */
export interface NumberFlagOptions {
  /** Value when the flag is absent. */
  fallback: number;
  /** Demands a whole number. */
  integer?: boolean;
  /** Smallest value allowed (default 0). */
  min?: number;
  /** Largest value allowed (default: any finite number). */
  max?: number;
  /** Refuses `min` itself: for rates that must be above zero. */
  aboveMin?: boolean;
}

/**
 * Reads a number flag (`fallback` when absent). A value that is not a finite
 * number in range is a {@linkcode UsageError} that states the range, so a
 * bad flag stops the command before any work.
 */
export function numberFlag(value: unknown, name: string, options: NumberFlagOptions): number {
  if (value === undefined) return options.fallback;
  const { integer = false, min = 0, max = Infinity, aboveMin = false } = options;
  const n = typeof value === "string" && value.trim() !== "" ? Number(value) : NaN;
  const fits = Number.isFinite(n) && (integer ? Number.isInteger(n) : true) &&
    (aboveMin ? n > min : n >= min) && n <= max;
  if (!fits) {
    const kind = integer ? "an integer" : "a number";
    const low = aboveMin ? `above ${min}` : max === Infinity ? `of at least ${min}` : `from ${min}`;
    const range = max === Infinity ? low : `${low}${aboveMin ? " and at most" : " to"} ${max}`;
    throw new UsageError(`--${name} needs ${kind} ${range}, got ${excerpt(String(value))}`);
  }
  return n;
}
