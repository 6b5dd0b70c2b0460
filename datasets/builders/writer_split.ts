/**
 * Writer-disjoint splits: every writer's samples go to exactly one split, so
 * a model is always tested on handwriting it never saw. Writers are shuffled
 * with the seed and dealt one at a time to the split whose per-class quota
 * (the split's share of each class's samples) the writer fills most, relative
 * to the quota; a writer who fills no quota goes to the split that is least
 * full overall. Then, within each split, each class's samples are shuffled
 * and the first `perClass[split]` taken (all of them with `"all"`), and the
 * chosen samples of a split are shuffled together.
 *
 * @module
 */

import { InklingError } from "../../autograd/errors.ts";
import { Rng } from "../../autograd/rng.ts";

/** What the split needs to know about a sample. */
export interface SplittableSample {
  /** Class index in `[0, classes)`. */
  readonly classIndex: number;
  /** Writer name. */
  readonly writer: string;
}

/** Samples per class of each split: a count or `"all"` per split, or `"all"` for every split. */
export type PerClass<S extends string> = Readonly<Record<S, number | "all">> | "all";

/** Options of {@linkcode splitByWriter}. */
export interface WriterSplitOptions<S extends string> {
  /** Number of classes. */
  readonly classes: number;
  /** Class names, for messages. */
  readonly classNames: readonly string[];
  /** Relative size of each split (the order of keys is the split order). */
  readonly shares: Readonly<Record<S, number>>;
  /**
   * Samples per class in each split, `"all"` in a split for every sample of
   * its writers, or `"all"` for that in every split.
   */
  readonly perClass: PerClass<S>;
  /** Seed of the writer shuffle and the sampling. */
  readonly seed: number;
  /** Data set name, for messages. */
  readonly what: string;
}

/** The outcome of {@linkcode splitByWriter}. */
export interface WriterSplit<S extends string> {
  /** Every writer, sorted; a writer's index is its position here. */
  readonly writers: readonly string[];
  /** Writer indices assigned to each split, ascending. */
  readonly splitWriters: Readonly<Record<S, readonly number[]>>;
  /** Samples per class available from each split's writers. */
  readonly available: Readonly<Record<S, readonly number[]>>;
  /** Indices of the chosen samples of each split, in their final (shuffled) order. */
  readonly chosen: Readonly<Record<S, Int32Array>>;
}

/**
 * Splits `samples` by writer and picks a class-balanced subset of each split.
 * Throws an {@linkcode InklingError} listing every class that has fewer
 * samples in a split than `perClass` asks for.
 */
export function splitByWriter<S extends string>(
  samples: readonly SplittableSample[],
  options: WriterSplitOptions<S>,
): WriterSplit<S> {
  const splits = Object.keys(options.shares) as S[];
  const writers = [...new Set(samples.map((s) => s.writer))].sort();
  const writerIndex = new Map(writers.map((w, i) => [w, i]));
  const sampleWriter = Int32Array.from(samples, (s) => writerIndex.get(s.writer)!);
  const rng = new Rng(options.seed);

  const assignment = assignWriters(samples, sampleWriter, writers.length, splits, options, rng);
  const splitWriters = {} as Record<S, number[]>;
  const available = {} as Record<S, number[]>;
  const chosen = {} as Record<S, Int32Array>;
  const shortfalls: string[] = [];
  splits.forEach((split, s) => {
    splitWriters[split] = writers.map((_, w) => w).filter((w) => assignment[w] === s);
    const byClass: number[][] = Array.from({ length: options.classes }, () => []);
    samples.forEach((sample, i) => {
      if (assignment[sampleWriter[i]] === s) byClass[sample.classIndex].push(i);
    });
    available[split] = byClass.map((list) => list.length);
    const picked: number[] = [];
    byClass.forEach((list, c) => {
      const asked: number | "all" = options.perClass === "all" ? "all" : options.perClass[split];
      const want = asked === "all" ? list.length : asked;
      if (list.length < want) {
        shortfalls.push(`${split} '${options.classNames[c]}' has ${list.length} of ${want}`);
        return;
      }
      const order = rng.permutation(list.length);
      for (let k = 0; k < want; k++) picked.push(list[order[k]]);
    });
    const order = rng.permutation(picked.length);
    chosen[split] = Int32Array.from(order, (k) => picked[k]);
  });
  if (shortfalls.length > 0) {
    throw new InklingError(
      `${options.what}: too few samples per class in the writer-disjoint splits (seed ${options.seed}): ` +
        `${shortfalls.join("; ")}. Ask for fewer per class, take all samples, or try another seed`,
    );
  }
  return { writers, splitWriters, available, chosen };
}

/** Split position of each writer (see the module doc for the rule). */
function assignWriters<S extends string>(
  samples: readonly SplittableSample[],
  sampleWriter: Int32Array,
  writerCount: number,
  splits: readonly S[],
  options: WriterSplitOptions<S>,
  rng: Rng,
): Int32Array {
  const classes = options.classes;
  const perWriter = new Float64Array(writerCount * classes);
  const totals = new Float64Array(classes);
  samples.forEach((sample, i) => {
    perWriter[sampleWriter[i] * classes + sample.classIndex]++;
    totals[sample.classIndex]++;
  });
  const shareSum = splits.reduce((sum, split) => sum + options.shares[split], 0);
  const quota = splits.map((split) => totals.map((t) => (t * options.shares[split]) / shareSum));
  const filled = splits.map(() => new Float64Array(classes));
  const assignment = new Int32Array(writerCount);
  for (const w of rng.permutation(writerCount)) {
    const counts = perWriter.subarray(w * classes, (w + 1) * classes);
    let best = -1;
    let bestGain = 0;
    splits.forEach((_, s) => {
      let gain = 0;
      for (let c = 0; c < classes; c++) {
        const room = quota[s][c] - filled[s][c];
        if (room > 0 && counts[c] > 0) gain += Math.min(counts[c], room) / quota[s][c];
      }
      if (gain > bestGain) [best, bestGain] = [s, gain];
    });
    if (best < 0) best = leastFull(filled, quota);
    assignment[w] = best;
    for (let c = 0; c < classes; c++) filled[best][c] += counts[c];
  }
  return assignment;
}

/** The split with the smallest filled fraction of its total quota. */
function leastFull(filled: readonly Float64Array[], quota: readonly Float64Array[]): number {
  let best = 0;
  let bestFraction = Infinity;
  filled.forEach((f, s) => {
    const fraction = f.reduce((a, b) => a + b, 0) /
      Math.max(quota[s].reduce((a, b) => a + b, 0), 1);
    if (fraction < bestFraction) [best, bestFraction] = [s, fraction];
  });
  return best;
}
