/**
 * What a fuzz target is: seeds, a way to turn a case's random generator into
 * a mutant, and a `run` that feeds one input to the library. `run` resolves
 * with the number of bytes of data it got back (0 when the result holds none
 * worth counting) or rejects; the runner classifies the rejection (an
 * `InklingError` is the library refusing the input on purpose, anything else
 * is a bug) and holds the data to the target's stated bound.
 *
 * @module
 */

import type { Rng } from "../../autograd/rng.ts";
import type { Mutant } from "./mutate.ts";

/** Where and how often a run may do its slow checks. */
export interface RunContext {
  /** Index of the case (its random generator derives from the run seed and this). */
  index: number;
  /** Whether to run the expensive part of the target too (e.g. `readText` after decoding). */
  heavy: boolean;
}

/** A target ready to run: seeds built, scratch folder made. */
export interface PreparedTarget {
  /** The clean inputs the mutants derive from. */
  seeds: readonly Uint8Array[];
  /** The mutant of one case; a function of `rng` alone, so a case index reproduces it. */
  mutant(rng: Rng): Promise<Mutant>;
  /** Feeds `bytes` to the library; resolves with the bytes of data produced. */
  run(bytes: Uint8Array, context: RunContext): Promise<number>;
  /** How every FormatError message must start: the name the input was given (the file). */
  errorPrefix: string;
  /** Most bytes of data an input of `inputBytes` may produce. */
  bound(inputBytes: number, bytes: Uint8Array): number;
  /** Removes scratch files. */
  close(): Promise<void>;
}

/** One format the fuzzer knows. */
export interface FuzzTarget {
  /** Name used by `--format` (`mat`, `idx.gz`, `tar.gz`, …). */
  name: string;
  /** What is fed to what, for the README and `--help`. */
  description: string;
  /** The stated bound on the data produced, in words (for the README). */
  boundText: string;
  /** Builds the seeds (deterministically: replaying a case needs the same seeds). */
  prepare(): Promise<PreparedTarget>;
}

/** A scratch folder for targets that must go through files. */
export async function scratchDir(name: string): Promise<string> {
  return await Deno.makeTempDir({ prefix: `inkling_fuzz_${name.replace(/\W/g, "_")}_` });
}

/** Removes a scratch folder, ignoring one already gone. */
export async function removeDir(dir: string): Promise<void> {
  await Deno.remove(dir, { recursive: true }).catch(() => {});
}

/** A result larger than the target's stated bound (a bug: the input cannot justify it). */
export class OversizeError extends Error {
  /** Describes `produced` bytes made from an `input`-byte input, against `bound`. */
  constructor(what: string, produced: number, input: number, bound: number) {
    super(`${what}: ${produced} bytes from a ${input}-byte input (bound ${Math.round(bound)})`);
    this.name = "OversizeError";
  }
}
