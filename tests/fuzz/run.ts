/**
 * Running mutants of a target and keeping score. Case `i` of a run with
 * seed `s` draws everything from `caseRng(s, i)`, so any case can be made
 * again from its index alone. Each case is classified:
 *
 * - `ok`: the input was accepted and its data stayed within the target's bound;
 * - `libraryError`: the library refused it with an `InklingError` (on purpose);
 * - `bug`: any other exception, or data beyond the bound (`OversizeError`);
 * - `badMessage`: refused on purpose, but the FormatError does not name the
 *   input first or runs past 600 characters (the message is for a person);
 * - `hang`: no result within the deadline (an async hang is cut off; a
 *   synchronous one is noticed when it returns, or by the CLI's watchdog).
 *
 * Memory is watched through `Deno.memoryUsage().rss` after every case.
 *
 * @module
 */

import { FormatError, InklingError } from "../../autograd/errors.ts";
import { Rng } from "../../autograd/rng.ts";
import { OversizeError, type PreparedTarget } from "./target.ts";

/** How a case ended. */
export type Outcome = "ok" | "libraryError" | "badMessage" | "bug" | "hang";

/** One finished case. */
export interface CaseResult {
  /** Case index. */
  index: number;
  /** How it ended. */
  outcome: Outcome;
  /** Wall time of `run`, ms. */
  ms: number;
  /** Size of the mutant. */
  inputBytes: number;
  /** Data bytes the target produced (0 unless ok). */
  produced: number;
  /** The most the target may produce for this input. */
  bound: number;
  /** Resident set size after the case, bytes. */
  rss: number;
  /** How much the resident set grew during the case, bytes. */
  rssGrowth: number;
  /** The mutations that made the input. */
  how: string;
  /** For a bug or hang: what happened. */
  failure?: Failure;
}

/** A failing case, as saved for reproduction. */
export interface Failure {
  /** `bug`, `message`, `hang` or `crash` (the process died: only the CLI sees these). */
  kind: "bug" | "message" | "hang" | "crash";
  /** Kind, error name and where it was thrown (else its message, numbers blanked): one per distinct problem. */
  signature: string;
  /** Case index. */
  index: number;
  /** The mutations that made the input. */
  how: string;
  /** Error message (first line) or what went wrong. */
  message: string;
  /** Stack trace, if any. */
  stack: string;
}

/** Totals of a run. */
export interface FuzzSummary {
  /** Target name. */
  format: string;
  /** Cases run. */
  count: number;
  /** Cases accepted within the bound. */
  ok: number;
  /** Cases refused with an InklingError. */
  libraryErrors: number;
  /** Of those, refusals whose FormatError message does not name the input or is too long. */
  badMessages: number;
  /** Other exceptions, oversized results and crashes. */
  bugs: number;
  /** Cases past the deadline. */
  hangs: number;
  /** Slowest case, ms. */
  maxMs: number;
  /** Index of the slowest case. */
  slowestCase: number;
  /** Highest RSS seen after a case, MB. */
  peakRssMB: number;
  /** RSS before the first case, MB. */
  baselineRssMB: number;
  /** Largest growth of RSS during one case, MB (garbage of earlier cases blurs it). */
  maxRssGrowthMB: number;
  /** Index of that case. */
  rssGrowthCase: number;
  /** Bytes of all inputs. */
  inputBytes: number;
  /** Largest input, bytes. */
  maxInputBytes: number;
  /** Largest data produced as a fraction of the target's bound for that input (≤ 1 is within). */
  maxBoundUse: number;
  /** Wall time, s. */
  seconds: number;
  /** Cases per second. */
  rate: number;
  /** First case of each distinct failure. */
  failures: Failure[];
}

/** The generator of case `index` of a run seeded with `seed`. */
export function caseRng(seed: number, index: number): Rng {
  let h = (seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return new Rng((h ^ (h >>> 16)) >>> 0);
}

/** Describes an exception as a failure of case `index` (`thrower`: the error whose name and stack count, if not `error` itself). */
export function describeFailure(
  kind: Failure["kind"],
  error: unknown,
  index: number,
  how: string,
  thrower: unknown = error,
): Failure {
  const name = thrower instanceof Error ? thrower.name : typeof thrower;
  const message = (error instanceof Error ? error.message : String(error)).split("\n")[0];
  const stack = thrower instanceof Error ? String(thrower.stack ?? "") : "";
  // Where library code threw tells problems apart; messages echo input and would not.
  const frame = stack.split("\n").find((line) =>
    /file:\/\//.test(line) && !/\/tests\/fuzz\//.test(line)
  );
  const place = frame?.match(/([\w.-]+\.ts):(\d+)/)?.slice(1, 3).join(":");
  const blanked = message.replace(/\d+/g, "N").replace(/"[^"]*"/g, '"…"').slice(0, 120);
  // A hang or crash seen from outside has no stack: keep each one.
  const where = kind === "hang" || kind === "crash"
    ? `case ${index}`
    : place
    ? `at ${place}`
    : blanked;
  return {
    kind,
    signature: `${kind}: ${name}: ${where}`,
    index,
    how,
    message: message.slice(0, 500),
    stack,
  };
}

/** Options of {@linkcode runCase} and {@linkcode runFuzz}. */
export interface RunOptions {
  /** Seed of the run. */
  seed: number;
  /** Per-case deadline, ms (default 5000). */
  deadlineMs?: number;
  /** Run the target's heavy part on every k-th case (default 1: every case). */
  heavyEvery?: number;
}

/** Makes and runs case `index`; returns its result and the input bytes. */
export async function runCase(
  target: PreparedTarget,
  index: number,
  options: RunOptions,
): Promise<{ result: CaseResult; bytes: Uint8Array }> {
  const deadline = options.deadlineMs ?? 5000;
  const { bytes, how } = await target.mutant(caseRng(options.seed, index));
  const context = { index, heavy: index % (options.heavyEvery ?? 1) === 0 };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = Symbol("timeout");
  const rssBefore = Deno.memoryUsage().rss;
  const started = performance.now();
  let outcome: Outcome;
  let produced = 0;
  const bound = target.bound(bytes.length, bytes);
  let failure: Failure | undefined;
  try {
    const running = Promise.resolve().then(() => target.run(bytes, context));
    running.catch(() => {}); // a run cut off by the deadline may still fail later
    const hang = new Promise<typeof timedOut>((resolve) => {
      timer = setTimeout(() => resolve(timedOut), deadline);
    });
    const value = await Promise.race([running, hang]);
    if (value === timedOut) throw timedOut;
    produced = value;
    if (produced > bound) throw new OversizeError("data", produced, bytes.length, bound);
    outcome = "ok";
  } catch (error) {
    if (error === timedOut) {
      outcome = "hang";
      failure = describeFailure("hang", new Error(`no result after ${deadline} ms`), index, how);
    } else if (error instanceof InklingError) {
      const problem = messageProblem(error, target.errorPrefix);
      outcome = problem ? "badMessage" : "libraryError";
      if (problem) failure = describeFailure("message", problem, index, how, error);
    } else {
      outcome = "bug";
      failure = describeFailure("bug", error, index, how);
    }
  } finally {
    clearTimeout(timer);
  }
  const ms = performance.now() - started;
  if (ms > deadline && outcome !== "hang") {
    // A synchronous run cannot be cut off: it is a hang all the same.
    outcome = "hang";
    failure = describeFailure("hang", new Error(`took ${Math.round(ms)} ms`), index, how);
  }
  const rss = Deno.memoryUsage().rss;
  const rssGrowth = Math.max(0, rss - rssBefore);
  return {
    result: {
      index,
      outcome,
      ms,
      inputBytes: bytes.length,
      produced,
      bound,
      rss,
      rssGrowth,
      how,
      failure,
    },
    bytes,
  };
}

/** What is wrong with a refusal's message: a FormatError must name the input first and stay short. */
function messageProblem(error: InklingError, prefix: string): string | undefined {
  if (!(error instanceof FormatError)) return undefined;
  const { message } = error;
  if (!message.startsWith(prefix)) return `FormatError does not name the input: ${message}`;
  if (message.length >= 600) return `FormatError of ${message.length} characters: ${message}`;
  return undefined;
}

/** Adds up case results into a {@linkcode FuzzSummary}. */
export class Tally {
  #summary: FuzzSummary;
  #seen = new Set<string>();
  #started = performance.now();

  /** Starts an empty tally for `format`. */
  constructor(format: string) {
    const rss = Deno.memoryUsage().rss / 2 ** 20;
    this.#summary = {
      format,
      count: 0,
      ok: 0,
      libraryErrors: 0,
      badMessages: 0,
      bugs: 0,
      hangs: 0,
      maxMs: 0,
      slowestCase: -1,
      peakRssMB: rss,
      baselineRssMB: rss,
      maxRssGrowthMB: 0,
      rssGrowthCase: -1,
      inputBytes: 0,
      maxInputBytes: 0,
      maxBoundUse: 0,
      seconds: 0,
      rate: 0,
      failures: [],
    };
  }

  /** Sets the RSS measured before the first case (a CLI child reports its own). */
  baseline(rssBytes: number): void {
    this.#summary.baselineRssMB = rssBytes / 2 ** 20;
    this.#summary.peakRssMB = this.#summary.baselineRssMB;
  }

  /** Counts one case; returns its failure if it is the first of its signature. */
  add(result: CaseResult): Failure | undefined {
    const s = this.#summary;
    s.count++;
    if (result.outcome === "ok") s.ok++;
    else if (result.outcome === "libraryError") s.libraryErrors++;
    else if (result.outcome === "badMessage") {
      [s.libraryErrors, s.badMessages] = [s.libraryErrors + 1, s.badMessages + 1];
    } else if (result.outcome === "bug") s.bugs++;
    else s.hangs++;
    if (result.ms > s.maxMs) [s.maxMs, s.slowestCase] = [result.ms, result.index];
    s.peakRssMB = Math.max(s.peakRssMB, result.rss / 2 ** 20);
    if (result.rssGrowth / 2 ** 20 > s.maxRssGrowthMB) {
      [s.maxRssGrowthMB, s.rssGrowthCase] = [result.rssGrowth / 2 ** 20, result.index];
    }
    s.inputBytes += result.inputBytes;
    s.maxInputBytes = Math.max(s.maxInputBytes, result.inputBytes);
    s.maxBoundUse = Math.max(s.maxBoundUse, result.produced / Math.max(1, result.bound));
    return result.failure ? this.addFailure(result.failure, false) : undefined;
  }

  /** Records a failure seen outside a case result (a crash or watchdog hang; `count` counts it). */
  addFailure(failure: Failure, count = true): Failure | undefined {
    if (count) {
      this.#summary.count++;
      if (failure.kind === "hang") this.#summary.hangs++;
      else this.#summary.bugs++;
    }
    if (this.#seen.has(failure.signature)) return undefined;
    this.#seen.add(failure.signature);
    this.#summary.failures.push(failure);
    return failure;
  }

  /** The totals so far, with rounded figures. */
  summary(): FuzzSummary {
    const s = this.#summary;
    const seconds = (performance.now() - this.#started) / 1000;
    const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;
    return {
      ...s,
      maxMs: round(s.maxMs),
      peakRssMB: round(s.peakRssMB),
      baselineRssMB: round(s.baselineRssMB),
      maxRssGrowthMB: round(s.maxRssGrowthMB),
      maxBoundUse: round(s.maxBoundUse, 3),
      seconds: round(seconds),
      rate: round(s.count / Math.max(seconds, 1e-9)),
      failures: [...s.failures],
    };
  }
}

/**
 * Runs cases `start ..< start + count` of `target` in this process. `onCase`
 * sees every result with its input (to save failures or report progress).
 */
export async function runFuzz(
  format: string,
  target: PreparedTarget,
  options: RunOptions & {
    count: number;
    start?: number;
    onCase?: (result: CaseResult, bytes: Uint8Array, first: Failure | undefined) => unknown;
  },
): Promise<FuzzSummary> {
  const tally = new Tally(format);
  const start = options.start ?? 0;
  for (let index = start; index < start + options.count; index++) {
    const { result, bytes } = await runCase(target, index, options);
    const first = tally.add(result);
    await options.onCase?.(result, bytes, first);
  }
  return tally.summary();
}
